/**
 * The one worker a kit environment runs all its conversations on. Creating a worker loads the workflow bundle into a
 * fresh V8 context, about half a CPU-second for Threadline's bundle, so the environment creates it once, when the
 * first bot starts, instead of once per conversation. Each conversation still has its own Bandwidth: an activity is
 * routed to the Bandwidth of the conversation (workflow id) that called it.
 */
import { Context } from '@temporalio/activity';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { KitWorkflows } from './start-bot';

/** The environment's worker, as the conversations it runs see it. */
export interface KitWorker {
  /** The task queue every conversation of the environment runs on. */
  readonly taskQueue: string;
  /** Sends the activities of conversation `workflowId` to `activities`; starts the worker on first use. */
  serve(workflowId: string, activities: Activities): Promise<void>;
  /** Stops the worker (if it started), once its tasks in flight are done. */
  shutdown(): Promise<void>;
}

let environmentSeq = 0;

/** A worker for `workflows` on `connection`, created when the first conversation is served. */
export function createKitWorker(connection: NativeConnection, workflows: KitWorkflows): KitWorker {
  const taskQueue = `kit-${process.pid}-${++environmentSeq}`;
  const routes = new Map<string, Activities>();
  let started: Promise<{ worker: Worker; running: Promise<void> }> | null = null;

  const routed = (name: keyof Activities) =>
    function (this: unknown, ...args: unknown[]): unknown {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
      const activities = routes.get(workflowId);
      if (!activities) throw new Error(`the kit runs no conversation ${workflowId}`);
      return (activities[name] as (...a: unknown[]) => unknown).apply(this, args);
    };

  return {
    taskQueue,
    async serve(workflowId, activities) {
      routes.set(workflowId, activities);
      started ??= (async () => {
        const names = Object.keys(activities) as (keyof Activities)[];
        const worker = await Worker.create({
          connection,
          taskQueue,
          activities: Object.fromEntries(names.map((name) => [name, routed(name)])),
          ...workflows,
        });
        return { worker, running: worker.run() };
      })();
      await started;
    },
    async shutdown() {
      if (!started) return;
      const { worker, running } = await started;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    },
  };
}
