/**
 * The page's model of what the handsets hold: every message by handset, grouped into threads (everyone on a message
 * but the handset, as the emulator computes it), plus threads opened on the page that have no message yet.
 */

/** The thread key the emulator uses: everyone but the handset, sorted, comma-separated. */
export const threadKey = (thread) => [...thread.ourNumbers, ...thread.otherHandsets].sort().join(',');

/** How far a message has got: a status never goes back, so an older report of a message never replaces a newer one. */
const RANK = { queued: 0, sending: 1, sent: 2, delivered: 3, failed: 3, received: 3 };
const newer = (candidate, known) => !known || RANK[candidate.status] >= RANK[known.status];

export class Threads {
  constructor() {
    /** phone -> (message id -> message) */
    this.byPhone = new Map();
    /** phone -> (thread key -> thread) opened on the page, not yet texted */
    this.drafts = new Map();
    /** handsets whose messages were read */
    this.ready = new Set();
  }

  /**
   * Takes a handset's messages as read from the emulator. Changes the event stream brought meanwhile are kept when
   * they are further along (the stream and the read race each other).
   */
  load(phone, messages) {
    const known = this.byPhone.get(phone) ?? new Map();
    const fresh = new Map(messages.map((m) => [m.id, m]));
    for (const [id, m] of known) if (!fresh.has(id) || newer(m, fresh.get(id))) fresh.set(id, m);
    this.byPhone.set(phone, fresh);
    this.ready.add(phone);
  }

  /** Starts keeping a handset's messages (call it before reading them, so nothing the stream brings is lost). */
  track(phone) {
    if (!this.byPhone.has(phone)) this.byPhone.set(phone, new Map());
  }

  /** Adds or updates one message of a tracked handset, unless an equal or later state of it is known. */
  upsert(message) {
    const messages = this.byPhone.get(message.phone);
    if (messages && newer(message, messages.get(message.id))) messages.set(message.id, message);
  }

  /** True once the handset's messages were read (before that, only what the stream brought is known). */
  loaded(phone) {
    return this.ready.has(phone);
  }

  /** Opens a thread without sending anything yet; returns its key. */
  open(thread) {
    const key = threadKey(thread);
    if (!this.drafts.has(thread.handset)) this.drafts.set(thread.handset, new Map());
    this.drafts.get(thread.handset).set(key, thread);
    return key;
  }

  /** The handset's threads, the most recently active first: `{ key, thread, last }`. */
  list(phone) {
    const threads = new Map();
    for (const m of this.byPhone.get(phone)?.values() ?? []) {
      const known = threads.get(m.threadId);
      // A later message's thread carries the freshest details (the Web UI link appears once the bot knows it).
      if (!known || known.last.id < m.id) threads.set(m.threadId, { key: m.threadId, thread: m.thread, last: m });
    }
    for (const [key, thread] of this.drafts.get(phone) ?? []) {
      if (!threads.has(key)) threads.set(key, { key, thread, last: undefined });
    }
    return [...threads.values()].sort(
      (a, b) => (b.last?.id ?? Number.MAX_SAFE_INTEGER) - (a.last?.id ?? Number.MAX_SAFE_INTEGER),
    );
  }

  /** One thread of a handset, or undefined. */
  thread(phone, key) {
    return this.list(phone).find((t) => t.key === key);
  }

  /** The messages of one thread, oldest first. */
  messages(phone, key) {
    return [...(this.byPhone.get(phone)?.values() ?? [])].filter((m) => m.threadId === key).sort((a, b) => a.id - b.id);
  }
}
