/**
 * The local Bandwidth emulator as a conversation's Bandwidth (`activities: 'emulator'`): the bot's real activities
 * send through the Bandwidth client to an in-memory emulator, handsets text through the emulator's handset API, and
 * the emulator's callbacks reach the conversation through the real webhook app. The emulator reports delivery
 * itself, so tests cannot script receipts.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createActivities } from '../activities';
import type { RecordStore } from '../records';
import type { PriceTable } from '../billing/price-table';
import { createBandwidthClient } from '../bandwidth/client';
import { createEmulator } from '../emulator';
import { createLocalMediaStore } from '../media/store';
import { createApp } from '../server/app';
import type { ConversationStart } from '../workflows/conversation';
import type { KitBandwidth, Reply } from './bandwidth';

export interface EmulatorBandwidthOptions {
  /** The Temporal client the webhook app hands callbacks to. */
  client: Client;
  taskQueue: string;
  /** The bot every inbound message is routed to. */
  bot: string;
  start: ConversationStart;
  /** The message records (and opt-out ledger) the webhook app and the activities share. */
  records: RecordStore;
  /** What messages cost: the webhook app and the activities price with it, as in production. */
  prices: PriceTable;
}

const credentials = { clientId: 'kit', clientSecret: 'kit-secret' };
const accountId = '9900000';
const applicationId = 'kit-application';

/** A handset message, as the emulator's handset API lists it. */
interface HandsetMessage {
  messageId: string;
  text: string;
  media: string[];
  to: string[];
  fromHandset: boolean;
}

export async function createEmulatorBandwidth({
  client,
  taskQueue,
  bot,
  start,
  records,
  prices,
}: EmulatorBandwidthOptions): Promise<KitBandwidth> {
  const { ourNumber, participants } = start;
  const server = http.createServer(
    createApp({
      temporal: client,
      taskQueue,
      routeBot: () => bot,
      records,
      logger: pino({ level: 'silent' }),
      ourNumbers: [ourNumber],
      prices,
      startOptions: { searchAttributes: false }, // the time-skipping server has no custom search attributes
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator = createEmulator({
    defaults: {
      accountId,
      applicationId,
      number: ourNumber,
      ...credentials,
      callbackUrl: `${serverUrl}/callbacks/messaging`,
    },
    timeScale: 100,
  });
  const { url } = await emulator.listen(0, '127.0.0.1');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-kit-media-'));
  const activities = createActivities({
    dataDir,
    bandwidth: createBandwidthClient({
      baseUrl: `${url}/api/v2`,
      accountId,
      auth: { kind: 'oauth2', ...credentials, tokenUrl: `${url}/api/v1/oauth2/token` },
    }),
    applicationId,
    consent: records.optOuts,
    records, // a wait for a delivery receipt watches it there (activities/watch-receipts.ts)
    prices,
  });
  const handsets = `${url}/emulator/handsets`;
  const mediaStore = createLocalMediaStore(path.join(dataDir, 'media'));

  return {
    activities,
    async text(from, body, files) {
      const media = files?.map((m) =>
        typeof m === 'string' ? m : { ...m, content: Buffer.from(m.content).toString('base64') },
      );
      const to = [ourNumber, ...participants.filter((p) => p !== from)];
      const response = await fetch(`${handsets}/${encodeURIComponent(from)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: to.length > 1 ? to : to[0], text: body, ...(media ? { media } : {}) }),
      });
      if (response.status !== 202) throw new Error(`the emulator refused the text: ${await response.text()}`);
    },
    async replies(): Promise<Reply[]> {
      const response = await fetch(`${handsets}/${encodeURIComponent(participants[0]!)}/messages`);
      const body = (await response.json()) as { messages: HandsetMessage[] };
      return body.messages
        .filter((m) => !m.fromHandset)
        .map((m) => ({ text: m.text, media: m.media, to: m.to, messageId: m.messageId, sendId: '' }));
    },
    async settle() {
      // The emulator reports delivery itself, through its callbacks.
    },
    async report() {
      throw new Error('with emulator activities, script delivery outcomes through the emulator');
    },
    storedMedia: (id) => mediaStore.get(id),
    // The emulator serves media downloads itself; the kit does not count them.
    mediaDownloadAttempts: 0,
    async close() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await emulator.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
