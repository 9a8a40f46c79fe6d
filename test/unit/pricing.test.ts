/**
 * What a message costs: the price table from `THREADLINE_PRICE_TABLE` (inline or a file, with errors that name what is
 * wrong), the prices of messages received, accepted and surcharged, a conversation's usage, and the segment budget
 * `say` holds a bot's texts to.
 */
import { configProblems } from '../helpers/config-problems';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig } from '../../config/env';
import { DEFAULT_PRICE_TABLE, PriceTableSchema } from '../../billing/price-table';
import { inboundCost, outboundCost, surchargeCost } from '../../billing/message-cost';
import { formatCost, usageOf } from '../../billing/usage';
import {
  checkSegmentBudget,
  isSegmentBudgetExceeded,
  SEGMENT_BUDGET_EXCEEDED,
  type SegmentBudgetExcess,
} from '../../workflows/segment-budget';

const ALICE = '+19195550123';
const BOB = '+19195550124';
const TABLE = PriceTableSchema.parse({
  currency: 'EUR',
  outbound: { smsSegment: 0.01, mms: 0.05 },
  inbound: { smsSegment: 0.002, mms: 0.01 },
  carrierSurcharges: { 'AT&T': { smsSegment: 0.003, mms: 0.004 } },
});

const problemsOf = configProblems;

describe('the price of a message', () => {
  it('charges an SMS per segment, an MMS once, and a group message once per recipient', () => {
    assert.deepEqual(outboundCost(TABLE, { to: [ALICE], segmentCount: 3 }), { cost: 0.03, currency: 'EUR' });
    assert.deepEqual(outboundCost(TABLE, { to: [ALICE], media: ['https://x/a.jpg'], segmentCount: 1 }), {
      cost: 0.05,
      currency: 'EUR',
    });
    assert.deepEqual(outboundCost(TABLE, { to: [ALICE, BOB], segmentCount: 1 }), { cost: 0.1, currency: 'EUR' });
    assert.deepEqual(inboundCost(TABLE, { to: ['+19195550100'], segmentCount: 2 }), { cost: 0.004, currency: 'EUR' });
  });

  it('adds a carrier surcharge only for a carrier the table names, whatever its case or URL-encoding', () => {
    const sms = { to: [ALICE], segmentCount: 2 };
    assert.deepEqual(surchargeCost(TABLE, sms, 'AT%26T'), { cost: 0.006, currency: 'EUR' });
    assert.deepEqual(surchargeCost(TABLE, sms, 'at&t'), { cost: 0.006, currency: 'EUR' });
    assert.equal(surchargeCost(TABLE, sms, 'Verizon Wireless'), null);
    assert.equal(surchargeCost(TABLE, sms, undefined), null);
  });

  it('sums a conversation without floating-point drift, leaving out sends Bandwidth never took', () => {
    const lines = Array.from({ length: 10 }, () => ({
      direction: 'out' as const,
      segmentCount: 1,
      status: 'delivered',
      cost: 0.1,
      currency: 'USD',
    }));
    const usage = usageOf([
      ...lines,
      { direction: 'in', segmentCount: 2, status: 'received', cost: 0.2, currency: 'USD' },
      { direction: 'out', segmentCount: null, status: 'send-failed' },
    ]);
    assert.deepEqual(usage, { messages: { in: 1, out: 10 }, segments: { in: 2, out: 10 }, cost: { USD: 1.2 } });
    assert.equal(formatCost(usage.cost), '1.2 USD');
  });
});

describe('THREADLINE_PRICE_TABLE', () => {
  it('defaults to the illustrative list prices', () => {
    assert.deepEqual(loadConfig({}).prices, DEFAULT_PRICE_TABLE);
  });

  it('reads inline JSON, filling in what it leaves out', () => {
    const { prices } = loadConfig({ THREADLINE_PRICE_TABLE: '{"outbound":{"smsSegment":0.005,"mms":0.02}}' });
    assert.deepEqual(prices, {
      currency: 'USD',
      outbound: { smsSegment: 0.005, mms: 0.02 },
      inbound: { smsSegment: 0, mms: 0 },
      carrierSurcharges: {},
    });
  });

  it('reads a JSON file named by its path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-prices-'));
    try {
      const file = path.join(dir, 'prices.json');
      fs.writeFileSync(file, JSON.stringify(TABLE));
      assert.deepEqual(loadConfig({ THREADLINE_PRICE_TABLE: file }).prices, TABLE);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which field is wrong, or that the file is missing or not JSON', () => {
    assert.match(
      problemsOf({ THREADLINE_PRICE_TABLE: '{"outbound":{"smsSegment":-1,"mms":0.02}}' }),
      /THREADLINE_PRICE_TABLE\.outbound\.smsSegment: .*>=0/,
    );
    assert.match(
      problemsOf({ THREADLINE_PRICE_TABLE: '{"currency":"dollars","outbound":{"smsSegment":1,"mms":1}}' }),
      /THREADLINE_PRICE_TABLE\.currency: an ISO 4217 code such as USD/,
    );
    assert.match(
      problemsOf({ THREADLINE_PRICE_TABLE: '{"outbound":{"smsSegment":1,"mms":1},"extra":1}' }),
      /THREADLINE_PRICE_TABLE: .*extra/,
    );
    assert.match(
      problemsOf({ THREADLINE_PRICE_TABLE: '{"outbound":' }),
      /THREADLINE_PRICE_TABLE: must be a JSON price table/,
    );
    assert.match(
      problemsOf({ THREADLINE_PRICE_TABLE: '/nonexistent/prices.json' }),
      /THREADLINE_PRICE_TABLE: neither inline JSON .* \/nonexistent\/prices\.json: there is no such file/,
    );
  });
});

describe('the segment budget of a text', () => {
  const curly = 'Your table is ready – see you soon’';

  it('lets a text within the budget go, and names what puts one over it when it only warns', () => {
    assert.equal(checkSegmentBudget('Your table is ready', { perMessage: 1, encoding: 'gsm7-only' }), null);
    assert.equal(checkSegmentBudget(curly, false), null);
    assert.match(checkSegmentBudget(curly, { encoding: 'gsm7-only' }) ?? '', /needs UCS-2 because of "–", "’"/);
    assert.match(
      checkSegmentBudget('x'.repeat(161), { perMessage: 1 }) ?? '',
      /takes 2 segments \(GSM-7\), more than the 1/,
    );
  });

  it('refuses a text over a refusing budget with a SegmentBudgetExceeded failure that says why', () => {
    assert.throws(
      () => checkSegmentBudget(`${curly}!`.repeat(3), { perMessage: 1, encoding: 'gsm7-only', onExceed: 'refuse' }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.ok(isSegmentBudgetExceeded(err));
        assert.equal(err.type, SEGMENT_BUDGET_EXCEEDED);
        assert.equal(err.nonRetryable, true);
        const excess = err.details?.[0] as SegmentBudgetExcess;
        assert.deepEqual([excess.segments, excess.encoding, excess.ucs2Characters], [2, 'UCS-2', ['–', '’']]);
        assert.match(err.message, /Nothing was sent/);
        return true;
      },
    );
  });
});
