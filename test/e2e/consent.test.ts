/**
 * Consent end to end, through the emulator on a real Temporal dev server: STOP, START and HELP texted from handsets
 * to a local (10DLC) number, where the STOP reaches Threadline alone, and to a toll-free number, where the network
 * answers it too; a STOP racing the bot's reply; and an operator's proactive start to a number that opted out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Stack } from '../../stack';
import { defaultConsentReplies } from '../../workflows/consent/policy';
import { eventually } from '../helpers/eventually';
import { handsetText } from '../helpers/handsets';
import { startTestStack } from '../helpers/stack';

const LOCAL = '+19195550100';
const TOLL_FREE = '+18885550100';
const PROGRAM = 'Acme Dental';
const replies = defaultConsentReplies(PROGRAM);

interface InboxMessage {
  text: string;
  status: string;
  fromHandset: boolean;
  fromNetwork?: boolean;
  from: string;
}

describe('consent keywords through the emulator', () => {
  let stack: Stack;
  let handsetSeq = 0;
  const handset = () => `+1919555${String(7100 + ++handsetSeq)}`;

  before(async () => {
    ({ stack } = await startTestStack('e2e-consent', {
      THREADLINE_DEFAULT_BOT: 'echoBot',
      THREADLINE_ROUTES: JSON.stringify({ [TOLL_FREE]: 'echoBot' }),
      THREADLINE_PROGRAM_NAME: PROGRAM,
    }));
    const tollFree = await fetch(`${stack.emulatorUrl}/emulator/numbers/${encodeURIComponent(TOLL_FREE)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product: 'TOLL_FREE' }),
    });
    assert.equal(tollFree.status, 200, await tollFree.text());
  });
  after(async () => {
    await stack?.stop();
  });

  async function inbox(phone: string): Promise<InboxMessage[]> {
    const response = await fetch(`${stack.emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`);
    return ((await response.json()) as { messages: InboxMessage[] }).messages.filter((m) => !m.fromHandset);
  }
  /** Waits until `phone` has exactly these texts from our side, in order, all settled (delivered or failed). */
  const expectInbox = (phone: string, texts: string[]) =>
    eventually(async () => {
      const messages = await inbox(phone);
      assert.deepEqual(
        messages.map((m) => m.text),
        texts,
      );
      assert.ok(messages.every((m) => m.status === 'DELIVERED' || m.status === 'FAILED'));
      return messages;
    });
  const optOuts = async (scope: string, contact: string) => {
    const response = await fetch(
      `${stack.serverUrl}/api/v1/opt-outs/${encodeURIComponent(scope)}/${encodeURIComponent(contact)}`,
      { headers: { authorization: `Bearer ${stack.operatorToken}` } },
    );
    assert.equal(response.status, 200);
    return (await response.json()) as { optedOut: boolean; history: { action: string; source: string }[] };
  };

  it('answers STOP, HELP and START on a local number, once each, and the bot never sees them', async () => {
    const phone = handset();
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'hi');
    await expectInbox(phone, ['#1: hi']);
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'HELP');
    await expectInbox(phone, ['#1: hi', replies.help]);
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'Stop.');
    await expectInbox(phone, ['#1: hi', replies.help, replies.optOut]);
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'help');
    // The webhook server has taken the HELP before the START goes out: sent back to back, a busy machine could hand
    // them over in the other order, and HELP after START is rightly answered.
    await eventually(async () => {
      const pending = (await (
        await fetch(`${stack.emulatorUrl}/emulator/callbacks?state=pending`)
      ).json()) as unknown[];
      assert.equal(pending.length, 0);
    });
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'START');
    await expectInbox(phone, ['#1: hi', replies.help, replies.optOut, replies.optIn]);
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'hello again');
    await expectInbox(phone, ['#1: hi', replies.help, replies.optOut, replies.optIn, '#1: hello again']);
    const ledger = await optOuts(`number:${LOCAL}`, phone);
    assert.equal(ledger.optedOut, false);
    assert.deepEqual(
      ledger.history.map((c) => `${c.action} by ${c.source}`),
      ['opt-out by keyword', 'opt-in by keyword'],
    );
  });

  it('lets the network answer STOP to a toll-free number, and records the opt-out', async () => {
    const phone = handset();
    await handsetText(stack.emulatorUrl!, phone, TOLL_FREE, 'hi');
    await expectInbox(phone, ['#1: hi']);
    await handsetText(stack.emulatorUrl!, phone, TOLL_FREE, 'STOP');
    const messages = await eventually(async () => {
      const all = await inbox(phone);
      assert.equal(all.length, 3, JSON.stringify(all.map((m) => [m.text, m.status])));
      assert.ok(all.every((m) => m.status === 'DELIVERED' || m.status === 'FAILED'));
      return all;
    });
    assert.ok(
      messages.some((m) => m.fromNetwork && /NETWORK MSG/.test(m.text)),
      'the network answered',
    );
    const ours = messages.find((m) => m.text === replies.optOut);
    assert.equal(ours?.status, 'FAILED', 'the network blocks even the confirmation (4775)');
    await eventually(async () => {
      const ledger = await optOuts(`number:${TOLL_FREE}`, phone);
      assert.equal(ledger.optedOut, true);
      assert.deepEqual(ledger.history.map((c) => c.source).sort(), ['bandwidth-4775', 'keyword']);
    });
    await handsetText(stack.emulatorUrl!, phone, TOLL_FREE, 'UNSTOP');
    await eventually(async () => {
      const all = await inbox(phone);
      assert.ok(
        all.some((m) => m.text === replies.optIn && m.status === 'DELIVERED'),
        'opted back in, both sides',
      );
    });
  });

  it('sends exactly one confirmation when STOP races the bot’s reply, and nothing after it', async () => {
    const phone = handset();
    await Promise.all([
      handsetText(stack.emulatorUrl!, phone, LOCAL, 'hi'),
      handsetText(stack.emulatorUrl!, phone, LOCAL, 'STOP'),
    ]);
    const messages = await eventually(async () => {
      const all = await inbox(phone);
      assert.ok(all.some((m) => m.text === replies.optOut));
      assert.ok(all.every((m) => m.status === 'DELIVERED' || m.status === 'FAILED'));
      return all;
    });
    const texts = messages.map((m) => m.text);
    assert.equal(texts.filter((t) => t === replies.optOut).length, 1, JSON.stringify(texts));
    assert.ok(
      texts.every((t) => t === replies.optOut || t === '#1: hi'),
      JSON.stringify(texts),
    );
    // A text after the STOP starts a conversation whose reply the ledger stops.
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'are you there?');
    await eventually(async () => {
      const records = await fetch(
        `${stack.serverUrl}/api/v1/records?participant=${encodeURIComponent(phone)}&direction=in&limit=100`,
        { headers: { authorization: `Bearer ${stack.operatorToken}` } },
      );
      const body = (await records.json()) as { records: { text: string | null }[] };
      assert.ok(
        body.records.some((r) => r.text === 'are you there?'),
        'the text arrived and was recorded',
      );
    });
    assert.deepEqual(
      (await expectInbox(phone, texts)).map((m) => m.text),
      texts,
    );
  });

  it('refuses an operator’s proactive start to a number that opted out', async () => {
    const phone = handset();
    await handsetText(stack.emulatorUrl!, phone, LOCAL, 'STOP');
    await expectInbox(phone, [replies.optOut]);
    const response = await fetch(`${stack.serverUrl}/api/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ourNumber: LOCAL,
        participants: [phone],
        bot: 'appointmentReminderBot',
        opening: { text: 'Reminder' },
      }),
    });
    assert.equal(response.status, 409);
    const body = (await response.json()) as { type: string; optedOut: string[] };
    assert.deepEqual([body.type, body.optedOut], ['opted-out', [phone]]);
  });
});
