/**
 * The quiet-hours activity's window math, at fixed instants: each recipient's zones from their number (or the zone
 * set for them), the window open in every zone at once, daylight-saving days, and the fallbacks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { createSendWindowActivities, nextSendWindowAt, type NextSendWindowInput } from '../../activities';
import { instantAt, nextAt } from '../../activities/local-time';

const OURS = '+19195550100'; // Raleigh: America/New_York
const NEW_YORK = '+12125550123';
const HONOLULU = '+18085550123';
const BOISE_OR_LOS_ANGELES = '+12085550123'; // area code 208 spans the Mountain and Pacific zones
const DEFAULT = { from: '08:00', to: '21:00' };

function ask(now: string, recipients: string[], more: Partial<NextSendWindowInput> = {}) {
  return nextSendWindowAt({ recipients, ourNumber: OURS, window: DEFAULT, timeZones: {}, now, ...more });
}

describe('the send window', () => {
  it('is open at noon in New York, until 21:00 there', async () => {
    const answer = await ask('2026-12-01T17:00:00.000Z', [NEW_YORK]);
    assert.deepEqual(
      [answer.openNow, answer.opensAt, answer.closesAt, answer.zones],
      [true, '2026-12-01T17:00:00.000Z', '2026-12-02T02:00:00.000Z', { [NEW_YORK]: ['America/New_York'] }],
    );
  });

  it('opens at 08:00 the next morning when it is 22:00 in New York', async () => {
    const answer = await ask('2026-12-02T03:00:00.000Z', [NEW_YORK]);
    assert.deepEqual(
      [answer.openNow, answer.opensAt, answer.closesAt, answer.opensAtLocal],
      [false, '2026-12-02T13:00:00.000Z', '2026-12-03T02:00:00.000Z', '2026-12-02 08:00 America/New_York'],
    );
  });

  it('is open in Honolulu at the same instant (17:00 there)', async () => {
    const answer = await ask('2026-12-02T03:00:00.000Z', [HONOLULU]);
    assert.equal(answer.openNow, true);
    assert.deepEqual(answer.zones, { [HONOLULU]: ['Pacific/Honolulu'] });
  });

  it('opens for a group when it is open for everyone: 08:00 in Honolulu, closing at 21:00 in New York', async () => {
    const answer = await ask('2026-12-02T03:00:00.000Z', [NEW_YORK, HONOLULU]);
    assert.deepEqual(
      [answer.openNow, answer.opensAt, answer.closesAt, answer.opensAtLocal],
      [false, '2026-12-02T18:00:00.000Z', '2026-12-03T02:00:00.000Z', '2026-12-02 08:00 Pacific/Honolulu'],
    );
  });

  it('takes a number that may be in two zones to be in both: 08:30 in Boise but 07:30 in Los Angeles is closed', async () => {
    const answer = await ask('2026-12-01T15:30:00.000Z', [BOISE_OR_LOS_ANGELES]);
    assert.deepEqual(answer.zones, { [BOISE_OR_LOS_ANGELES]: ['America/Boise', 'America/Los_Angeles'] });
    assert.deepEqual(
      [answer.openNow, answer.opensAt, answer.closesAt, answer.opensAtLocal],
      [false, '2026-12-01T16:00:00.000Z', '2026-12-02T04:00:00.000Z', '2026-12-01 08:00 America/Los_Angeles'],
    );
  });

  it('follows the clocks on the night they go back: 08:00 on 1 November 2026 in New York is 13:00 UTC, not 12:00', async () => {
    const answer = await ask('2026-11-01T02:00:00.000Z', [NEW_YORK]); // 22:00 EDT on 31 October
    assert.equal(answer.opensAt, '2026-11-01T13:00:00.000Z');
  });

  it('opens at the jump when the clocks go forward over its start (02:30 on 8 March 2026 never happens)', async () => {
    const answer = await ask('2026-03-08T06:00:00.000Z', [NEW_YORK], { window: { from: '02:30', to: '05:00' } });
    assert.deepEqual(
      [answer.opensAt, answer.opensAtLocal],
      ['2026-03-08T07:00:00.000Z', '2026-03-08 03:00 America/New_York'],
    );
  });

  it('uses a zone set for the contact instead of the number’s', async () => {
    const answer = await ask('2026-12-02T03:00:00.000Z', [NEW_YORK], {
      timeZones: { [NEW_YORK]: 'America/Los_Angeles' },
    });
    assert.deepEqual([answer.openNow, answer.zones], [true, { [NEW_YORK]: ['America/Los_Angeles'] }]);
  });

  it('ignores, and reports, a zone set for the contact that the runtime does not know', async () => {
    const answer = await ask('2026-12-02T03:00:00.000Z', [NEW_YORK], {
      timeZones: { [NEW_YORK]: 'Mars/Olympus_Mons' },
    });
    assert.deepEqual(
      [answer.openNow, answer.zones, answer.ignoredTimeZones],
      [false, { [NEW_YORK]: ['America/New_York'] }, ['Mars/Olympus_Mons']],
    );
  });

  it('takes a number without a known zone to be where our number is', async () => {
    const satellite = '+881612345678'; // a global satellite number: no zone
    const answer = await ask('2026-12-02T03:00:00.000Z', [satellite]);
    assert.deepEqual([answer.openNow, answer.zones], [false, { [satellite]: ['America/New_York'] }]);
  });

  it('falls back to our number’s zone when the number’s zones never share an open hour (a toll-free number)', async () => {
    const tollFree = '+18005550123'; // anywhere from Guam to Newfoundland
    const answer = await ask('2026-12-02T03:00:00.000Z', [tollFree], { window: { from: '09:00', to: '17:00' } });
    assert.ok(answer.zones[tollFree]!.length > 30);
    assert.deepEqual(
      [answer.opensAt, answer.opensAtLocal],
      ['2026-12-02T14:00:00.000Z', '2026-12-02 09:00 America/New_York'],
    );
  });

  it('is always open when the worker ignores quiet hours', async () => {
    const activities = createSendWindowActivities({ quietHours: 'ignore' });
    const answer = await activities.nextSendWindow({
      recipients: [NEW_YORK],
      ourNumber: OURS,
      window: DEFAULT,
      timeZones: {},
      now: '2026-12-02T03:00:00.000Z',
    });
    assert.equal(answer.openNow, true);
  });

  it('refuses a window that closes before it opens, without a retry', async () => {
    const activities = createSendWindowActivities();
    await assert.rejects(
      activities.nextSendWindow({
        recipients: [NEW_YORK],
        ourNumber: OURS,
        window: { from: '21:00', to: '08:00' },
        timeZones: {},
        now: '2026-12-02T03:00:00.000Z',
      }),
      (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && err.type === 'InvalidArgument',
    );
  });
});

describe('local time', () => {
  it('finds the instant a clock in a zone reads a time, and the next such instant', () => {
    const eight = 8 * 60;
    assert.equal(
      new Date(instantAt({ year: 2026, month: 7, day: 1 }, eight, 'America/Chicago')).toISOString(),
      '2026-07-01T13:00:00.000Z',
    );
    assert.equal(
      new Date(nextAt(Date.parse('2026-07-01T13:00:00.000Z'), eight, 'America/Chicago')).toISOString(),
      '2026-07-02T13:00:00.000Z',
    );
    assert.equal(
      new Date(nextAt(Date.parse('2026-12-31T20:00:00.000Z'), eight, 'Asia/Kolkata')).toISOString(),
      '2027-01-01T02:30:00.000Z',
    );
  });
});
