/** `npm run worker`: the same as `threadline worker` (cli/worker.ts). */
import { main } from '../cli/worker';

main();
