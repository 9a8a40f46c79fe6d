/**
 * The chaos run counts, besides what each handset received, the answers the message records do not hold: Threadline
 * keeps every message it sent, also when the worker that sent one was SIGKILLed before recording it. Here the count
 * itself, against the emulator: a handset holds one answer, and the records either hold it or not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countUnrecorded, noInboxes } from '../../chaos/handsets';
import { createBandwidthClient } from '../../bandwidth/client';
import { DEFAULTS, startEmulator, type Running } from '../emulator/helpers';
import { handsetInbox } from '../helpers/handsets';

const PHONE = '+19196550001';
const ANSWER = '#1: m1';

describe('answers missing from the records', () => {
  let running: Running;

  before(async () => {
    running = await startEmulator();
    const bandwidth = createBandwidthClient({
      baseUrl: `${running.url}/api/v2`,
      accountId: DEFAULTS.accountId,
      auth: { kind: 'basic', username: DEFAULTS.username!, password: DEFAULTS.password! },
    });
    await bandwidth.createMessage({
      applicationId: DEFAULTS.applicationId,
      from: DEFAULTS.number,
      to: [PHONE],
      text: ANSWER,
    });
    while (!(await handsetInbox(running.url, PHONE)).some((m) => m.text === ANSWER)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  after(async () => {
    await running?.close();
  });

  it('counts an answer the handset got and the records lack, naming it', async () => {
    const count = noInboxes();
    await countUnrecorded(running.url, [PHONE], () => Promise.resolve(new Set()), count);
    assert.equal(count.unrecorded, 1);
    assert.match(count.findings[0] ?? '', /\+19196550001 got "#1: m1", which the records do not hold/);
  });

  it('counts nothing when the records hold every answer', async () => {
    const count = noInboxes();
    await countUnrecorded(running.url, [PHONE], () => Promise.resolve(new Set([ANSWER])), count);
    assert.equal(count.unrecorded, 0);
    assert.deepEqual(count.findings, []);
  });
});
