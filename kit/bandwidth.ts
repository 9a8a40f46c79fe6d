/**
 * What a conversation under test needs from "Bandwidth": the handsets' side of the messaging API. The kit has two:
 * a fake (`fake-bandwidth.ts`, the default) and the local emulator behind the real webhook server
 * (`emulator-bandwidth.ts`). `StartBotOptions.activities` picks one when the bot starts; the chat driver only ever
 * talks to this interface.
 */
import type { Activities } from '../activities';
import type { MediaObject } from '../media/store';

/** The number of ours a kit conversation uses unless the test names one. */
export const DEFAULT_OUR_NUMBER = '+19195550100';

/**
 * A message the bot sent, as the kit saw it.
 *
 * @example
 * ```ts
 * const reply = await chat.expectReply('Order A-17 is ready!');
 * assert.deepEqual(reply.media, ['https://example.com/a17.jpg']);
 * await chat.failDelivery(4700, reply);
 * ```
 */
export interface Reply {
  text: string;
  media: string[];
  to: string[];
  /** Bandwidth's message id. */
  messageId: string;
  /** Threadline's id for the send within the conversation (empty with emulator activities). */
  sendId: string;
}

/**
 * A media item a kit handset sends: a file (stored on fake Bandwidth or the emulator) or a URL.
 *
 * @example
 * ```ts
 * await chat.text('the tap', { media: [{ filename: 'tap.jpg', contentType: 'image/jpeg', content: 'jpeg bytes' }] });
 * await chat.text('see this', { media: ['https://example.com/tap.jpg'] });
 * ```
 */
export type KitMedia = string | { filename: string; contentType: string; content: Buffer | string };

/** A delivery receipt the test scripts for a reply. */
export type DeliveryOutcome = ({ type: 'message-delivered' } | { type: 'message-failed'; errorCode: number }) & {
  /** The carrier the callback names (`carrierName`): its surcharge, if the price table has one, is added. */
  carrierName?: string;
};

/** Bandwidth as one conversation under test sees it. */
export interface KitBandwidth {
  /** The activities the bot's worker runs: its sends and media downloads reach this Bandwidth. */
  readonly activities: Activities;
  /** A participant's handset texts the conversation (with `media`, an MMS). */
  text(from: string, body: string, media?: readonly KitMedia[]): Promise<void>;
  /** Every message the bot has sent so far, oldest first. */
  replies(): Promise<Reply[]>;
  /**
   * Before the test's next step: the receipts for the replies the test has read (`read`, oldest first) that it did
   * not script itself.
   */
  settle(read: readonly Reply[]): Promise<void>;
  /** Reports a receipt for `reply`, for every recipient (or only `recipient`, in a group). */
  report(reply: Reply, outcome: DeliveryOutcome, recipient?: string): Promise<void>;
  /** A file in the media store the conversation copies inbound media into, or null. */
  storedMedia(id: string): Promise<MediaObject | null>;
  /** How many times the conversation tried to download inbound media from Bandwidth. */
  readonly mediaDownloadAttempts: number;
  /** Releases what this Bandwidth holds (servers, files). */
  close(): Promise<void>;
}
