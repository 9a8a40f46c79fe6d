/**
 * Waiting for a phase to settle before its inboxes are counted, so that a late duplicate (a send re-executed after a
 * workflow task timed out) or a late answer (a callback retried after the server came back) is counted too. Settled
 * means, for as long as the quiet period and with every part up: the emulator has nothing queued and no callback
 * pending, every answer it accepted has reached its handset, none of the phase's conversations has a workflow task
 * or activity pending, and no inbox changed. A phase with answers still missing waits up to the settle timeout.
 */
import { Client, type Connection } from '@temporalio/client';
import { connectClient, loadTemporalConnection } from '../temporal/connection';
import { conversationId } from '../workflows/ids';
import { countInboxes, type InboxCount } from './handsets';
import { type ChaosStack } from './processes';

export interface SettleOptions {
  phones: readonly string[];
  texts: number;
  /** How long everything must stay still. */
  quietMs: number;
  /** How long to wait at most (for missing answers above all). */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface Settled {
  /** The inboxes, counted once settled (or at the timeout). */
  count: InboxCount;
  /** False when the timeout came first; `waitingFor` then says on what. */
  settled: boolean;
  waitingFor: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function emulatorJson<T>(stack: ChaosStack, route: string): Promise<T> {
  const response = await fetch(`${stack.emulatorUrl}${route}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${route}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Conversations of `phones` that have a workflow task or an activity pending. */
async function busyConversations(client: Client, ourNumber: string, phones: readonly string[]): Promise<number> {
  let busy = 0;
  for (const phone of phones) {
    const handle = client.workflow.getHandle(conversationId({ ourNumber, participants: [phone] }));
    const description = await handle.describe().catch(() => null);
    if (!description || description.status.name !== 'RUNNING') continue;
    if (description.raw.pendingWorkflowTask || (description.raw.pendingActivities?.length ?? 0) > 0) busy += 1;
  }
  return busy;
}

/** Waits until the phase has settled (or the timeout), then counts every inbox. */
export async function settle(stack: ChaosStack, options: SettleOptions): Promise<Settled> {
  const deadline = Date.now() + options.timeoutMs;
  let lastSeen = '';
  let stillSince = Date.now();
  let waitingFor = 'nothing yet';
  let lastSaid = Date.now();
  let connection: Connection | undefined;
  try {
    for (;;) {
      await stack.allReady();
      connection ??= await connectClient(loadTemporalConnection({ TEMPORAL_ADDRESS: stack.temporalAddress })).catch(
        () => undefined,
      );
      const count = await countInboxes(stack.emulatorUrl, options.phones, options.texts);
      const queue = await emulatorJson<{ queuedUnits: number }[]>(stack, '/emulator/queue');
      const queued = queue.reduce((sum, account) => sum + account.queuedUnits, 0);
      const { callbacks } = await emulatorJson<{ callbacks: { pending: number } }>(stack, '/emulator');
      const busy = connection
        ? await busyConversations(new Client({ connection }), stack.ourNumber, options.phones).catch(() => -1)
        : -1;
      const waits = [
        queued > 0 ? `${queued} message units queued` : '',
        callbacks.pending > 0 ? `${callbacks.pending} callbacks pending` : '',
        count.undelivered > 0 ? `${count.undelivered} answers not delivered yet` : '',
        busy !== 0 ? (busy < 0 ? 'Temporal to answer' : `${busy} conversations with work pending`) : '',
        count.lost > 0 ? `${count.lost} answers missing` : '',
      ].filter(Boolean);
      const seen = JSON.stringify(count);
      if (seen !== lastSeen || waits.some((w) => !w.endsWith('answers missing'))) {
        lastSeen = seen;
        stillSince = Date.now();
      }
      waitingFor = waits.join(', ') || 'the quiet period';
      if (Date.now() - lastSaid >= 10_000) {
        lastSaid = Date.now();
        options.log(`settling: waiting for ${waitingFor}`);
      }
      const still = Date.now() - stillSince >= options.quietMs;
      if (still && count.lost === 0) return { count, settled: true, waitingFor: '' };
      if (Date.now() > deadline) {
        options.log(`settle timed out waiting for ${waitingFor}`);
        return { count, settled: still, waitingFor };
      }
      await sleep(1_000);
    }
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
