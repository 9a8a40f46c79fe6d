import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeErrorCode, ERROR_CODES, isKnownErrorCode, lookupErrorCode } from '../../bandwidth/error-codes';

void describe('error code table', () => {
  void it('holds every code of reference §4 once, with a name and a description', () => {
    const codes = ERROR_CODES.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    // 30 Bandwidth client errors + 4470, 27 carrier client errors, 11 + 5 service failures, 2 ambiguous.
    assert.equal(codes.length, 76);
    for (const e of ERROR_CODES) {
      assert.ok(e.name.length > 0 && e.description.length > 0, String(e.code));
    }
    for (const code of [
      4001, 4360, 4406, 4435, 4452, 4470, 4493, 4700, 4720, 4775, 4795, 5100, 5999, 5650, 9902, 9999,
    ]) {
      assert.ok(isKnownErrorCode(code), String(code));
    }
  });

  void it('records who reports a code and whether it is billable', () => {
    assert.deepEqual([lookupErrorCode(4406)?.source, lookupErrorCode(4406)?.billable], ['bandwidth', false]);
    assert.deepEqual([lookupErrorCode(4470)?.billable], [true]);
    assert.deepEqual([lookupErrorCode(4720)?.source, lookupErrorCode(4720)?.billable], ['carrier', true]);
    assert.equal(lookupErrorCode(5100)?.billable, false);
    assert.equal(lookupErrorCode(5600)?.billable, true);
  });

  void it('categorises codes for typed delivery failures', () => {
    assert.equal(describeErrorCode(4775).category, 'opted-out');
    assert.equal(describeErrorCode(4409).category, 'mms-unsupported');
    assert.equal(describeErrorCode(4700).category, 'mms-unsupported');
    assert.equal(describeErrorCode(9902).category, 'ambiguous');
    assert.equal(describeErrorCode(5620).category, 'transient');
    assert.equal(describeErrorCode(4785).category, 'transient');
    assert.equal(describeErrorCode(4406).category, 'permanent');
    assert.deepEqual(describeErrorCode(4720), {
      code: 4720,
      name: 'invalid-destination-address',
      description: lookupErrorCode(4720)!.description,
      category: 'permanent',
      invalidNumber: true,
      mmsFallback: false,
      optedOut: false,
      retryable: false,
    });
  });

  void it('flags the codes the runtime acts on, from the table alone', () => {
    const flagged = (flag: 'invalidNumber' | 'mmsFallback' | 'optedOut' | 'retryable') =>
      ERROR_CODES.filter((e) => e[flag]).map((e) => e.code);
    assert.deepEqual(flagged('invalidNumber'), [4303, 4350, 4404, 4406, 4408, 4720, 4721]);
    assert.deepEqual(flagged('mmsFallback'), [4409, 4410, 4411, 4412, 4700, 4711, 4712]);
    assert.deepEqual(flagged('optedOut'), [4775]);
    assert.ok(flagged('retryable').includes(4702) && flagged('retryable').includes(5620));
    assert.ok(!flagged('retryable').includes(4720), 'an invalid number is never worth retrying');
    assert.equal(describeErrorCode(5777).retryable, true, 'an unknown 5xxx code is retryable by the scheme');
  });

  void it('falls back on the numbering scheme for unknown codes', () => {
    assert.equal(describeErrorCode(4999).category, 'permanent');
    assert.equal(describeErrorCode(5777).category, 'transient');
    assert.equal(describeErrorCode(123).category, 'ambiguous');
    assert.equal(describeErrorCode(4999).name, 'unknown-error');
  });
});
