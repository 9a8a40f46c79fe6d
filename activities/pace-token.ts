/**
 * `paceToken`: does nothing, on purpose. A send held to a rate counted in segments, or to more than one rate (its
 * number's and its campaign's, say), pays for each unit beyond the send itself with one `paceToken` on that rate's task
 * queue: the Temporal server hands those tasks out no faster than the rate, so the send starts only once every rate
 * it uses has room for it (workflows/runtime/pacing.ts, docs/operations.md "Sending rates").
 */
export function createPaceToken() {
  return {
    /** One unit of a sending rate, taken when the Temporal server dispatched this task. */
    async paceToken(): Promise<void> {},
  };
}
