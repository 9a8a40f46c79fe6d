/**
 * Fake Bandwidth (the kit's default): every reply the bot sends is recorded, handset texts go straight to the
 * conversation, receipts are scripted by the test or, unless it says otherwise, reported delivered once the test has
 * read the reply. Inbound media is held in memory under Bandwidth media URLs, for 48 hours of workflow time. Quiet
 * hours are worked out as in production.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  createMediaActivities,
  createRecordConsent,
  createSendWindowActivities,
  MediaFailureType,
  refuseOptedOut,
  type Activities,
  type ConsentLedger,
  type SendMessageResult,
} from '../activities';
import { createMemoryMediaStore, type MediaObject } from '../media/store';
import { segmentCount } from '../bandwidth/segments';
import { inboundCost, outboundCost, surchargeCost } from '../billing/message-cost';
import type { PriceTable } from '../billing/price-table';
import { decodeTag } from '../workflows/ids';
import type { ConversationWorkflow } from './conversation-workflow';
import { inboundMessage } from './inbound-message';
import type { KitBandwidth, Reply } from './bandwidth';

/** How long Bandwidth keeps media (reference §2.3). */
const BANDWIDTH_MEDIA_RETENTION_MS = 48 * 3600_000;

export interface FakeBandwidthOptions {
  /** The conversation the handsets text and the receipts go to. */
  conversation: ConversationWorkflow;
  /** The test server's clock, in epoch milliseconds. */
  now: () => Promise<number>;
  /** Report each reply delivered once the test has read it, unless the test reports it (default true). */
  autoDeliver?: boolean;
  /** Further numbers of ours in a group: each text is delivered once per number of ours, as Bandwidth does. */
  alsoOurs?: string[];
  /** Make media downloads fail: the first `n` attempts, or every one. */
  failMediaDownloads?: number | 'always';
  /** The opt-out ledger sends are checked against and keywords are recorded in. */
  consent: ConsentLedger;
  /** What messages cost: sends and texts are priced with it, as the worker and the server price them. */
  prices: PriceTable;
}

export function createFakeBandwidth({
  conversation,
  now,
  autoDeliver = true,
  alsoOurs = [],
  failMediaDownloads,
  consent,
  prices,
}: FakeBandwidthOptions): KitBandwidth {
  const { ourNumber, participants } = conversation.start;
  const sent: Reply[] = [];
  /** Replies whose receipts have been reported (by the test or by `settle`). */
  const reported = new Set<string>();
  /** Inbound media "on Bandwidth", by URL, with the time it arrived. */
  const hosted = new Map<string, { object: MediaObject; at: number }>();
  const mediaStore = createMemoryMediaStore();
  let inboundSeq = 0;
  let mediaDownloadAttempts = 0;

  const media = createMediaActivities({
    mediaStore,
    fetchMedia: async (url) => {
      const file = hosted.get(url);
      if (!file || (await now()) - file.at > BANDWIDTH_MEDIA_RETENTION_MS) {
        throw ApplicationFailure.nonRetryable(
          `Bandwidth media download failed with 404: ${url}`,
          MediaFailureType.Gone,
        );
      }
      mediaDownloadAttempts += 1;
      const failing = failMediaDownloads;
      if (failing === 'always' || (typeof failing === 'number' && mediaDownloadAttempts <= failing)) {
        throw new Error(`Bandwidth media download failed with 503 (attempt ${mediaDownloadAttempts})`);
      }
      return file.object;
    },
  });

  const activities: Activities = {
    ...media,
    ...createRecordConsent({ consent }),
    // Quiet hours as in production: the test server's clock is the conversation's, and the kit starts it at a known
    // local time (environment.ts), so the answers never depend on when the tests run.
    ...createSendWindowActivities(),
    async sendMessage(input): Promise<SendMessageResult> {
      await refuseOptedOut(consent, input);
      const messageId = `kit-out-${sent.length + 1}`;
      sent.push({
        text: input.text,
        media: input.media ?? [],
        to: input.to,
        messageId,
        sendId: decodeTag(input.tag)?.sendId ?? '',
      });
      // Counted and priced as Bandwidth and the send activity would: a long or UCS-2 text takes several segments.
      const segments = segmentCount(input);
      const cost = outboundCost(prices, { ...input, segmentCount: segments });
      return { messageId, segmentCount: segments, time: new Date(await now()).toISOString(), ...cost };
    },
    // The kit reports every receipt to the conversation itself (`report`, `settle`), watched or not.
    async watchReceipts() {
      return [];
    },
  };

  async function report(reply: Reply, outcome: Parameters<KitBandwidth['report']>[1], recipient?: string) {
    reported.add(reply.messageId);
    const time = new Date(await now()).toISOString();
    // Priced as the server prices a receipt: the surcharge of the carrier it names, on the terminal event.
    const surcharge = surchargeCost(prices, { ...reply, segmentCount: segmentCount(reply) }, outcome.carrierName);
    for (const to of recipient ? [recipient] : reply.to) {
      await conversation.deliverReceipt({
        messageId: reply.messageId,
        sendId: reply.sendId,
        type: outcome.type,
        recipient: to,
        ...(outcome.type === 'message-failed' ? { errorCode: outcome.errorCode } : {}),
        description:
          outcome.type === 'message-delivered' ? 'Message delivered to carrier.' : `error ${outcome.errorCode}`,
        time,
        ...(surcharge && outcome.carrierName ? { surcharge: { ...surcharge, carrier: outcome.carrierName } } : {}),
      });
    }
  }

  return {
    activities,
    async text(from, body, files = []) {
      const seq = ++inboundSeq;
      const at = await now();
      const ours = [ourNumber, ...alsoOurs];
      const to = [...ours, ...participants.filter((p) => p !== from)];
      // One copy per number of ours in the message, each with its own message id and media URLs (reference §3.4).
      for (const [copy, copyOurNumber] of ours.entries()) {
        const messageId = `kit-in-${seq}${copy > 0 ? `-${copy}` : ''}`;
        const urls = files.map((m, index) => {
          if (typeof m === 'string') return m;
          const url = `https://messaging.bandwidth.com/api/v2/users/kit/media/${messageId}/${index}/${m.filename}`;
          hosted.set(url, { object: { bytes: Buffer.from(m.content), contentType: m.contentType }, at });
          return url;
        });
        const message = inboundMessage({
          messageId,
          from,
          to,
          ourNumber: copyOurNumber,
          text: body,
          media: urls,
          time: new Date(at),
        });
        await conversation.deliverInbound({ ...message, ...inboundCost(prices, message) }); // priced, as the server does
      }
    },
    async replies() {
      return sent;
    },
    async settle(read) {
      if (!autoDeliver) return;
      for (const reply of read) {
        if (!reported.has(reply.messageId)) await report(reply, { type: 'message-delivered' });
      }
    },
    report,
    storedMedia: (id) => mediaStore.get(id),
    get mediaDownloadAttempts() {
      return mediaDownloadAttempts;
    },
    async close() {},
  };
}
