/**
 * The benchmarks' workflows: every bot, plus bare baselines that do the least Temporal can do for the same shape
 * of work, so each Threadline figure is compared with bare Temporal in the same run.
 */
import { condition, defineSignal, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export * from '../../workflows';

export interface BareActivities {
  reply(n: number): Promise<void>;
}

export const pingSignal = defineSignal<[number]>('ping');

const local = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
const remote = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });

/** Bare round trip: each signal → one local activity (or, with `remote`, one eagerly executed activity). */
export async function bareRoundTrip(mode: 'local' | 'remote'): Promise<void> {
  const inbox: number[] = [];
  setHandler(pingSignal, (n) => void inbox.push(n));
  for (;;) {
    await condition(() => inbox.length > 0);
    const n = inbox.shift()!;
    if (n < 0) return;
    await (mode === 'local' ? local : remote).reply(n);
  }
}
