/**
 * Builds callback events exactly as Bandwidth shapes them (reference §3.2): `statusCallback` for outbound messages,
 * `inboundCallback` for `message-received`. Status events carry `text: ""` (Bandwidth keeps no text); inbound events
 * carry the text the handset sent.
 */
import { type StatusEventType } from './delivery-plan';
import { type StoredMessage } from './message-store';

export interface CallbackMessageBody {
  id: string;
  owner: string;
  applicationId: string;
  time: string;
  segmentCount: number;
  direction: 'in' | 'out';
  to: string[];
  from: string;
  text: string;
  tag?: string;
  media?: string[];
  priority?: 'default' | 'high';
}

export interface CallbackEventBody {
  type: StatusEventType | 'message-received';
  time: string;
  description: string;
  to: string;
  errorCode?: number;
  carrierName?: string;
  message: CallbackMessageBody;
}

function messageBody(message: StoredMessage, text: string): CallbackMessageBody {
  const body: CallbackMessageBody = {
    id: message.id,
    owner: message.owner,
    applicationId: message.applicationId,
    time: new Date(message.timeMs).toISOString(),
    segmentCount: message.segmentCount,
    direction: message.direction,
    to: message.to,
    from: message.from,
    text,
  };
  if (message.tag !== undefined) body.tag = message.tag;
  if (message.media !== undefined) body.media = message.media;
  if (message.priority !== undefined) body.priority = message.priority;
  return body;
}

/** A status event about recipient `to` of an outbound message. */
export function statusEvent(
  message: StoredMessage,
  event: {
    type: StatusEventType;
    to: string;
    description: string;
    errorCode?: number;
    carrierName?: string;
    atMs: number;
  },
): CallbackEventBody {
  const body: CallbackEventBody = {
    type: event.type,
    time: new Date(event.atMs).toISOString(),
    description: event.description,
    to: event.to,
    message: messageBody(message, ''),
  };
  if (event.type === 'message-failed') body.errorCode = event.errorCode ?? 9999;
  if (event.carrierName !== undefined) body.carrierName = event.carrierName;
  return body;
}

/** The `message-received` event for the copy of an inbound message owned by `message.owner`. */
export function inboundEvent(
  message: StoredMessage,
  text: string,
  event: { atMs: number; carrierName?: string },
): CallbackEventBody {
  const body: CallbackEventBody = {
    type: 'message-received',
    time: new Date(event.atMs).toISOString(),
    description: 'Incoming message received',
    to: message.owner,
    message: messageBody(message, text),
  };
  if (event.carrierName !== undefined) body.carrierName = event.carrierName;
  return body;
}
