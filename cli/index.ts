#!/usr/bin/env node
/**
 * The `threadline` executable (package.json `bin`): runs the command line (cli/program.ts) with plain node from the
 * compiled package, or with tsx from the repository (`npm run threadline -- --help`).
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../config/env';
import { CliError } from './cli-error';
import { createProgram } from './program';

createProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; a usage error has printed its message already.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    const message =
      err instanceof CliError || err instanceof ConfigError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    process.stderr.write(`threadline: ${message}\n`);
    process.exit(1);
  });
