/**
 * The phone page in a real browser (Debian's chromium driven by playwright-core), against the whole stack: a
 * developer adds a handset, texts the bot and watches the reply arrive and get its delivered tick; texts a group with
 * a photo; and sees a reply to a number that cannot receive fail with the error's name. With
 * THREADLINE_SCREENSHOTS_DIR set (`npm run screenshots:phone`), it saves the screenshots docs/ shows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, launchChromium } from '../helpers/browser';
import { type Stack } from '../../stack';
import { conversationId } from '../../workflows/ids';
import { startTestStack } from '../helpers/stack';

const BOT = '+19195550100';
const WEB_UI = 'http://127.0.0.1:8233';
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";
const SUNSET = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sunset.png'));
const WAIT = { timeout: 30_000 };

/** Saves a screenshot for the docs when asked to. */
async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.THREADLINE_SCREENSHOTS_DIR;
  if (!dir) return;
  await page.screenshot({ path: path.resolve(__dirname, '..', '..', dir, name) });
}

describe('the phone page in a browser', () => {
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    assertChromiumInstalled();
    ({ stack } = await startTestStack('phone', {}, { temporalUiUrl: WEB_UI }));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Opens the page and waits until its event stream is connected. */
  async function openPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${stack.emulatorUrl}/`);
    await page.locator('body[data-live="true"]').waitFor(WAIT);
    return page;
  }

  async function addHandset(page: Page, phone: string, name: string): Promise<void> {
    await page.getByLabel('Phone number').fill(phone);
    await page.getByLabel('Name (optional)').fill(name);
    await page.getByRole('button', { name: 'Add handset' }).click();
    await page.getByRole('button', { name: `${name} (${phone})`, pressed: true }).waitFor(WAIT);
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  }

  /** The bubble of the message with this text in the open thread. */
  const bubble = (page: Page, text: string) =>
    page
      .getByRole('log', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ has: page.getByText(text, { exact: true }) });

  it("sends a text from a new handset and shows the bot's reply with its delivered tick", async () => {
    const page = await openPage();
    await addHandset(page, '+19195550123', 'Ada');
    await page.getByRole('button', { name: 'Open thread' }).click();
    await send(page, 'hi');

    await bubble(page, 'hi').getByText('sent').waitFor(WAIT);
    await bubble(page, QUESTION).getByText('delivered ✓✓').waitFor(WAIT);
    await send(page, 'Ada');
    await bubble(page, 'Nice to meet you, Ada!').getByText('delivered ✓✓').waitFor(WAIT);

    const link = page.getByRole('link', { name: 'Open in Temporal Web UI' });
    const id = conversationId({ ourNumber: BOT, participants: ['+19195550123'] });
    assert.equal(await link.getAttribute('href'), `${WEB_UI}/namespaces/default/workflows/${encodeURIComponent(id)}`);
    assert.equal(await page.getByRole('heading', { name: `Bot ${BOT}` }).count(), 1);
    await screenshot(page, 'phone.png');
    await page.close();
  });

  it('opens a group thread with another handset and sends it a photo as MMS', async () => {
    const page = await openPage();
    await addHandset(page, '+19195550142', 'Ben');
    await addHandset(page, '+19195550141', 'Ann');
    await page.getByLabel('Ben (+19195550142)').check();
    await page.getByRole('button', { name: 'Open thread' }).click();
    await page.getByLabel('Attach image').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: SUNSET });
    await send(page, 'Sunset from the trip!');

    const mine = bubble(page, 'Sunset from the trip!');
    await mine.getByRole('img', { name: 'Attachment sunset.png' }).waitFor(WAIT);
    assert.equal(
      await mine.getByRole('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      120,
    );
    await bubble(page, QUESTION).getByText('delivered ✓✓').waitFor(WAIT);
    assert.equal(await bubble(page, QUESTION).getByText(`Bot ${BOT}`).count(), 1);
    await page.getByRole('heading', { name: `Group: Bot ${BOT}, Ben (+19195550142)` }).waitFor(WAIT);
    await screenshot(page, 'phone-group.png');

    // Ben is on the thread too: he got Ann's photo (the same stored media) and the bot's question.
    await page.getByRole('button', { name: 'Ben (+19195550142)', exact: true }).click();
    const bens = bubble(page, 'Sunset from the trip!');
    await bens.getByText('Ann (+19195550141)').waitFor(WAIT);
    await bens.getByRole('img', { name: 'Attachment sunset.png' }).waitFor(WAIT);
    await bubble(page, QUESTION).waitFor(WAIT);
    await page.close();
  });

  it("shows a reply that could not be delivered as failed, with the error's name", async () => {
    const cy = '+19195550126';
    const behavior = await fetch(`${stack.emulatorUrl}/emulator/behaviors/${encodeURIComponent(cy)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failWith: 4720 }),
    });
    assert.ok(behavior.ok);
    const page = await openPage();
    await addHandset(page, cy, 'Cy');
    await page.getByRole('button', { name: 'Open thread' }).click();
    await send(page, 'hello?');
    await bubble(page, QUESTION).getByText('failed: invalid-destination-address (4720)').waitFor(WAIT);
    await page.close();
  });
});
