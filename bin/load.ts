/** `npm run load -- <script> [options]`: the same as `threadline load <script> [options]` (cli/load.ts). */
process.argv.splice(2, 0, 'load');
void import('../cli/index');
