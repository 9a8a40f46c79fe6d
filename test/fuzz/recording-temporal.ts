/**
 * A stand-in for the Temporal client the webhook server hands callbacks to: it records every signal-with-start and
 * signal, knows which conversations run (those it started, and any given), and refuses what a real Temporal server
 * refuses. Measured against the dev server: a workflow id over 1,000 bytes is INVALID_ARGUMENT, a workflow id that is
 * not well-formed UTF-16 (a lone surrogate, which protobuf cannot encode as UTF-8) is INTERNAL, and a signal to a
 * workflow that is not running is WorkflowNotFoundError.
 */
import { WorkflowNotFoundError, ServiceError, type Client } from '@temporalio/client';

export interface RecordedCall {
  kind: 'signalWithStart' | 'signal';
  workflowId: string;
  signal: string;
  /** The signal's argument. */
  payload: unknown;
  /** signalWithStart: the workflow type (the bot) and task queue. */
  workflowType?: string;
  taskQueue?: string;
}

export interface RecordingTemporal {
  client: Client;
  calls: RecordedCall[];
  running: Set<string>;
}

const MAX_ID_BYTES = 1000;
const LONE_SURROGATE = /\p{Cs}/u;

/** What Temporal answers for a workflow id it cannot take; null when it takes it. */
function refusal(workflowId: string): ServiceError | null {
  if (Buffer.byteLength(workflowId, 'utf8') > MAX_ID_BYTES) {
    return new ServiceError('3 INVALID_ARGUMENT: WorkflowId exceeds length limit.');
  }
  if (LONE_SURROGATE.test(workflowId)) return new ServiceError('13 INTERNAL: string field contains invalid UTF-8');
  return null;
}

interface SignalDefinitionLike {
  name: string;
}

export function recordingTemporal(running: Iterable<string> = []): RecordingTemporal {
  const calls: RecordedCall[] = [];
  const runningIds = new Set(running);
  const workflow = {
    signalWithStart(
      workflowType: string,
      options: { workflowId: string; taskQueue: string; signal: SignalDefinitionLike | string; signalArgs: unknown[] },
    ) {
      const signal = typeof options.signal === 'string' ? options.signal : options.signal.name;
      calls.push({
        kind: 'signalWithStart',
        workflowId: options.workflowId,
        signal,
        payload: options.signalArgs[0],
        workflowType,
        taskQueue: options.taskQueue,
      });
      const refused = refusal(options.workflowId);
      if (refused) return Promise.reject(refused);
      runningIds.add(options.workflowId);
      return Promise.resolve({ workflowId: options.workflowId, signaledRunId: 'run-1' });
    },
    getHandle(workflowId: string) {
      return {
        workflowId,
        signal(definition: SignalDefinitionLike | string, payload: unknown) {
          const signal = typeof definition === 'string' ? definition : definition.name;
          calls.push({ kind: 'signal', workflowId, signal, payload });
          const refused = refusal(workflowId);
          if (refused) return Promise.reject(refused);
          if (!runningIds.has(workflowId)) {
            return Promise.reject(new WorkflowNotFoundError('workflow not found', workflowId, undefined));
          }
          return Promise.resolve();
        },
      };
    },
  };
  const connection = { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() };
  return { client: { workflow, connection } as unknown as Client, calls, running: runningIds };
}
