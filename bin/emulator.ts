/** `npm run emulator`: the same as `threadline emulator` (cli/emulator.ts). */
import { main } from '../cli/emulator';

main();
