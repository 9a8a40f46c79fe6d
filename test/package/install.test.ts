/**
 * The path a bot author takes, on the package as npm ships it: `npm pack` builds Threadline once (prepack), a fresh
 * project elsewhere installs the tarball, writes a bot importing `threadline/workflows`, compiles it with tsc and tests
 * it with `threadline/kit` under `node --test`; then `threadline emulator`, `threadline server` and `threadline
 * worker` with that project's bots run as separate processes with plain node (no tsx anywhere) against the test
 * run's dev server, and a handset's texts, sent with `threadline send`, are answered by the bot.
 *
 * The install comes from npm's cache (`--prefer-offline`). better-sqlite3 would compile itself from source when its
 * prebuilt binary cannot be downloaded (minutes on 2 cores), so the test hands it this repository's build as a local
 * prebuild, which is what its installer would have downloaded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../toolchain/temporal';
import { eventually } from '../helpers/eventually';
import { HANDSET, OUR_NUMBER, output, run, writeBotProject } from './bot-project';

const root = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? os.tmpdir(), 'package-'));
const project = path.join(tmp, 'my-bots');
const threadline = path.join(project, 'node_modules', '.bin', 'threadline');

/** The environment of the author's processes: none of the test run's own settings, no tsx. */
function authorEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // NODE_TEST_CONTEXT would make the author's `node --test` report to this test runner instead of to its stdout.
  const ours = ['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'THREADLINE_TEST_SERVER', 'THREADLINE_TEST_WORKFLOW_BUNDLE'];
  for (const name of ours) delete env[name];
  return env;
}

/** better-sqlite3's build from this repository, packed as the prebuilt binary its installer looks for. */
async function localPrebuilds(): Promise<string> {
  const dir = path.join(tmp, 'prebuilds');
  fs.mkdirSync(dir);
  const packageDir = path.dirname(require.resolve('better-sqlite3/package.json', { paths: [root] }));
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const packed = await run('tar', ['czf', path.join(dir, name), 'build/Release/better_sqlite3.node'], {
    cwd: packageDir,
    env: process.env,
  });
  assert.equal(packed.code, 0, output(packed));
  return dir;
}

interface Service {
  name: string;
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

const services: Service[] = [];

/** Starts `threadline <args>` and resolves once its output says it is up. */
async function startService(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<Service> {
  const child = spawn(threadline, args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service = { name: `threadline ${args[0]}`, child, log: () => log, exited };
  services.push(service);
  const up = eventually(() => assert.ok(log.includes(ready), `${service.name} is not up yet`), {
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  const early = exited.then((code) => {
    throw new Error(`${service.name} exited with ${code} before it was up:\n${log}`);
  });
  await Promise.race([up, early]);
  return service;
}

describe('a bot author installs the packed package', () => {
  before(async () => {
    const tarballs = path.join(tmp, 'tarballs');
    fs.mkdirSync(tarballs);
    const packed = await run('npm', ['pack', '--pack-destination', tarballs], { cwd: root, env: process.env });
    assert.equal(packed.code, 0, output(packed));
    const [tarball] = fs.readdirSync(tarballs);
    assert.ok(tarball, 'npm pack made no tarball');

    writeBotProject(project);
    const installed = await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        path.join(tarballs, tarball),
        'typescript@5.9',
        '@types/node@20',
      ],
      { cwd: project, env: authorEnv({ npm_config_better_sqlite3_local_prebuilds: await localPrebuilds() }) },
    );
    assert.equal(installed.code, 0, output(installed));
    const compiled = await run(path.join(project, 'node_modules', '.bin', 'tsc'), ['-p', '.'], {
      cwd: project,
      env: authorEnv(),
    });
    assert.equal(compiled.code, 0, output(compiled));
  });

  after(async () => {
    for (const service of services) service.child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ships compiled JavaScript with type declarations and no TypeScript sources', () => {
    const installed = path.join(project, 'node_modules', 'threadline');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'workflows', 'conversation.js')));
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'kit', 'index.d.ts')));
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'emulator', 'phone', 'index.html')), 'the phone page ships');
    assert.equal(fs.existsSync(path.join(installed, 'workflows')), false);
    assert.equal(fs.existsSync(path.join(project, 'node_modules', 'tsx')), false, 'tsx is installed at run time');
  });

  it('runs the author’s kit test with plain node', async () => {
    const tested = await run(process.execPath, ['--test', 'dist/test/parrot.test.js'], {
      cwd: project,
      env: authorEnv(),
    });
    assert.equal(tested.code, 0, output(tested));
    assert.match(tested.stdout, /# pass 1/);
  });

  it('answers threadline --help and says what went wrong on a usage error', async () => {
    const help = await run(threadline, ['--help'], { cwd: project, env: authorEnv() });
    assert.equal(help.code, 0, output(help));
    for (const command of ['start', 'worker', 'server', 'emulator', 'send', 'conversations', 'load']) {
      assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    }
    const workerHelp = await run(threadline, ['worker', '--help'], { cwd: project, env: authorEnv() });
    assert.match(workerHelp.stdout, /--workflows <module>/);
    const wrong = await run(threadline, ['send', 'hi', '--via', 'carrier-pigeon'], { cwd: project, env: authorEnv() });
    assert.equal(wrong.code, 2, output(wrong));
    assert.match(wrong.stderr, /carrier-pigeon/);
  });

  it('answers a handset’s texts with the author’s bot, run by threadline worker, server and emulator', async () => {
    const [serverPort, emulatorPort] = [await freePort(), await freePort()];
    const env = authorEnv({
      TEMPORAL_TASK_QUEUE: `package-test-${process.pid}`,
      PORT: String(serverPort),
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_IN_MEMORY: '1',
      BANDWIDTH_NUMBER: OUR_NUMBER,
      THREADLINE_WORKFLOWS: 'dist/bots/index.js',
      THREADLINE_DEFAULT_BOT: 'parrotBot',
      THREADLINE_ROUTES: JSON.stringify({ [OUR_NUMBER]: 'parrotBot' }),
      THREADLINE_DATA_DIR: path.join(tmp, 'data'),
      // The records in the test run's PostgreSQL, shared by the server and the worker as in a deployment.
      DATABASE_URL: process.env.THREADLINE_TEST_DATABASE_URL ?? '',
      LOG_LEVEL: 'info',
    });
    await startService(['emulator'], env, 'Bandwidth emulator on');
    const phonePage = await fetch(`http://127.0.0.1:${emulatorPort}/phone/main.js`);
    assert.equal(phonePage.status, 200, 'the emulator serves the phone page from the package');
    await startService(['server'], env, 'webhook server listening');
    await startService(['worker', '--workflows', './dist/bots/index.js'], env, 'worker started');

    const first = await run(threadline, ['send', '--from', HANDSET, '--wait', '120', 'hi'], { cwd: project, env });
    assert.equal(first.code, 0, output(first));
    assert.match(first.stdout, new RegExp(`^\\${OUR_NUMBER}: Say a word and I will shout it back\\.$`, 'm'));
    const second = await run(threadline, ['send', '--from', HANDSET, '--wait', '120', 'hello'], { cwd: project, env });
    assert.equal(second.code, 0, output(second));
    assert.match(second.stdout, new RegExp(`^\\${OUR_NUMBER}: HELLO!$`, 'm'));

    const listed = await run(threadline, ['conversations', 'list', '--participant', HANDSET], { cwd: project, env });
    assert.equal(listed.code, 0, output(listed));
    const [conversationId, bot] = listed.stdout.trim().split('\n')[0]!.split('  ');
    assert.equal(bot, 'parrotBot', listed.stdout);
    const transcript = await eventually(async () => {
      const shown = await run(threadline, ['conversations', 'transcript', conversationId!], { cwd: project, env });
      assert.equal(shown.code, 0, output(shown));
      assert.equal(shown.stdout.trim().split('\n').length, 4, shown.stdout);
      return shown.stdout;
    });
    assert.deepEqual(
      transcript
        .trim()
        .split('\n')
        .map((line) => line.replace(/^\S+ {2}/, '').replace(/ {2}\(.*\)$/, '')),
      [
        `<- ${HANDSET}: hi`,
        `-> ${OUR_NUMBER}: Say a word and I will shout it back.`,
        `<- ${HANDSET}: hello`,
        `-> ${OUR_NUMBER}: HELLO!`,
      ],
    );
    const nobody = `sms:${OUR_NUMBER}:+19195550000`;
    const missing = await run(threadline, ['conversations', 'show', nobody], { cwd: project, env });
    assert.equal(missing.code, 1, output(missing));
    assert.match(missing.stderr, /^threadline: 404/m);

    for (const service of services.splice(0).reverse()) {
      service.child.kill('SIGTERM');
      assert.equal(await service.exited, 0, `${service.name} did not stop cleanly:\n${service.log()}`);
    }
  });
});
