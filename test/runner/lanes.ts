/**
 * Runs test files in parallel lanes. Each lane has its own environment (its own Temporal dev server: tests on one
 * server share its `default` namespace and derive workflow ids from the same phone numbers, so two files must never
 * share a server at the same time) and runs one file at a time, each in its own `node --test` process. A file's
 * output is held until it ends and then printed whole, so the log reads file by file; with one lane it streams.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

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
  ms: number;
  /** CPU-seconds (user + system) of the file's process and everything it started, when GNU time is installed. */
  cpuSeconds: number | null;
  /** The test runner's own counts for the file (`# pass 3` in TAP, `ℹ pass 3` from the spec reporter). */
  counts: Record<'tests' | 'pass' | 'fail' | 'cancelled' | 'skipped' | 'todo', number>;
  exitCode: number;
}

export interface LaneOptions {
  root: string;
  /** The `node` arguments before the file: `--import tsx --test --test-timeout=…`. */
  nodeArgs: string[];
  /** A scratch directory (for the CPU-time figures). */
  tmp: string;
  /** How many lanes. */
  lanes: number;
  /**
   * How long a file may run (ms): then its process group is killed and the file fails. Node's own `--test-timeout`
   * did not end a file stuck in a time-skipping wait (seen in CI); this does, whatever the file is stuck in.
   */
  fileTimeoutMs: number;
  /** The environment of a file run in `lane`. */
  laneEnv: (lane: number) => NodeJS.ProcessEnv;
  /** Called as each file ends. */
  onFileDone: (result: FileResult) => void;
  /** Print each file's output as it comes (one lane), rather than whole when the file ends. */
  stream: boolean;
  write: (text: string) => void;
}

const COUNT = /^(?:# |ℹ )(tests|pass|fail|cancelled|skipped|todo) (\d+)\s*$/;

/** Runs `files` (in this order) across the lanes; resolves with every file's result once all have ended. */
export function runInLanes(files: readonly string[], options: LaneOptions): Promise<FileResult[]> & { stop(): void } {
  const queue = [...files];
  const running = new Set<ChildProcess>();
  let stopped = false;

  const runFile = (file: string, lane: number) =>
    new Promise<FileResult>((resolve) => {
      const started = Date.now();
      const cpuFile = path.join(options.tmp, `cpu-${lane}-${started}`);
      const command = [process.execPath, ...options.nodeArgs, file];
      if (gnuTime()) command.unshift(GNU_TIME, '--quiet', '--format=%U %S', `--output=${cpuFile}`);
      // A process group of its own, so that stopping the run stops the file and whatever it started.
      const child = spawn(command[0]!, command.slice(1), {
        cwd: options.root,
        env: options.laneEnv(lane),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      running.add(child);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // ended meanwhile
        }
      }, options.fileTimeoutMs);
      const held: string[] = [];
      const counts: FileResult['counts'] = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
      let partial = '';
      const take = (chunk: Buffer) => {
        const text = chunk.toString();
        if (options.stream) options.write(text);
        else held.push(text);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const match = COUNT.exec(line);
          if (match) counts[match[1] as keyof FileResult['counts']] = Number(match[2]);
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        running.delete(child);
        if (timedOut) {
          const note = `\n# ${file} was still running after ${options.fileTimeoutMs} ms: stopped, failed\n`;
          if (options.stream) options.write(note);
          else held.push(note);
        }
        // Whatever the file started and left running (a worker process, a server: after a timeout its own clean-up
        // never ran) would go on polling the lane's dev server during the next file: the group goes with the file.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // the group is already empty
        }
        if (!options.stream) options.write(held.join(''));
        resolve({
          file,
          lane,
          ms: Date.now() - started,
          cpuSeconds: cpuOf(cpuFile),
          counts,
          exitCode: timedOut ? 1 : (code ?? (signal ? 1 : 0)),
        });
      });
    });

  const lane = async (index: number, results: FileResult[]) => {
    for (let file = queue.shift(); file !== undefined && !stopped; file = queue.shift()) {
      const result = await runFile(file, index);
      results.push(result);
      options.onFileDone(result);
    }
  };

  const results: FileResult[] = [];
  const lanes = Array.from({ length: options.lanes }, (_, index) => lane(index, results));
  const done = Promise.all(lanes).then(() => results);
  return Object.assign(done, {
    stop() {
      stopped = true;
      for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM');
    },
  });
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
