/** The preflight's decisions: install with apt-get as root on Debian, otherwise stop at once with the command to type. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  planPreflight,
  preflight,
  PreflightError,
  testRequirements,
  toolchainRequirements,
  type PreflightProbes,
  type Requirement,
} from '../../toolchain/preflight';
import { TEST_SERVER_VERSION } from '../../toolchain/temporal';
import { TEMPORAL_SERVER_VERSION } from '../../toolchain/temporal-server';

/** A machine with these programs, that records what it was asked to install (and then has it). */
function machine(
  present: Requirement[],
  shape: Partial<Pick<PreflightProbes, 'platform' | 'isRoot' | 'isDebian'>> = {},
): PreflightProbes & { installed: string[][] } {
  const have = new Set<Requirement>(present);
  const installed: string[][] = [];
  const byPackage: Record<string, Requirement> = {
    chromium: 'chromium',
    postgresql: 'postgresql',
    'default-jre-headless': 'java',
    maven: 'maven',
    'golang-go': 'go',
  };
  return {
    present: (r) => have.has(r),
    platform: 'linux',
    isRoot: false,
    isDebian: true,
    ...shape,
    installed,
    aptInstall: (packages) => {
      installed.push(packages);
      for (const p of packages) {
        const requirement = byPackage[p];
        if (requirement) have.add(requirement);
      }
    },
  };
}

const all: Requirement[] = ['chromium', 'postgresql', 'java', 'maven', 'go'];
const quiet = () => undefined;

void describe('the preflight', () => {
  void it('has nothing to do when every program the run needs is there', () => {
    assert.deepEqual(planPreflight(['java', 'postgresql'], machine(['java', 'postgresql'])), { action: 'ready' });
  });

  void it('as root on Debian, installs the missing programs with apt-get and carries on', () => {
    const probes = machine(['java'], { isRoot: true });
    const lines: string[] = [];
    preflight(['chromium', 'postgresql', 'java'], (line) => lines.push(line), probes);
    assert.deepEqual(probes.installed, [['chromium', 'postgresql']]);
    assert.match(lines[0] ?? '', /installing chromium postgresql with apt-get/);
  });

  void it('as a user on Debian, stops with the sudo apt-get command and installs nothing', () => {
    const probes = machine(['go'], { isRoot: false });
    assert.throws(
      () => preflight(all, quiet, probes),
      (err: unknown) =>
        err instanceof PreflightError &&
        err.message.includes('sudo apt-get install -y chromium postgresql default-jre-headless maven') &&
        err.message.includes('Chromium, for the tests that drive pages'),
    );
    assert.deepEqual(probes.installed, []);
  });

  void it('on macOS, says the Homebrew commands and where Chromium is', () => {
    const plan = planPreflight(['chromium', 'java', 'maven'], machine([], { platform: 'darwin', isDebian: false }));
    assert.equal(plan.action, 'stop');
    assert.match(
      plan.action === 'stop' ? plan.message : '',
      /brew install openjdk maven && brew install --cask chromium/,
    );
    assert.match(plan.action === 'stop' ? plan.message : '', /CHROMIUM_PATH=/);
  });

  void it('on another Linux, as root, names what to install instead of guessing a package manager', () => {
    const plan = planPreflight(['postgresql'], machine([], { isRoot: true, isDebian: false }));
    assert.equal(plan.action, 'stop');
    assert.match(plan.action === 'stop' ? plan.message : '', /install with your package manager: PostgreSQL's server/);
  });

  void it('fails when apt-get ran but the program is still missing', () => {
    const probes: PreflightProbes = { ...machine([], { isRoot: true }), aptInstall: () => undefined };
    assert.throws(() => preflight(['chromium'], quiet, probes), /apt-get installed chromium, but/);
  });
});

void describe('what a test run needs', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-preflight-'));
  const env = { THREADLINE_CACHE_DIR: cache };

  void it('is Java, Maven and PostgreSQL for workflow tests on a fresh cache, and no browser', () => {
    assert.deepEqual(testRequirements(['test/workflows/greeter.test.ts'], env), ['java', 'maven', 'postgresql']);
  });

  void it('adds Chromium for a file that drives a browser, and Go for the cluster tests', () => {
    const needed = testRequirements(['test/e2e/web-ui.test.ts', 'test/cluster/cluster.test.ts'], env);
    assert.deepEqual(needed, ['java', 'maven', 'go', 'postgresql', 'chromium']);
  });

  void it('drops Maven and Go once the cache holds what they build, and PostgreSQL when a server is named', () => {
    fs.mkdirSync(path.join(cache, `temporal-test-server-${TEST_SERVER_VERSION}`), { recursive: true });
    fs.writeFileSync(path.join(cache, `temporal-test-server-${TEST_SERVER_VERSION}`, '.complete'), '');
    fs.mkdirSync(path.join(cache, `temporal-server-${TEMPORAL_SERVER_VERSION}`), { recursive: true });
    fs.writeFileSync(path.join(cache, `temporal-server-${TEMPORAL_SERVER_VERSION}`, '.templates-complete'), '');
    const named = { ...env, THREADLINE_TEST_DATABASE_URL: 'postgres://127.0.0.1/x' };
    assert.deepEqual(testRequirements(['test/cluster/cluster.test.ts'], named), ['java']);
    assert.deepEqual(toolchainRequirements(env), ['java']);
    fs.rmSync(cache, { recursive: true, force: true });
  });
});
