/** `npm run toolchain`: the same as `threadline toolchain` (cli/toolchain.ts). */
import { main } from '../cli/toolchain';

main();
