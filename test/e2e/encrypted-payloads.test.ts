/**
 * Encrypted payloads end to end, in a real browser (Debian's chromium driven by playwright-core): with
 * THREADLINE_PAYLOAD_KEYS set, the history Temporal stores holds neither the text nor the texter's number, yet an
 * operator signed in to the codec server reads both in the Web UI; with THREADLINE_HASH_PHONES_IN_SEARCH, the search
 * attributes hold the number's hash, and the operator API still finds the conversation by number.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, launchChromium } from '../helpers/browser';
import { loadConfig, type Config } from '../../config/env';
import { startStack, type Stack } from '../../stack';
import { uiCodecEndpoint } from '../../temporal/data-converter';
import { hashPhone } from '../../temporal/phone-hash';
import { freePort, startDevServer, type DevServer } from '../../toolchain/temporal';
import { conversationId } from '../../workflows/ids';
import { workflowSource } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

const run = promisify(execFile);
const TOKEN = 'operator-token-of-the-encrypted-ui-test';
const PHONE = '+19195550123';
const TEXT = 'hello, this is Ada from the encrypted handset';

/** Every Payload in a raw protobuf object (anything with `metadata` and `data`), wherever it sits. */
function payloadsIn(value: unknown, found: { metadata: Record<string, Uint8Array>; data: Uint8Array }[] = []) {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && record.data instanceof Uint8Array) {
    found.push(record as { metadata: Record<string, Uint8Array>; data: Uint8Array });
    return found;
  }
  for (const child of Array.isArray(value) ? value : Object.values(record)) payloadsIn(child, found);
  return found;
}

const encodingOf = (p: { metadata: Record<string, Uint8Array> }) =>
  Buffer.from(p.metadata.encoding ?? []).toString('utf8');

/** The text of the page and of every frame in it (the UI renders Markdown inside sandboxed frames). */
async function everything(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((f) =>
      f
        .locator('body')
        .innerText({ timeout: 2000 })
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

describe('encrypted payloads in the Temporal Web UI', () => {
  let dev: DevServer;
  let config: Config;
  let stack: Stack;
  let browser: Browser;
  const id = conversationId({ ourNumber: '+19195550100', participants: [PHONE] });

  before(async () => {
    assertChromiumInstalled();
    const cli = process.env.TEMPORAL_CLI;
    assert.ok(cli, 'TEMPORAL_CLI is not set: run the tests with `npm test`');
    const [temporalPort, uiPort, serverPort] = [await freePort(), await freePort(), await freePort()];
    config = loadConfig({
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_UI_PORT: String(uiPort),
      THREADLINE_DATA_DIR: fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'codec-ui-')),
      PORT: String(serverPort),
      EMULATOR_PORT: '0',
      EMULATOR_TIME_SCALE: '20',
      OPERATOR_TOKEN: TOKEN,
      THREADLINE_PAYLOAD_KEYS: `k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`,
      THREADLINE_HASH_PHONES_IN_SEARCH: 'true',
      LOG_LEVEL: 'warn',
    });
    dev = await startDevServer({
      cli,
      port: temporalPort,
      uiPort,
      uiCodecEndpoint: uiCodecEndpoint(config),
      log: () => undefined,
    });
    stack = await startStack({ config, persistEmulator: false, workflowBundle: workflowSource().workflowBundle });
    browser = await launchChromium();

    const response = await fetch(`${stack.emulatorUrl}/emulator/handsets/${encodeURIComponent(PHONE)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+19195550100', text: TEXT }),
    });
    assert.equal(response.status, 202);
    await eventually(async () => {
      const inbox = await fetch(`${stack.emulatorUrl}/emulator/handsets/${encodeURIComponent(PHONE)}/messages`);
      assert.match(await inbox.text(), /What's your name/);
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    await dev?.stop();
  });

  it("keeps the text and the texter's number out of the history Temporal stores", async () => {
    // Read once the greeting's send is in the history (the handset can have it a moment before Temporal records it).
    const events = await eventually(async () => {
      const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({
        namespace: config.temporal.namespace,
        execution: { workflowId: id },
      });
      const all = history?.events ?? [];
      // The send is a local activity: its outcome is a marker.
      assert.ok(
        all.some((e) => e.markerRecordedEventAttributes),
        'the send is recorded',
      );
      return all;
    });
    const payloads = payloadsIn(events);
    const encrypted = payloads.filter((p) => encodingOf(p) === 'binary/encrypted');
    // The start and its summary, the text's signal, the send's outcome, the timer's summary: all encrypted.
    const seen = events.map((e) => `${e.eventType}:${payloadsIn(e).map(encodingOf).join('+')}`);
    assert.ok(encrypted.length >= 5, `only ${encrypted.length} encrypted payloads in ${seen.join(' ')}`);
    for (const payload of payloads) {
      const raw = Buffer.from(payload.data).toString('latin1');
      assert.ok(!raw.includes('Ada from the encrypted'), `the text in a ${encodingOf(payload)} payload`);
      assert.ok(!raw.includes('9195550123'), `the number in a ${encodingOf(payload)} payload: ${raw}`);
    }
    // Only search attributes stay readable (Temporal indexes them), with the number hashed.
    const plain = payloads.filter((p) => encodingOf(p) !== 'binary/encrypted').map((p) => encodingOf(p));
    assert.deepEqual([...new Set(plain)], ['json/plain']);
    const key = config.phoneHashKey;
    assert.ok(key);
    const serialized = JSON.stringify(
      payloads.filter((p) => encodingOf(p) === 'json/plain').map((p) => Buffer.from(p.data).toString('utf8')),
    );
    assert.ok(serialized.includes(hashPhone(key, PHONE)), `the hashed number in ${serialized}`);
  });

  it('finds the conversation by number through the operator API, which hashes the number the same way, and reads it', async () => {
    const response = await fetch(`${stack.serverUrl}/api/v1/conversations?participant=${encodeURIComponent(PHONE)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    const { conversations } = (await response.json()) as {
      conversations: { conversationId: string; participants: string[] }[];
    };
    const found = conversations.find((c) => c.conversationId === id);
    assert.ok(found, `no ${id} in ${JSON.stringify(conversations)}`);
    assert.deepEqual(found.participants, [PHONE]);

    // Its transcript comes from the workflow's query, decrypted by the server's client.
    const one = await fetch(`${stack.serverUrl}/api/v1/conversations/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(one.status, 200);
    assert.match(await one.text(), /Ada from the encrypted handset/);
  });

  it('shows the text to the temporal CLI given the codec endpoint and the operator token', async () => {
    const cli = process.env.TEMPORAL_CLI ?? 'temporal';
    // Asynchronously: the CLI calls the codec server, which runs in this process.
    const show = async (...extra: string[]) =>
      (
        await run(cli, [
          'workflow',
          'show',
          '--address',
          config.temporal.address,
          '--workflow-id',
          id,
          '--output',
          'json',
          ...extra,
        ])
      ).stdout;
    // Its JSON keeps payload data in base64: read every payload's data.
    const payloadData = (json: string) =>
      [...json.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)].map((m) =>
        Buffer.from(m[1] ?? '', 'base64').toString('latin1'),
      );
    assert.ok(!payloadData(await show()).some((data) => data.includes('Ada from the encrypted handset')));
    const decoded = await show('--codec-endpoint', uiCodecEndpoint(config) ?? '', '--codec-auth', `Bearer ${TOKEN}`);
    assert.ok(payloadData(decoded).some((data) => data.includes('Ada from the encrypted handset')));
  });

  it('shows the text and the number in the Web UI to an operator signed in to the codec server', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      // Sign in once: the codec server sets its cookie, which the UI sends with "Include cross-origin credentials".
      const signIn = await context.newPage();
      await signIn.goto(`${stack.serverUrl}/codec/session`);
      await signIn.getByLabel('Operator token').fill(TOKEN);
      await signIn.getByRole('button', { name: 'Sign in' }).click();
      await signIn.getByText('Signed in').waitFor();
      // The UI's codec settings (its "Codec Server" dialog keeps them in local storage): the dev server's endpoint,
      // with cross-origin credentials.
      await context.addInitScript({
        content: [
          `localStorage.setItem('endpoint', ${JSON.stringify(JSON.stringify(uiCodecEndpoint(config)))});`,
          `localStorage.setItem('includeCredentials', 'true');`,
          `localStorage.setItem('overrideRemoteCodecConfiguration', 'true');`,
        ].join('\n'),
      });

      const page = await context.newPage();
      await page.goto(`${dev.uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}`);
      await page.getByText('greeterBot').first().waitFor({ timeout: 30_000 });
      await page.getByText('User Metadata').click();
      await eventually(async () => {
        const text = await everything(page);
        assert.match(text, /SMS \+19195550123 ↔ \+19195550100 \(greeterBot\)/, 'the static summary, decoded');
        assert.match(text, /received hello, this is Ada/, 'the last messages, decoded');
      });

      const { runId } = await stack.client.workflow.getHandle(id).describe();
      await page.goto(`${dev.uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}/${runId}/history`);
      // The history table: the text's signal, opened.
      await page.getByRole('row').filter({ hasText: 'inboundMessage' }).first().click();
      await eventually(
        async () => {
          assert.match(await everything(page), /Ada from the encrypted handset/, "the text in the signal's input");
        },
        { timeoutMs: 30_000 },
      ).catch(async (err: unknown) => {
        await page.screenshot({ path: '/tmp/codec-ui-history.png', fullPage: true });
        throw err;
      });
    } finally {
      await context.close();
    }
  });
});
