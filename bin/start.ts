/** `npm start`: the same as `threadline start` (cli/start.ts). */
import { main } from '../cli/start';

main();
