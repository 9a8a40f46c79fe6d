/**
 * A stand-in for Bandwidth's API, for tests about something else: accepts every message (remembering it), and its
 * message search finds nothing. Tests of sending itself use the emulator.
 */
import type { BandwidthClient } from '../../bandwidth/client';
import type { MessageRequest } from '../../bandwidth/schemas';

export function acceptingBandwidth(): { client: BandwidthClient; sent: (MessageRequest & { id: string })[] } {
  const sent: (MessageRequest & { id: string })[] = [];
  const client: BandwidthClient = {
    accountId: '9900000',
    createMessage(request) {
      const id = `${Date.now()}${String(sent.length + 1).padStart(16, '0')}`;
      sent.push({ ...request, id });
      return Promise.resolve({ id, segmentCount: 1, time: new Date().toISOString(), ...request });
    },
    findSentMessages: () => Promise.resolve([]),
    messages: {} as BandwidthClient['messages'],
    media: {} as BandwidthClient['media'],
  };
  return { client, sent };
}
