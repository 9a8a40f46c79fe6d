import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conversationId, decodeTag, encodeTag, parseConversationId } from '../../workflows/ids';

describe('conversation ids', () => {
  it('names a one-to-one conversation after our number and the participant', () => {
    assert.equal(
      conversationId({ ourNumber: '+19195550100', participants: ['+19195550123'] }),
      'sms:+19195550100:+19195550123',
    );
  });

  it('gives a group the same id whatever order Bandwidth lists its members in', () => {
    const a = conversationId({ ourNumber: '+19195550100', participants: ['+19195550124', '+19195550123'] });
    const b = conversationId({
      ourNumber: '+19195550100',
      participants: ['+19195550123', '+19195550124', '+19195550123'],
    });
    assert.equal(a, 'sms:+19195550100:+19195550123,+19195550124');
    assert.equal(a, b);
  });

  it('leaves our own number out of the participants', () => {
    assert.equal(
      conversationId({ ourNumber: '+19195550100', participants: ['+19195550100', '+19195550123'] }),
      'sms:+19195550100:+19195550123',
    );
  });

  it('refuses a conversation with nobody in it', () => {
    assert.throws(() => conversationId({ ourNumber: '+19195550100', participants: [] }), /at least one participant/);
  });

  it('parses back what it derived, and nothing else', () => {
    assert.deepEqual(parseConversationId('sms:+19195550100:+19195550123,+19195550124'), {
      ourNumber: '+19195550100',
      participants: ['+19195550123', '+19195550124'],
    });
    assert.equal(parseConversationId('order-42'), null);
  });
});

describe('routing tags', () => {
  it('round-trips the conversation, the send and the delivery flag through a Bandwidth tag', () => {
    const tag = {
      conversationId: 'sms:+19195550100:+19195550123',
      sendId: 's7',
      trackDelivery: true,
      deliveredWhenWatched: true,
    };
    const encoded = encodeTag(tag);
    assert.equal(encoded, 'tl1|w|s7|sms:+19195550100:+19195550123');
    assert.ok(encoded.length <= 1024, 'Bandwidth tags hold at most 1024 characters');
    assert.deepEqual(decodeTag(encoded), tag);
    const every = { ...tag, deliveredWhenWatched: false };
    assert.equal(encodeTag(every), 'tl1|d|s7|sms:+19195550100:+19195550123', 'every terminal receipt signalled');
    assert.deepEqual(decodeTag(encodeTag(every)), every);
    const none = { ...tag, trackDelivery: false, deliveredWhenWatched: false };
    assert.deepEqual(decodeTag(encodeTag(none)), none);
  });

  it('still reads the tags of messages sent before delivered receipts were watched', () => {
    assert.deepEqual(decodeTag('tl1|d|s1|sms:+19195550100:+19195550123'), {
      conversationId: 'sms:+19195550100:+19195550123',
      sendId: 's1',
      trackDelivery: true,
      deliveredWhenWatched: false,
    });
  });

  it('does not claim tags other software wrote', () => {
    for (const foreign of [undefined, '', 'order-42', 'tl2|d|s1|sms:+1:+2', 'tl1|x|s1|sms:+1:+2', 'tl1|d||sms:+1:+2']) {
      assert.equal(decodeTag(foreign), null, String(foreign));
    }
  });
});
