/**
 * Runs test files in parallel lanes. Each lane has its own environment (its own Temporal dev server: tests on one
 * server share its `default` namespace and derive workflow ids from the same phone numbers, so two files must never
 * share a server at the same time) and runs one process at a time, each running a batch of files one after another
 * (test/runner/batches.ts, test/runner/file-batch.ts). Each file's verdict is reported as it ends; a process's output
 * is held until it ends and then printed whole, so the log reads batch by batch; with one lane it streams.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { takeBatch } from './batches';
import { createTapReader, noCounts, type Counts } from './tap';

/**
 * GNU time, when installed: it measures each file's CPU time, its child processes' included (servers, JVMs). Asked
 * for its version once: BSD's and BusyBox's `time` (macOS, Alpine) refuse GNU's options, so they are not used.
 */
const GNU_TIME = '/usr/bin/time';
const gnuTime = (() => {
  let answer: boolean | undefined;
  return () => (answer ??= /GNU/.test(spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' }).stdout ?? ''));
})();

export interface FileResult {
  file: string;
  lane: number;
  /** The file's time (ms): from the end of the file before it in its process (or the process's start) to its end. */
  ms: number;
  /** The file's tests, as its TAP report counts them. */
  counts: Counts;
  ok: boolean;
  /** Why the file failed without a verdict of its own (its process ended or was stopped before it). */
  note?: string;
}

export interface BatchResult {
  files: string[];
  lane: number;
  ms: number;
  /** CPU-seconds (user + system) of the process and everything it started, when GNU time is installed. */
  cpuSeconds: number | null;
  exitCode: number;
  /** Why the process failed beyond its files' verdicts (it was stopped, or did not exit after its tests). */
  note?: string;
}

export interface LaneOptions {
  root: string;
  /** The `node` arguments before the entry: `--import tsx`. */
  nodeArgs: string[];
  /** Where each process's TAP report goes besides the runner (`spec` to stderr on a terminal), or none. */
  humanReporter: 'spec' | null;
  /** A scratch directory (for the CPU-time figures). */
  tmp: string;
  /** How many lanes. */
  lanes: number;
  /** How long each file may take (ms): then it fails (node:test's timeout on the file's suite). */
  fileTimeoutMs: number;
  /** How long a file's process may go without a file ending before it is killed (ms): a file stuck beyond the
   * reach of node:test's timeout (a synchronous loop, a time-skipping wait seen stuck in CI). */
  stallTimeoutMs: number;
  /** How long a process may stay up after its last file's verdict (ms): a test left a handle open. */
  exitTimeoutMs: number;
  /** How long each file took last time (ms), for the batches. */
  expectedMs: (file: string) => number;
  /** The files that run in a process of their own. */
  alone: (file: string) => boolean;
  /** The environment of a process run in `lane`. */
  laneEnv: (lane: number) => NodeJS.ProcessEnv;
  /** Called as each file ends, and as each process ends. */
  onFileDone: (result: FileResult) => void;
  onBatchDone: (result: BatchResult) => void;
  /** Print each process's output as it comes (one lane), rather than whole when the process ends. */
  stream: boolean;
  write: (text: string) => void;
}

const ENTRY = path.join(__dirname, 'file-batch.ts');

/** Runs `files` (in this order, in batches) across the lanes; resolves once all have ended. */
export function runInLanes(
  files: readonly string[],
  options: LaneOptions,
): Promise<{ files: FileResult[]; batches: BatchResult[] }> & { stop(): void } {
  const queue = [...files];
  const running = new Set<ChildProcess>();
  let stopped = false;

  const runBatch = (batch: string[], lane: number) =>
    new Promise<{ files: FileResult[]; batch: BatchResult }>((resolve) => {
      const started = Date.now();
      const cpuFile = path.join(options.tmp, `cpu-${lane}-${started}`);
      const loadTimesFile = path.join(options.tmp, `loads-${lane}-${started}.json`);
      const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout'];
      if (options.humanReporter)
        reporters.push(`--test-reporter=${options.humanReporter}`, '--test-reporter-destination=stderr');
      const command = [
        process.execPath,
        ...options.nodeArgs,
        ...reporters,
        ENTRY,
        `--timeout=${options.fileTimeoutMs}`,
        `--load-times=${loadTimesFile}`,
        ...batch,
      ];
      if (gnuTime()) command.unshift(GNU_TIME, '--quiet', '--format=%U %S', `--output=${cpuFile}`);
      // A process group of its own, so that stopping the run stops the files and whatever they started.
      const child = spawn(command[0]!, command.slice(1), {
        cwd: options.root,
        env: options.laneEnv(lane),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      running.add(child);
      const held: string[] = [];
      const show = (text: string) => (options.stream ? options.write(text) : held.push(text));
      const results: FileResult[] = [];
      let note: string | undefined;

      const kill = (why: string) => {
        note ??= why;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // ended meanwhile
        }
      };
      let timer: NodeJS.Timeout | undefined;
      const watch = () => {
        clearTimeout(timer);
        timer =
          results.length < batch.length
            ? setTimeout(
                () => kill(`no file ended for ${options.stallTimeoutMs} ms: the process was stopped`),
                options.stallTimeoutMs,
              )
            : setTimeout(
                () =>
                  kill(
                    `the process was still running ${options.exitTimeoutMs} ms after its last file: a test left ` +
                      'something open (a server, a timer, a connection); stopped',
                  ),
                options.exitTimeoutMs,
              );
      };
      watch();

      // A file's time: loading its modules (all files load as the process starts, test/runner/file-batch.ts) and
      // running its tests (from the end of the file before, or of the loading, to its own verdict).
      let loads: { loadedAt: number; loads: Record<string, number> } | undefined;
      let lastEnded = started;
      const tap = createTapReader((outcome) => {
        const now = Date.now();
        if (!loads) {
          loads = readLoadTimes(loadTimesFile);
          lastEnded = loads.loadedAt;
        }
        const ms = Math.round(now - lastEnded + (loads.loads[outcome.file] ?? 0));
        const result: FileResult = { ...outcome, ms, lane };
        lastEnded = now;
        results.push(result);
        options.onFileDone(result);
        watch();
      });
      let partial = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (!options.humanReporter) show(text);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) tap.line(line);
      });
      child.stderr.on('data', (chunk: Buffer) => show(chunk.toString()));
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        running.delete(child);
        tap.end();
        // Whatever the files started and left running (a worker process, a server) would go on polling the lane's
        // dev server during the next batch: the group goes with the process.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // the group is already empty
        }
        if (stopped && note === undefined) note = 'the run was stopped';
        for (const file of batch.filter((f) => !results.some((r) => r.file === f))) {
          const result: FileResult = {
            file,
            lane,
            ms: 0,
            counts: noCounts(),
            ok: false,
            note: note ?? `its process ended (${signal ?? `exit code ${code}`}) before the file did`,
          };
          results.push(result);
          options.onFileDone(result);
        }
        if (note) show(`\n# ${batch.join(' ')}: ${note}\n`);
        if (!options.stream) options.write(held.join(''));
        const exitCode = note ? 1 : (code ?? 1);
        resolve({
          files: results,
          batch: { files: batch, lane, ms: Date.now() - started, cpuSeconds: cpuOf(cpuFile), exitCode, note },
        });
      });
    });

  const fileResults: FileResult[] = [];
  const batches: BatchResult[] = [];
  const lane = async (index: number) => {
    while (!stopped && queue.length > 0) {
      const batch = takeBatch(queue, options.expectedMs, options.lanes, options.alone);
      const result = await runBatch(batch, index);
      fileResults.push(...result.files);
      batches.push(result.batch);
      options.onBatchDone(result.batch);
    }
  };

  const done = Promise.all(Array.from({ length: options.lanes }, (_, index) => lane(index))).then(() => ({
    files: fileResults,
    batches,
  }));
  return Object.assign(done, {
    stop() {
      stopped = true;
      for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM');
    },
  });
}

/** What file-batch.ts wrote about loading its files; when missing (it failed to write), loading counts as nothing. */
function readLoadTimes(file: string): { loadedAt: number; loads: Record<string, number> } {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { loadedAt: number; loads: Record<string, number> };
  } catch {
    return { loadedAt: Date.now(), loads: {} };
  }
}

/** The user + system seconds GNU time wrote, or null. */
function cpuOf(file: string): number | null {
  try {
    const [user, system] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return user !== undefined && system !== undefined && !Number.isNaN(user + system) ? user + system : null;
  } catch {
    return null;
  }
}
