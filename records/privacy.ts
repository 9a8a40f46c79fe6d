/**
 * Privacy mode: the store keeps who, when and what happened to a message, but not what it said.
 */
import type { MessageRecordInput } from './message-record';

/** Fields of a callback's `message` that carry what the sender wrote (SMS text, and RBM/multichannel content). */
const MESSAGE_CONTENT_FIELDS = ['text', 'content', 'suggestionResponse', 'locationResponse'];

function withoutContent(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const { text: _text, ...rest } = raw as Record<string, unknown>;
  const message = rest.message;
  if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(message)) if (!MESSAGE_CONTENT_FIELDS.includes(k)) kept[k] = v;
    rest.message = kept;
  }
  return rest;
}

/** The record as privacy mode stores it: `text` null, and the text fields removed from `raw`. */
export function redactText(input: MessageRecordInput): MessageRecordInput {
  return { ...input, text: null, raw: withoutContent(input.raw) };
}
