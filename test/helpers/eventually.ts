/**
 * Retries an assertion until it passes: for things that happen asynchronously (a callback arriving, a workflow
 * advancing). Polls every `intervalMs` up to `timeoutMs`, then rethrows the last assertion error. This bounds how long
 * a test waits for an event; it does not time anything.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
