import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeTime, recordFromCallback, recordFromSend, recordKey, type MessageRecordInput } from '../../records';
import { csvField } from '../../records/csv';
import { decodeCursor, encodeCursor } from '../../records/query';
import { redactText } from '../../records/privacy';
import {
  ALICE,
  BOB,
  deliveredBody,
  failedBody,
  groupSendingBody,
  inboundBody,
  inboundGroupBody,
  OUR_NUMBER,
  OUR_OTHER_NUMBER,
  parseBody,
  readBody,
  sentBody,
} from './helpers/bandwidth-examples';

const ctx = { conversationId: 'sms:+19195550100:+19195550123' };
const one = (body: unknown[], context: Parameters<typeof recordFromCallback>[1] = ctx): MessageRecordInput =>
  recordFromCallback(parseBody(body)[0]!, context);

void describe('recordFromCallback', () => {
  void it('maps an inbound SMS to an inbound record from the customer to our number', () => {
    const record = one(inboundBody);
    assert.deepEqual(
      { ...record, raw: undefined },
      {
        kind: 'inbound',
        messageId: '1718900700000z9x8c7v6b5n4m3l2',
        eventType: 'message-received',
        direction: 'in',
        ourNumber: OUR_NUMBER,
        participants: [ALICE],
        from: ALICE,
        to: [OUR_NUMBER],
        recipient: null,
        text: 'STOP',
        media: [],
        segmentCount: 1,
        errorCode: null,
        description: 'Incoming message received',
        conversationId: ctx.conversationId,
        tag: null,
        eventTime: '2025-06-20T16:25:00.512000Z',
        raw: undefined,
      },
    );
    assert.deepEqual(record.raw, inboundBody[0]);
    assert.equal(recordKey(record), 'in:1718900700000z9x8c7v6b5n4m3l2:+19195550100');
  });

  void it('gives each of our numbers in an inbound group its own record, with the whole group as participants', () => {
    const [first, second] = parseBody(inboundGroupBody).map((e) => recordFromCallback(e, ctx));
    assert.equal(first!.ourNumber, OUR_NUMBER);
    assert.equal(second!.ourNumber, OUR_OTHER_NUMBER);
    assert.deepEqual(first!.participants, [ALICE, OUR_OTHER_NUMBER, '+19195550177']);
    assert.deepEqual(second!.participants, [ALICE, OUR_NUMBER, '+19195550177']);
    assert.equal(first!.media.length, 1);
    assert.notEqual(recordKey(first!), recordKey(second!));
  });

  void it('maps a delivery receipt to a status record about its recipient, without text', () => {
    const record = one(deliveredBody);
    assert.equal(record.kind, 'status');
    assert.equal(record.eventType, 'message-delivered');
    assert.equal(record.direction, 'out');
    assert.equal(record.ourNumber, OUR_NUMBER);
    assert.equal(record.recipient, ALICE);
    assert.deepEqual(record.participants, [ALICE]);
    assert.equal(record.text, null);
    assert.equal(record.tag, 'order-42');
    assert.equal(record.errorCode, null);
    assert.equal(recordKey(record), 'st:1718900000000k3j2h4g5f6d7s8a9:message-delivered:+19195550123');
  });

  void it('keeps the error code and description of a failure', () => {
    const record = one(failedBody);
    assert.equal(record.eventType, 'message-failed');
    assert.equal(record.errorCode, 4406);
    assert.equal(record.description, 'rejected-unallocated-to-number');
    assert.equal(record.recipient, '+19195550199');
  });

  void it('keys group status events by recipient and event type, and keeps microseconds', () => {
    const [a, b] = parseBody(groupSendingBody).map((e) => recordFromCallback(e, ctx));
    assert.deepEqual([a!.recipient, b!.recipient], [ALICE, BOB]);
    assert.deepEqual(a!.participants, [ALICE, BOB]);
    assert.notEqual(recordKey(a!), recordKey(b!));
    const sent = one(sentBody);
    assert.equal(sent.eventTime, '2025-06-20T16:13:21.160544Z');
    assert.notEqual(recordKey(sent), recordKey(one(deliveredBody)));
  });

  void it('records an unknown callback type as other, telling our side from its direction', () => {
    const record = one(readBody, { conversationId: null });
    assert.equal(record.kind, 'other');
    assert.equal(record.eventType, 'message-read');
    assert.equal(record.messageId, '1718900000000k3j2h4g5f6d7s8a9');
    assert.equal(record.direction, 'out');
    assert.equal(record.ourNumber, OUR_NUMBER);
    assert.equal(record.recipient, ALICE);
    assert.deepEqual(record.participants, [ALICE]);
    assert.match(recordKey(record), /^ot:[A-Za-z0-9_-]{43}$/);
    // The key is a hash of the event's content: the same event parsed again gets the same key, another event not.
    assert.equal(recordKey(one(readBody, { conversationId: null })), recordKey(record));
    const later = [{ ...readBody[0], time: '2025-06-20T16:15:00.000Z' }];
    assert.notEqual(recordKey(one(later, { conversationId: null })), recordKey(record));
  });

  void it('uses our numbers to place an unknown event that has no direction, and the arrival time if it has no time', () => {
    const body = [{ type: 'suggestion-response', to: OUR_NUMBER, message: { id: 'rbm-1', from: ALICE } }];
    const record = one(body, { conversationId: null, ourNumbers: [OUR_NUMBER], receivedAt: '2025-06-20T17:00:00Z' });
    assert.equal(record.direction, 'in');
    assert.equal(record.ourNumber, OUR_NUMBER);
    assert.deepEqual(record.participants, [ALICE]);
    assert.equal(record.eventTime, '2025-06-20T17:00:00.000000Z');
    const bare = one([{ type: 'something-new' }], { conversationId: null });
    assert.equal(bare.messageId, null);
    assert.equal(bare.direction, null);
    assert.match(bare.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });
});

void describe('recordFromSend', () => {
  void it('maps an accepted send to an outbound record keyed by its message id', () => {
    const record = recordFromSend({
      messageId: '1718900000000k3j2h4g5f6d7s8a9',
      from: OUR_NUMBER,
      to: [ALICE, BOB],
      text: 'Hi both',
      media: ['https://example.com/a.png'],
      segmentCount: 1,
      tag: 'greeting',
      conversationId: 'group-1',
      time: '2025-06-20T16:13:20Z',
    });
    assert.equal(record.kind, 'outbound');
    assert.equal(record.eventType, 'send-accepted');
    assert.equal(record.direction, 'out');
    assert.equal(record.ourNumber, OUR_NUMBER);
    assert.deepEqual(record.participants, [ALICE, BOB]);
    assert.equal(record.text, 'Hi both');
    assert.equal(record.eventTime, '2025-06-20T16:13:20.000000Z');
    assert.equal(recordKey(record), 'out:1718900000000k3j2h4g5f6d7s8a9');
  });

  void it('refuses a send without a valid time', () => {
    assert.throws(
      () => recordFromSend({ messageId: 'x', from: OUR_NUMBER, to: [ALICE], conversationId: null, time: 'now' }),
      RangeError,
    );
  });
});

void describe('normalizeTime', () => {
  void it('normalises to UTC with six fractional digits', () => {
    const cases: [string, string | null][] = [
      ['2025-06-20T16:13:21.480Z', '2025-06-20T16:13:21.480000Z'],
      ['2024-09-14T18:20:17.160544Z', '2024-09-14T18:20:17.160544Z'],
      ['2016-09-14T18:20:16Z', '2016-09-14T18:20:16.000000Z'],
      ['2025-06-20T16:13:21.1234567891Z', '2025-06-20T16:13:21.123456Z'],
      ['2025-06-20T18:13:21.5+02:00', '2025-06-20T16:13:21.500000Z'],
      ['2025-01-01T00:30:00-0100', '2025-01-01T01:30:00.000000Z'],
      ['2025-12-31T23:30:00-01:00', '2026-01-01T00:30:00.000000Z'],
      ['2025-06-20', '2025-06-20T00:00:00.000000Z'],
      ['2025-06-20T16:13', '2025-06-20T16:13:00.000000Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000000Z'],
      ['0099-06-20T00:00:00Z', '0099-06-20T00:00:00.000000Z'],
      ['2025-02-29T00:00:00Z', null],
      ['2025-06-20T24:00:00Z', null],
      ['yesterday', null],
      ['', null],
      ['1750435200000', null],
    ];
    for (const [input, want] of cases) assert.equal(normalizeTime(input), want, input);
  });
});

void describe('recordKey', () => {
  void it('falls back to a content hash for a record without a message id', () => {
    const base: MessageRecordInput = { ...one(inboundBody), messageId: null };
    assert.match(recordKey(base), /^ot:/);
    assert.equal(recordKey({ ...base }), recordKey(base));
    assert.notEqual(recordKey({ ...base, raw: { other: true } }), recordKey(base));
  });

  void it('hashes raw events regardless of key order', () => {
    const a = { ...one(readBody, { conversationId: null }), raw: { a: 1, b: { c: 2, d: 3 } } };
    const b = { ...a, raw: { b: { d: 3, c: 2 }, a: 1 } };
    assert.equal(recordKey(a), recordKey(b));
  });
});

void describe('privacy', () => {
  void it('drops the text and every content field of the raw message, keeping the rest', () => {
    const record = one([
      {
        ...inboundBody[0],
        message: { ...inboundBody[0]!.message, content: { x: 1 }, suggestionResponse: { text: 'y' } },
      },
    ]);
    const redacted = redactText(record);
    assert.equal(redacted.text, null);
    const raw = redacted.raw as { message: Record<string, unknown>; to: string };
    assert.deepEqual(Object.keys(raw.message).sort(), [
      'applicationId',
      'direction',
      'from',
      'id',
      'owner',
      'segmentCount',
      'time',
      'to',
    ]);
    assert.equal(raw.to, OUR_NUMBER);
    assert.equal((record.raw as { message: { text: string } }).message.text, 'STOP', 'the input is not mutated');
  });
});

void describe('CSV fields and cursors', () => {
  void it('quotes only fields that need it and doubles quotes inside', () => {
    assert.equal(csvField(null), '');
    assert.equal(csvField(42), '42');
    assert.equal(csvField('+19195550123'), '+19195550123');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\r'), '"cr\r"');
    assert.equal(csvField(' padded '), '" padded "');
    assert.equal(csvField('emoji 😀'), 'emoji 😀');
  });

  void it('round-trips a cursor and rejects a tampered one', () => {
    const cursor = { eventTime: '2025-06-20T16:13:21.160544Z', seq: 42 };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
    assert.throws(() => decodeCursor(encodeCursor({ eventTime: '2025-06-20T16:13:21Z', seq: 1 })));
    assert.throws(() => decodeCursor(encodeCursor({ ...cursor, seq: 1.5 })));
    assert.throws(() => decodeCursor('%%%'));
  });
});
