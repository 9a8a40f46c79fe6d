/**
 * The emulator's endpoints the phone page uses: its own (`/emulator/phone/...`) and the handset API it sends with,
 * exactly as any other client would (`POST /emulator/handsets/{phone}/messages`).
 */

/** Calls the emulator; resolves with the JSON body, or rejects with the error it answered. */
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new Error(errorText(json, response.status));
  return json;
}

function errorText(json, status) {
  if (json?.issues) return json.issues.join('; ');
  if (typeof json?.error === 'string') return json.error;
  if (json?.description) return json.description;
  return `the emulator answered ${status}`;
}

const phonePath = (phone) => encodeURIComponent(phone);

/** Our numbers, the handsets, the group limit and whether threads link to the Temporal Web UI. */
export const loadOverview = () => call('GET', '/emulator/phone');

/** Creates (or renames) a handset. */
export const putHandset = (phone, name) =>
  call('PUT', `/emulator/phone/handsets/${phonePath(phone)}`, { name: name || null });

/** Every message of a handset, sent and received, oldest first. */
export const loadMessages = async (phone) =>
  (await call('GET', `/emulator/phone/handsets/${phonePath(phone)}/messages`)).messages;

/** The handset texts `to` (one of our numbers, or several numbers for a group), with text and/or media. */
export const sendText = (phone, to, text, media) =>
  call('POST', `/emulator/handsets/${phonePath(phone)}/messages`, {
    to: to.length === 1 ? to[0] : to,
    ...(text ? { text } : {}),
    ...(media.length > 0 ? { media } : {}),
  });

/**
 * Listens to every handset's changes; `onMessage` gets each new or changed message, `onOpen` each (re)connection
 * (read the messages again then: some may have changed while the stream was down).
 */
export function listen({ onMessage, onOpen }) {
  const events = new EventSource('/emulator/phone/events');
  events.addEventListener('message', (event) => onMessage(JSON.parse(event.data)));
  events.addEventListener('open', onOpen);
  return events;
}

/** Reads a file as a `data:` URL, the form the handset API takes media in. */
export function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
