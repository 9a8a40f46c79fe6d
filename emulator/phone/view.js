/**
 * Drawing the page from the model: the handset list, a handset's threads, the form for a new thread, and one thread's
 * messages with the status of ours (sending, sent, delivered, failed with the error's name). Plain DOM, no framework.
 */

const $ = (id) => document.getElementById(id);

/** Makes an element with attributes (`text` sets its text) and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter(Boolean));
  return node;
}

/** "Alice (+19195550123)", or the number alone. */
export const handsetLabel = (handset) => (handset.name ? `${handset.name} (${handset.phone})` : handset.phone);

/** How a thread is named: "Bot +19195550100", or "Group: Bot +1919…, Bob (+1919…)". */
export function threadTitle(thread, nameOf) {
  const people = [...thread.ourNumbers.map((n) => `Bot ${n}`), ...thread.otherHandsets.map(nameOf)];
  return people.length > 1 ? `Group: ${people.join(', ')}` : (people[0] ?? 'Nobody');
}

export function renderHandsets(handsets, current, pick) {
  $('handset-list').replaceChildren(
    ...handsets.map((h) =>
      el(
        'li',
        {},
        el('button', {
          type: 'button',
          text: handsetLabel(h),
          'aria-pressed': String(h.phone === current),
          onclick: () => pick(h.phone),
        }),
      ),
    ),
  );
}

export function renderThreads(threads, current, nameOf, pick) {
  $('threads-empty').hidden = threads !== undefined;
  $('thread-list').replaceChildren(
    ...(threads ?? []).map((t) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', 'aria-pressed': String(t.key === current), onclick: () => pick(t.key) },
          el('span', { class: 'thread-title', text: threadTitle(t.thread, nameOf) }),
          t.last ? el('span', { class: 'thread-last', text: preview(t.last) }) : undefined,
        ),
      ),
    ),
  );
}

/** The new-thread form: our numbers (the first ticked) and the other handsets, at most `max` in all. */
export function renderNewThread(phone, ourNumbers, handsets, max) {
  const form = $('new-thread');
  form.hidden = phone === undefined;
  if (phone === undefined) return;
  const option = (number, label, checked) =>
    el(
      'div',
      { class: 'option' },
      el('input', { type: 'checkbox', id: `member-${number}`, name: 'member', value: number, checked }),
      el('label', { for: `member-${number}`, text: label }),
    );
  $('new-thread-members').replaceChildren(
    ...ourNumbers.map((n, i) => option(n, `Bot ${n}`, i === 0)),
    ...handsets.filter((h) => h.phone !== phone).map((h) => option(h.phone, handsetLabel(h), false)),
  );
  $('new-thread-limit').textContent = `A group has at most ${max} recipients besides the sender.`;
}

export function renderConversation(entry, messages, nameOf) {
  $('conversation-heading').textContent = entry ? threadTitle(entry.thread, nameOf) : 'No thread open';
  const link = $('web-ui-link');
  link.hidden = !entry?.thread.webUiUrl;
  if (entry?.thread.webUiUrl) link.href = entry.thread.webUiUrl;
  else link.removeAttribute('href');
  $('composer').hidden = !entry;
  const group = entry ? entry.thread.ourNumbers.length + entry.thread.otherHandsets.length > 1 : false;
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(...messages.map((m) => bubble(m, group, nameOf)));
  if (atBottom || messages.at(-1)?.direction === 'sent') list.scrollTop = list.scrollHeight;
}

function bubble(m, group, nameOf) {
  const who = m.direction === 'sent' ? 'You' : m.fromNetwork ? `Network ${m.from}` : senderName(m, nameOf);
  return el(
    'li',
    { class: `bubble ${m.direction}`, 'data-status': m.status, 'data-message-id': m.messageId },
    group || m.direction === 'received' ? el('span', { class: 'sender', text: who }) : undefined,
    m.text ? el('p', { class: 'text', text: m.text }) : undefined,
    ...m.media.map((media) =>
      /\.(png|jpe?g|gif|webp|bmp)$/i.test(media.name)
        ? el('img', { src: media.url, alt: `Attachment ${media.name}`, loading: 'lazy' })
        : el('a', { href: media.url, target: '_blank', rel: 'noopener', text: media.name }),
    ),
    el(
      'span',
      { class: 'meta' },
      el('time', { datetime: m.time, text: new Date(m.time).toLocaleTimeString() }),
      statusBadge(m),
    ),
  );
}

const senderName = (m, nameOf) => (m.thread.ourNumbers.includes(m.from) ? `Bot ${m.from}` : nameOf(m.from));

/** Our messages show where they are; the handset's own show "sent"; others nothing. */
function statusBadge(m) {
  if (m.direction === 'received' && m.status === 'received') return undefined;
  const text = {
    queued: 'queued',
    sending: 'sending…',
    sent: 'sent ✓',
    delivered: 'delivered ✓✓',
    failed: `failed: ${m.errorName ?? 'unknown error'}${m.errorCode ? ` (${m.errorCode})` : ''}`,
  }[m.status];
  return el('span', { class: `status ${m.status}`, role: m.status === 'failed' ? 'status' : undefined, text });
}

function preview(m) {
  const text = m.text || (m.media.length > 0 ? `📎 ${m.media[0].name}` : '');
  return `${m.direction === 'sent' ? 'You: ' : ''}${text}`.slice(0, 60);
}

/** Shows a problem (or clears it with nothing). */
export function showProblem(message) {
  const problem = $('problem');
  problem.hidden = !message;
  problem.textContent = message ?? '';
}
