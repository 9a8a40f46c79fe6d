/** `npm run server`: the same as `threadline server` (cli/server.ts). */
import { main } from '../cli/server';

main();
