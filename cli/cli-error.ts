/**
 * A failure the CLI explains in one line on stderr (exit code 1), with no stack trace: a bad argument, an answer the
 * operator API refused, a server that is not running.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
