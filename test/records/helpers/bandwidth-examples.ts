/**
 * The callback bodies of the Bandwidth reference (§3.4), as Bandwidth sends them (JSON arrays), plus a few more
 * built the same way. Every body is parsed through the real `CallbackBodySchema`, as the webhook does.
 */
import { CallbackBodySchema, type CallbackEvent } from '../../../bandwidth/schemas';

export const OUR_NUMBER = '+19195550100';
export const OUR_OTHER_NUMBER = '+19195550101';
export const ALICE = '+19195550123';
export const BOB = '+19195550124';
export const APPLICATION_ID = '93de2206-9669-4e07-948d-329f4b722ee2';

export const deliveredBody = [
  {
    type: 'message-delivered',
    time: '2025-06-20T16:13:21.480Z',
    description: 'Message delivered to handset.',
    to: '+19195550123',
    message: {
      id: '1718900000000k3j2h4g5f6d7s8a9',
      owner: '+19195550100',
      applicationId: APPLICATION_ID,
      time: '2025-06-20T16:13:20.000Z',
      segmentCount: 1,
      direction: 'out',
      to: ['+19195550123'],
      from: '+19195550100',
      text: '',
      tag: 'order-42',
      priority: 'default',
    },
  },
];

export const failedBody = [
  {
    type: 'message-failed',
    time: '2025-06-20T16:13:20.950Z',
    description: 'rejected-unallocated-to-number',
    to: '+19195550199',
    errorCode: 4406,
    message: {
      id: '1718900000100p0o9i8u7y6t5r4e3',
      owner: '+19195550100',
      applicationId: APPLICATION_ID,
      time: '2025-06-20T16:13:20.100Z',
      segmentCount: 1,
      direction: 'out',
      to: ['+19195550199'],
      from: '+19195550100',
      text: '',
      tag: 'order-43',
    },
  },
];

const groupSending = (recipient: string, time: string) => ({
  type: 'message-sending',
  time,
  description: 'Message is sending to carrier',
  to: recipient,
  message: {
    id: '1718900401000q1w2e3r4t5y6u7i8',
    owner: '+19195550100',
    applicationId: APPLICATION_ID,
    time: '2025-06-20T16:20:01.000Z',
    segmentCount: 1,
    direction: 'out',
    to: ['+19195550123', '+19195550124'],
    from: '+19195550100',
    text: '',
    media: ['https://example.com/flyer.png'],
    tag: 'promo-7',
  },
});

/** Both recipients' `message-sending` events of one outbound group MMS (the reference shows the second). */
export const groupSendingBody = [
  groupSending('+19195550123', '2025-06-20T16:20:01.203Z'),
  groupSending('+19195550124', '2025-06-20T16:20:01.204Z'),
];

export const inboundBody = [
  {
    type: 'message-received',
    time: '2025-06-20T16:25:00.512Z',
    description: 'Incoming message received',
    to: '+19195550100',
    message: {
      id: '1718900700000z9x8c7v6b5n4m3l2',
      owner: '+19195550100',
      applicationId: APPLICATION_ID,
      time: '2025-06-20T16:25:00.000Z',
      segmentCount: 1,
      direction: 'in',
      to: ['+19195550100'],
      from: '+19195550123',
      text: 'STOP',
    },
  },
];

export const inboundGroupBody = [
  {
    type: 'message-received',
    time: '2025-06-20T16:30:00.700Z',
    description: 'Incoming message received',
    to: '+19195550100',
    message: {
      id: '1718901000000a1s2d3f4g5h6j7k8',
      owner: '+19195550100',
      applicationId: APPLICATION_ID,
      time: '2025-06-20T16:30:00.000Z',
      segmentCount: 1,
      direction: 'in',
      to: ['+19195550100', '+19195550101', '+19195550177'],
      from: '+19195550123',
      text: 'see pic',
      media: ['https://messaging.bandwidth.com/api/v2/users/9900000/media/1718901000000a1s2d3f4g5h6j7k8/0/photo.jpg'],
    },
  },
  {
    type: 'message-received',
    time: '2025-06-20T16:30:00.701Z',
    description: 'Incoming message received',
    to: '+19195550101',
    message: {
      id: '1718901000001l9k8j7h6g5f4d3s2',
      owner: '+19195550101',
      applicationId: APPLICATION_ID,
      time: '2025-06-20T16:30:00.000Z',
      segmentCount: 1,
      direction: 'in',
      to: ['+19195550100', '+19195550101', '+19195550177'],
      from: '+19195550123',
      text: 'see pic',
      media: ['https://messaging.bandwidth.com/api/v2/users/9900000/media/1718901000001l9k8j7h6g5f4d3s2/0/photo.jpg'],
    },
  },
];

/** `message-sent`, new in spec v8.1.4, with microsecond time as Bandwidth's newer examples show. */
export const sentBody = [
  {
    type: 'message-sent',
    time: '2025-06-20T16:13:21.160544Z',
    description: 'Message sent to carrier',
    to: '+19195550123',
    message: { ...deliveredBody[0]!.message },
  },
];

/** An RBM read receipt: a type Threadline does not act on but records. */
export const readBody = [
  {
    type: 'message-read',
    time: '2025-06-20T16:14:00.000Z',
    eventTime: '2025-06-20T16:13:59.000Z',
    description: 'Message read',
    to: '+19195550123',
    message: {
      id: '1718900000000k3j2h4g5f6d7s8a9',
      owner: '+19195550100',
      applicationId: APPLICATION_ID,
      time: '2025-06-20T16:13:20.000Z',
      segmentCount: 1,
      direction: 'out',
      to: ['+19195550123'],
      from: '+19195550100',
      text: '',
      channel: 'RBM',
    },
  },
];

export function parseBody(body: unknown): CallbackEvent[] {
  return CallbackBodySchema.parse(body);
}
