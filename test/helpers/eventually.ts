/**
 * Retries a check until it passes: for things that happen asynchronously (a callback arriving, a workflow advancing).
 * `check` passes when it returns (or resolves) without throwing, typically because its assertions held; `eventually`
 * then returns what it returned. It is called every `intervalMs`; once `timeoutMs` have passed, the last error is
 * rethrown. This bounds how long a test waits for an event; it does not time anything. It is the tests' only polling
 * loop: a check that looks for a value asserts it (`assert.ok(found, ...)`) rather than returning undefined.
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
