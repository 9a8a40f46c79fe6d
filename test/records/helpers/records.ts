/** Builders of record inputs for store tests. Deterministic: the same arguments always build the same record. */
import type { MessageRecordInput, RecordKind } from '../../../records';

export const NUMBERS = {
  ours: ['+19195550100', '+19195550101'],
  others: ['+19195550123', '+19195550124', '+19195550125'],
};

export function conversationIdOf(ourNumber: string, participant: string): string {
  return `sms:${ourNumber}:${participant}`;
}

export function makeRecord(overrides: Partial<MessageRecordInput> = {}): MessageRecordInput {
  return {
    kind: 'inbound',
    messageId: 'msg-1',
    eventType: 'message-received',
    direction: 'in',
    ourNumber: '+19195550100',
    participants: ['+19195550123'],
    from: '+19195550123',
    to: ['+19195550100'],
    recipient: null,
    text: 'hello',
    media: [],
    segmentCount: 1,
    errorCode: null,
    description: 'Incoming message received',
    conversationId: 'sms:+19195550100:+19195550123',
    tag: null,
    eventTime: '2025-06-20T16:00:00.000Z',
    raw: { type: 'message-received', message: { id: 'msg-1', text: 'hello' } },
    ...overrides,
  };
}

const BASE_TIME = Date.parse('2025-06-20T16:00:00.000Z');
const FAILURES = [4406, 4720, 9902];

/**
 * Record `i` of a varied data set: inbound, outbound, delivered, failed and other records across two of our numbers
 * and three customers, one every 1.5 s, with every third pair sharing a time (so seq must break ties).
 */
export function numberedRecord(i: number): MessageRecordInput {
  const ourNumber = NUMBERS.ours[i % 2]!;
  const customer = NUMBERS.others[i % 3]!;
  const group = i % 7 === 0 ? [customer, NUMBERS.others[(i + 1) % 3]!] : [customer];
  const kind: RecordKind = (['inbound', 'outbound', 'status', 'status', 'other'] as const)[i % 5]!;
  const messageId = `m${String(Math.floor(i / 5)).padStart(5, '0')}-${i}`;
  const tick = i % 3 === 2 ? i - 1 : i; // records 1&2, 4&5, ... share a time
  const eventTime = new Date(BASE_TIME + tick * 1500).toISOString();
  const common = { messageId, ourNumber, participants: group, conversationId: conversationIdOf(ourNumber, customer) };
  switch (kind) {
    case 'inbound':
      return makeRecord({
        ...common,
        kind,
        from: customer,
        to: [ourNumber, ...group.slice(1)],
        text: `inbound ${i}, with "quotes", commas\nand a line break`,
        eventTime,
        raw: { type: 'message-received', i, message: { id: messageId, text: `inbound ${i}` } },
      });
    case 'outbound':
      return makeRecord({
        ...common,
        kind,
        eventType: 'send-accepted',
        direction: 'out',
        from: ourNumber,
        to: group,
        text: `outbound ${i} ✓ 😀`,
        media: i % 4 === 1 ? ['https://example.com/a.png', 'https://example.com/b.png'] : [],
        segmentCount: 2,
        description: null,
        tag: `tag-${i % 4}`,
        eventTime,
        raw: { id: messageId, text: `outbound ${i}` },
      });
    case 'status': {
      const failed = i % 10 === 3;
      return makeRecord({
        ...common,
        kind,
        eventType: failed ? 'message-failed' : 'message-delivered',
        direction: 'out',
        from: ourNumber,
        to: group,
        recipient: customer,
        text: null,
        errorCode: failed ? FAILURES[Math.floor(i / 10) % 3]! : null,
        description: failed ? 'rejected' : 'Message delivered to handset.',
        eventTime,
        raw: { type: 'message-delivered', i, message: { id: messageId, text: '' } },
      });
    }
    case 'other':
      return makeRecord({
        ...common,
        kind,
        messageId: i % 10 === 4 ? null : messageId,
        eventType: 'message-read',
        direction: i % 10 === 4 ? null : 'out',
        ourNumber: i % 10 === 4 ? null : ourNumber,
        participants: i % 10 === 4 ? [] : group,
        conversationId: i % 10 === 4 ? null : common.conversationId,
        from: ourNumber,
        to: group,
        text: null,
        description: 'Message read',
        eventTime,
        raw: { type: 'message-read', i },
      });
  }
}

export function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k);
}
