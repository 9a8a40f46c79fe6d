/**
 * Simulated phones, through the emulator's handset API: text our number, and read what a phone has received.
 */
import assert from 'node:assert/strict';

export interface HandsetMessage {
  messageId: string;
  from: string;
  text: string;
  status: string;
  fromHandset: boolean;
}

/** `from` texts `to`; resolves with the id of the (first) inbound message the emulator created. */
export async function handsetText(emulatorUrl: string, from: string, to: string, text: string): Promise<string> {
  const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(from)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to, text }),
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { messages: { id: string }[] }).messages[0]!.id;
}

/** What `phone` has received from our side (not messages it sent or got from other handsets). */
export async function handsetInbox(emulatorUrl: string, phone: string): Promise<HandsetMessage[]> {
  const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`);
  return ((await response.json()) as { messages: HandsetMessage[] }).messages.filter((m) => !m.fromHandset);
}
