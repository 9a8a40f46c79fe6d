/**
 * What an operator sees in the Temporal Web UI, checked in a real browser (Debian's chromium driven by
 * playwright-core): a conversation's summary, its current details (who, which bot, what it waits for and until when,
 * its segments and cost, its last messages with their delivery status) and its search attributes. Uses a dev server
 * of its own, since the test run's shared one has no UI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { assertChromiumInstalled, launchChromium } from '../helpers/browser';
import { loadConfig } from '../../config/env';
import { startStack, type Stack } from '../../stack';
import { freePort, startDevServer, type DevServer } from '../../toolchain/temporal';
import { conversationId } from '../../workflows/ids';
import { workflowSource } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

describe('a conversation in the Temporal Web UI', () => {
  let dev: DevServer;
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    assertChromiumInstalled();
    const cli = process.env.TEMPORAL_CLI;
    assert.ok(cli, 'TEMPORAL_CLI is not set: run the tests with `npm test`');
    dev = await startDevServer({ cli, port: await freePort(), uiPort: await freePort(), log: () => undefined });
    const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'ui-'));
    stack = await startStack({
      config: loadConfig({
        TEMPORAL_ADDRESS: dev.address,
        THREADLINE_DATA_DIR: dataDir,
        PORT: '0',
        EMULATOR_PORT: '0',
        EMULATOR_TIME_SCALE: '20',
        LOG_LEVEL: 'warn',
      }),
      persistEmulator: false,
      workflowBundle: workflowSource().workflowBundle,
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    await dev?.stop();
  });

  it('shows the summary, what the conversation waits for, its last messages and its search attributes', async () => {
    const response = await fetch(`${stack.emulatorUrl}/emulator/handsets/%2B19195550123/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+19195550100', text: 'hi' }),
    });
    assert.equal(response.status, 202);
    const id = conversationId({ ourNumber: '+19195550100', participants: ['+19195550123'] });
    // The UI reads current details once per page load: open it when the bot has asked and waits for the answer.
    await eventually(async () => {
      const inbox = await fetch(`${stack.emulatorUrl}/emulator/handsets/%2B19195550123/messages`);
      assert.match(await inbox.text(), /What's your name/);
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${dev.uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}`);
    await page.getByText('greeterBot').first().waitFor({ timeout: 30_000 });

    // The UI renders summaries and details as Markdown inside sandboxed frames: read every frame's text.
    const everything = async () =>
      (
        await Promise.all(
          page.frames().map((f) =>
            f
              .locator('body')
              .innerText({ timeout: 2000 })
              .catch(() => ''),
          ),
        )
      ).join('\n');

    await page.getByText('User Metadata').click();
    const metadata = await eventually(async () => {
      const text = await everything();
      assert.match(text, /SMS \+19195550123 ↔ \+19195550100 \(greeterBot\)/, 'the static summary');
      assert.match(text, /Now: waiting for a reply/, 'what the conversation waits for');
      assert.match(text, /received hi/, 'the last messages');
      assert.match(text, /Hi! I.m the Threadline greeter/);
      return text;
    });
    assert.match(metadata, /reply timeout until/, 'its deadline');
    assert.match(metadata, /Started by: a text from \+19195550123/, 'the static details');
    assert.match(metadata, /Who: \+19195550123 ↔ \+19195550100 \(our number\) · Bot: greeterBot/, 'who, which bot');
    assert.match(metadata, /Waiting for the answer to: “Hi! I.m the Threadline greeter\. What.s your name\?”/);
    assert.match(metadata, /Usage: 1 in, 1 out · 2 segments \(1 in, 1 out\) · cost 0\.008 USD/, 'segments and cost');
    assert.match(metadata, /received hi from \+19195550123 · 1 seg · 0\.004 USD/, 'a message with its cost');
    assert.match(metadata, /(accepted|sent|delivered) Hi! I.m the Threadline greeter/, 'a reply with its status');

    await page.getByText('Search Attributes').click();
    const attributes = await eventually(async () => {
      const text = await everything();
      for (const name of [
        'ThreadlineOurNumber',
        'ThreadlineParticipants',
        'ThreadlineState',
        'ThreadlineLastActivity',
      ]) {
        assert.match(text, new RegExp(name));
      }
      return text;
    });
    assert.match(attributes, /\+19195550123/);
    await page.close();
  });
});
