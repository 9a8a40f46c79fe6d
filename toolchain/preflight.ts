/**
 * The preflight: before a run starts anything, checks the system programs it will need (Chromium, PostgreSQL, Java,
 * Maven, Go) and either installs the missing ones with `apt-get` (as root on Debian, which is how `.ci/run` runs) or
 * stops at once with the command to type. A missing browser is found in the first second, never five minutes in.
 *
 * ```ts
 * await preflightOrExit(testRequirements(files), log); // test/run.ts, before any server starts
 * ```
 *
 * `npx tsx toolchain/preflight.ts` checks (and as root on Debian installs) everything `npm test` can need.
 * Decisions are made by {@link planPreflight} from probes, so they are tested without touching the machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, onPath, type Log } from './install-steps';
import { findPostgresBinaries } from './postgres';
import { TEST_SERVER_VERSION } from './temporal';
import { TEMPORAL_SERVER_VERSION } from './temporal-server';

/** A system program some runs need. */
export type Requirement = 'chromium' | 'postgresql' | 'java' | 'maven' | 'go';

/** What each requirement is for, and the package that provides it on Debian and with Homebrew. */
export const REQUIREMENTS: Readonly<Record<Requirement, { what: string; apt: string; brew: string }>> = {
  chromium: { what: 'Chromium, for the tests that drive pages (CHROMIUM_PATH)', apt: 'chromium', brew: 'chromium' },
  postgresql: {
    what: "PostgreSQL's server (initdb), for the record store tests",
    apt: 'postgresql',
    brew: 'postgresql@16',
  },
  java: { what: "Java 17+, for Temporal's time-skipping test server", apt: 'default-jre-headless', brew: 'openjdk' },
  maven: { what: 'Maven, to fetch the test server from Maven Central (once)', apt: 'maven', brew: 'maven' },
  go: {
    what: 'Go, to build the real Temporal server for test/cluster and test/temporal (once)',
    apt: 'golang-go',
    brew: 'go',
  },
};

const ORDER: Requirement[] = ['chromium', 'postgresql', 'java', 'maven', 'go'];

/** What the preflight looks at; {@link systemProbes} reads the real machine. */
export interface PreflightProbes {
  present(requirement: Requirement): boolean;
  platform: NodeJS.Platform;
  isRoot: boolean;
  /** Debian or a derivative, with apt-get. */
  isDebian: boolean;
  /** Installs Debian packages (apt-get update, then install); throws when apt-get fails. */
  aptInstall(packages: string[], log: Log): void;
}

/** What to do: nothing, install these Debian packages, or stop with this message. */
export type PreflightPlan =
  | { action: 'ready' }
  | { action: 'install'; missing: Requirement[]; packages: string[] }
  | { action: 'stop'; missing: Requirement[]; message: string };

/** The command a person types to install `missing` here. */
export function installCommand(missing: Requirement[], probes: Pick<PreflightProbes, 'platform' | 'isDebian'>): string {
  if (probes.platform === 'darwin') {
    const formulas = missing.filter((r) => r !== 'chromium').map((r) => REQUIREMENTS[r].brew);
    const commands = formulas.length > 0 ? [`brew install ${formulas.join(' ')}`] : [];
    if (missing.includes('chromium')) {
      commands.push(
        'brew install --cask chromium && export CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium',
      );
    }
    return commands.join(' && ');
  }
  const packages = missing.map((r) => REQUIREMENTS[r].apt).join(' ');
  if (probes.isDebian) return `sudo apt-get install -y ${packages}`;
  return `install with your package manager: ${missing.map((r) => REQUIREMENTS[r].what).join('; ')}`;
}

/** Decides what the preflight does about the requirements `needed` on a machine described by `probes`. */
export function planPreflight(needed: Iterable<Requirement>, probes: PreflightProbes): PreflightPlan {
  const wanted = new Set(needed);
  const missing = ORDER.filter((r) => wanted.has(r) && !probes.present(r));
  if (missing.length === 0) return { action: 'ready' };
  if (probes.platform === 'linux' && probes.isDebian && probes.isRoot) {
    return { action: 'install', missing, packages: missing.map((r) => REQUIREMENTS[r].apt) };
  }
  const lines = [
    'Missing before the run can start:',
    ...missing.map((r) => `  - ${REQUIREMENTS[r].what}`),
    'Install with:',
    `  ${installCommand(missing, probes)}`,
  ];
  return { action: 'stop', missing, message: lines.join('\n') };
}

/** Thrown when a requirement is missing and cannot be installed here; the message says what to type. */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

/** Checks `needed`, installs what is missing when it may (root on Debian), else throws a {@link PreflightError}. */
export function preflight(needed: Iterable<Requirement>, log: Log, probes: PreflightProbes = systemProbes()): void {
  const wanted = [...needed];
  const plan = planPreflight(wanted, probes);
  if (plan.action === 'ready') return;
  if (plan.action === 'stop') throw new PreflightError(plan.message);
  const started = Date.now();
  log(`installing ${plan.packages.join(' ')} with apt-get (missing: ${plan.missing.join(', ')})`);
  probes.aptInstall(plan.packages, log);
  const after = planPreflight(wanted, { ...probes, isRoot: false });
  if (after.action === 'stop')
    throw new PreflightError(`apt-get installed ${plan.packages.join(' ')}, but:\n${after.message}`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** {@link preflight}, and on a {@link PreflightError} prints its message and exits 1 at once. */
export function preflightOrExit(needed: Iterable<Requirement>, log: Log, probes?: PreflightProbes): void {
  try {
    preflight(needed, log, probes);
  } catch (err) {
    if (!(err instanceof PreflightError)) throw err;
    process.stderr.write(`\n${err.message}\n\n`);
    process.exit(1);
  }
}

/** The browser the tests drive: `CHROMIUM_PATH`, else Debian's (as test/helpers/browser.ts). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Probes of this machine. */
export function systemProbes(env: NodeJS.ProcessEnv = process.env): PreflightProbes {
  return {
    present: (requirement) => {
      switch (requirement) {
        case 'chromium':
          return fs.existsSync(chromiumPath(env));
        case 'postgresql':
          return findPostgresBinaries() !== null;
        case 'java':
          // Run it: macOS has a /usr/bin/java stub that only says no JDK is installed.
          return onPath('java') !== null && spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
        case 'maven':
          return onPath('mvn') !== null;
        case 'go':
          return onPath('go') !== null;
      }
    },
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    isDebian: fs.existsSync('/etc/debian_version') && onPath('apt-get') !== null,
    aptInstall: (packages, log) => {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      for (const args of [
        ['update', '-qq'],
        ['install', '-y', '-qq', ...packages],
      ]) {
        const result = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        if (result.status !== 0) {
          throw new PreflightError(`apt-get ${args.join(' ')} failed (${result.status}):\n${result.stderr.trim()}`);
        }
        log(`  apt-get ${args[0]} done`);
      }
    },
  };
}

/** The test files that drive a browser (they import test/helpers/browser.ts or playwright-core). */
function drivesBrowser(file: string): boolean {
  try {
    return /helpers\/browser|playwright-core/.test(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * What `npm run toolchain` needs: Java and, while the time-skipping test server is not cached, Maven; Go while the
 * real Temporal server (test/cluster, test/temporal) is not cached, when `withServer`.
 */
export function toolchainRequirements(env: NodeJS.ProcessEnv = process.env, withServer = true): Requirement[] {
  const cache = cacheDir(env);
  const needed: Requirement[] = ['java'];
  if (!fs.existsSync(path.join(cache, `temporal-test-server-${TEST_SERVER_VERSION}`, '.complete')))
    needed.push('maven');
  const server = path.join(cache, `temporal-server-${TEMPORAL_SERVER_VERSION}`, '.templates-complete');
  if (withServer && !fs.existsSync(server)) needed.push('go');
  return needed;
}

/**
 * What `npm test` needs for these test files (paths relative to the repo root): the toolchain's needs (Go only when
 * test/cluster or test/temporal run), PostgreSQL unless THREADLINE_TEST_DATABASE_URL names a server, and Chromium
 * when a file drives a browser.
 */
export function testRequirements(
  files: string[],
  env: NodeJS.ProcessEnv = process.env,
  root = path.resolve(__dirname, '..'),
): Requirement[] {
  const withServer = files.some((file) => /^test\/(cluster|temporal)\//.test(file));
  const needed = toolchainRequirements(env, withServer);
  if (!env.THREADLINE_TEST_DATABASE_URL) needed.push('postgresql');
  if (files.some((file) => drivesBrowser(path.resolve(root, file)))) needed.push('chromium');
  return needed;
}

if (require.main === module) {
  const log: Log = (line) => process.stderr.write(`[preflight] ${line}\n`);
  preflightOrExit(ORDER, log);
  log(`ready: ${ORDER.join(', ')}`);
}
