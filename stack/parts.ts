/**
 * The parts a Threadline process stops on shutdown (stack/shutdown.ts), made from what it runs: an HTTP server, the
 * Temporal worker, a child process, anything with a `close()`.
 */
import type { ChildProcess } from 'node:child_process';
import type http from 'node:http';
import type { Worker } from '@temporalio/worker';
import type { Emulator } from '../emulator';
import type { Part } from './shutdown';

/** Runs `onForce` when `force` aborts (at once if it has); returns a function that cancels it. */
export function whenForced(force: AbortSignal, onForce: () => void): () => void {
  if (force.aborted) {
    onForce();
    return () => undefined;
  }
  force.addEventListener('abort', onForce, { once: true });
  return () => force.removeEventListener('abort', onForce);
}

/**
 * An HTTP server: stops listening first (the port is free at once); requests in flight are answered, each
 * connection closed as it goes idle rather than kept alive; once forced, every connection is closed.
 *
 * Call it as soon as the server is created: it watches requests from then on.
 */
export function httpServerPart(name: string, server: http.Server): Part {
  let stopping = false;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) =>
    res.once('finish', () => {
      if (stopping) setImmediate(() => server.closeIdleConnections());
    }),
  );
  let closed: Promise<void> | undefined;
  const close = () => {
    stopping = true;
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    return closed;
  };
  return {
    name,
    stopIntake: () => void close(),
    async stop(force) {
      const cancel = whenForced(force, () => server.closeAllConnections());
      await close();
      cancel();
    },
    abandon: () => server.closeAllConnections(),
  };
}

/**
 * The Temporal worker: stops polling and drains. Its own `shutdownGraceTime` and `shutdownForceTime` (see
 * worker/create-worker.ts) bound the drain inside the deadline; workflow tasks it gives up on (local activities in
 * flight) time out on the server and run again at the next start.
 */
export function workerPart(worker: Pick<Worker, 'getState' | 'shutdown'>, running: Promise<void>): Part {
  return {
    name: 'worker',
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      // Stopped either way: a forced stop or an earlier failure has been logged where it happened.
      await running.catch(() => undefined);
    },
  };
}

/**
 * A child process: SIGTERM, then SIGKILL once forced; stopped when it has exited. On an immediate exit, SIGKILL.
 */
export function childProcessPart(name: string, child: ChildProcess): Part {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    async stop(force) {
      if (exited()) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const cancel = whenForced(force, () => child.kill('SIGKILL'));
      await gone;
      cancel();
    },
    abandon() {
      if (!exited()) child.kill('SIGKILL');
    },
  };
}

/**
 * The Bandwidth emulator: stops sending (callbacks, queued messages) first; closes (its pending work saved for the
 * next start) in a later stage, once whatever sends through its API has stopped.
 */
export function emulatorPart(emulator: Emulator): Part {
  return { name: 'emulator', stopIntake: () => emulator.pause(), stop: (force) => emulator.close({ force }) };
}

/** Anything else that stops with one call (a connection, a database): stopped when `close` resolves. */
export function closePart(name: string, close: () => Promise<void> | void): Part {
  return { name, stop: async () => close() };
}
