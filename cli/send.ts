/**
 * `threadline send`: one text, either from a simulated phone to our number through the emulator's handset API (what a
 * participant would text), or from our number to a phone through the Bandwidth API Threadline is configured with
 * (BANDWIDTH_*; the emulator's API when it runs on the emulator). With `--wait`, it waits for the phone's next text
 * from our side and prints it: a quick way to talk to a bot from a terminal.
 */
import { z } from 'zod';
import { createBandwidthClient } from '../bandwidth/client';
import { E164Schema } from '../bandwidth/schemas';
import { loadConfig } from '../config/env';
import { CliError } from './cli-error';

export interface SendOptions {
  /** The sender: the simulated phone (emulator), or our number (Bandwidth; default BANDWIDTH_NUMBER). */
  from?: string;
  /** The recipient: our number (emulator; default BANDWIDTH_NUMBER), or the phone (Bandwidth). */
  to?: string;
  via?: 'emulator' | 'bandwidth';
  /** The emulator's base URL (default: http://127.0.0.1:EMULATOR_PORT). */
  emulatorUrl?: string;
  /** Seconds to wait for the phone's next text from our side (emulator only). */
  wait?: number;
}

const HandsetPostSchema = z.object({ messages: z.array(z.object({ id: z.string() })) });
const HandsetInboxSchema = z.object({
  messages: z.array(
    z.looseObject({ messageId: z.string(), from: z.string(), text: z.string(), fromHandset: z.boolean() }),
  ),
});

function phone(value: string | undefined, what: string): string {
  const parsed = E164Schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${what}: '${value ?? ''}' is not an E.164 number such as +19195550123`);
  return parsed.data;
}

async function handsetInbox(base: string, handset: string) {
  const response = await fetch(`${base}/emulator/handsets/${encodeURIComponent(handset)}/messages`);
  if (!response.ok) throw new CliError(`the emulator answered ${response.status}: ${await response.text()}`);
  return HandsetInboxSchema.parse(await response.json()).messages.filter((m) => !m.fromHandset);
}

/** Sends `text`; prints the message id (and, with `wait`, the reply) on stdout. */
export async function send(text: string, options: SendOptions, print: (line: string) => void): Promise<void> {
  const config = loadConfig();
  const via = options.via ?? (config.bandwidth.usesEmulator ? 'emulator' : 'bandwidth');
  if (via === 'bandwidth') {
    if (options.wait !== undefined) throw new CliError('--wait works with the emulator only');
    const bandwidth = createBandwidthClient({
      baseUrl: config.bandwidth.baseUrl,
      accountId: config.bandwidth.accountId,
      auth: config.bandwidth.auth,
    });
    const message = await bandwidth.createMessage({
      applicationId: config.bandwidth.applicationId,
      from: phone(options.from ?? config.bandwidth.number, '--from'),
      to: [phone(options.to, '--to')],
      text,
    });
    print(message.id ?? '');
    return;
  }
  const base = (options.emulatorUrl ?? config.emulator.baseUrl).replace(/\/+$/, '');
  const handset = phone(options.from, '--from');
  const seen = options.wait === undefined ? [] : await handsetInbox(base, handset);
  const response = await fetch(`${base}/emulator/handsets/${encodeURIComponent(handset)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: phone(options.to ?? config.bandwidth.number, '--to'), text }),
  }).catch((err: unknown) => {
    throw new CliError(`cannot reach the emulator at ${base} (${String(err)}): is it running?`);
  });
  if (response.status !== 202) throw new CliError(`the emulator answered ${response.status}: ${await response.text()}`);
  print(HandsetPostSchema.parse(await response.json()).messages[0]?.id ?? '');
  if (options.wait === undefined) return;
  const known = new Set(seen.map((m) => m.messageId));
  const deadline = Date.now() + options.wait * 1000;
  while (Date.now() < deadline) {
    const reply = (await handsetInbox(base, handset)).find((m) => !known.has(m.messageId));
    if (reply) {
      print(`${reply.from}: ${reply.text}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CliError(`no reply to ${handset} within ${options.wait} s`);
}
