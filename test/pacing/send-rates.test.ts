/**
 * Sending rates in configuration (`THREADLINE_SEND_RATES`): what a deployment writes, what each send is held to, and
 * how many units of a rate one message uses.
 */
import { configProblems } from '../helpers/config-problems';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/env';
import { NO_SEND_RATES, rateEntries, sendLimitsFor, sendUnits, type SendRates } from '../../pacing/send-rates';

const problemsOf = (rates: string) => configProblems({ THREADLINE_SEND_RATES: rates });

const EXAMPLE: SendRates = {
  numbers: { '+19195550100': { unit: 'message', perSecond: 5 } },
  campaigns: { CABC123: { unit: 'segment', perSecond: 12, numbers: ['+19195550101', '+19195550102'] } },
  account: { unit: 'segment', perSecond: 30 },
};

describe('sending rates in configuration', () => {
  it('are none unless set: every send goes straight to Bandwidth', () => {
    assert.deepEqual(loadConfig({}).sendRates, NO_SEND_RATES);
    assert.deepEqual(loadConfig({ THREADLINE_SEND_RATES: '' }).sendRates, NO_SEND_RATES);
  });

  it('read a number in messages per second, a campaign and the account in segments per second', () => {
    const config = loadConfig({
      THREADLINE_SEND_RATES: JSON.stringify({
        '+19195550100': { messagesPerSecond: 5 },
        'campaign:CABC123': { segmentsPerSecond: 12, numbers: ['+19195550101', '+19195550102'] },
        account: { segmentsPerSecond: 30 },
      }),
    });
    assert.deepEqual(config.sendRates, EXAMPLE);
  });

  it('say which key and what is wrong with it', () => {
    assert.match(problemsOf('{"+1919": {"messagesPerSecond": 5}, "+19195550100": 5}'), /THREADLINE_SEND_RATES/);
    assert.match(
      problemsOf('{"919-555-0100": {"messagesPerSecond": 5}}'),
      /"919-555-0100" is none of: one of our numbers in E\.164 \(\+19195550100\), campaign:<campaign id>, account/,
    );
    assert.match(
      problemsOf('{"account": {"messagesPerSecond": 5, "segmentsPerSecond": 9}}'),
      /give exactly one of messagesPerSecond or segmentsPerSecond/,
    );
    assert.match(problemsOf('{"account": {}}'), /give exactly one of messagesPerSecond or segmentsPerSecond/);
    assert.match(problemsOf('{"account": {"messagesPerSecond": 0}}'), /must be above 0/);
    assert.match(problemsOf('{"campaign:C1": {"segmentsPerSecond": 3}}'), /a campaign needs "numbers"/);
    assert.match(
      problemsOf('{"+19195550100": {"messagesPerSecond": 1, "numbers": ["+19195550101"]}}'),
      /only a campaign takes "numbers"/,
    );
    assert.match(problemsOf('{"account": {"mps": 5, "messagesPerSecond": 1}}'), /mps/);
    assert.match(problemsOf('5 per second'), /must be a JSON object such as/);
  });
});

describe('the rates a send is held to', () => {
  it('are its number’s, its campaign’s and the account’s, most specific first, each on its own task queue', () => {
    assert.deepEqual(sendLimitsFor(EXAMPLE, 'threadline', '+19195550101'), [
      { key: 'campaign:CABC123', taskQueue: 'threadline.send.campaign:CABC123', unit: 'segment' },
      { key: 'account', taskQueue: 'threadline.send.account', unit: 'segment' },
    ]);
    assert.deepEqual(
      sendLimitsFor(EXAMPLE, 'threadline', '+19195550100').map((l) => l.taskQueue),
      ['threadline.send.+19195550100', 'threadline.send.account'],
    );
  });

  it('are none for a number no rate covers', () => {
    assert.deepEqual(sendLimitsFor({ ...EXAMPLE, account: null }, 'threadline', '+19195550199'), []);
  });

  it('each have a worker: one per configured rate', () => {
    assert.deepEqual(
      rateEntries(EXAMPLE).map((e) => [e.key, e.rate.perSecond]),
      [
        ['+19195550100', 5],
        ['campaign:CABC123', 12],
        ['account', 30],
      ],
    );
  });
});

describe('the units of a rate one message uses', () => {
  const one = ['+19195550123'];
  const three = ['+19195550123', '+19195550124', '+19195550125'];

  it('are one per recipient for a message rate, however long the text', () => {
    assert.equal(sendUnits('message', { to: one, segments: 4, mms: false }), 1);
    assert.equal(sendUnits('message', { to: three, segments: 1, mms: false }), 3);
  });

  it('are one per segment for a segment rate, and one per recipient for an MMS or a group message', () => {
    assert.equal(sendUnits('segment', { to: one, segments: 4, mms: false }), 4);
    assert.equal(sendUnits('segment', { to: one, segments: 1, mms: true }), 1);
    assert.equal(sendUnits('segment', { to: three, segments: 1, mms: false }), 3);
  });
});
