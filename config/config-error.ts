/** Thrown at start-up when the environment is wrong; the message says which variable to fix and how. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Threadline cannot start: fix these settings\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
