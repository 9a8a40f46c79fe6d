/**
 * What the toolchain's installs share: the cache they install into, finding a command on PATH, and running a long
 * build step with progress.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** Where a toolchain step reports progress. */
export type Log = (line: string) => void;

/** The cache: `$THREADLINE_CACHE_DIR`, else `$XDG_CACHE_HOME/threadline`, else `~/.cache/threadline`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.THREADLINE_CACHE_DIR) return path.resolve(env.THREADLINE_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(base, 'threadline');
}

/** The full path of `command` on PATH, or `null`. */
export function onPath(command: string): string | null {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : null;
}

/** Runs a long build step, logging progress every 10 s; rejects with the output's last lines on failure. */
export function runWithProgress(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
  log: Log,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let last = '';
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        lines += 1;
        last = line.trim();
        tail.push(line);
        if (tail.length > 40) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      log(`  still building the ${what}: ${seconds} s, ${lines} steps (${last.slice(0, 100)})`);
    }, 10_000);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Math.round((Date.now() - started) / 1000);
      if (code === 0) {
        log(`  ${what} ready in ${seconds} s`);
        resolve();
      } else {
        reject(new Error(`${command} ${args.join(' ')} failed with exit code ${code}:\n${tail.join('\n')}`));
      }
    });
  });
}
