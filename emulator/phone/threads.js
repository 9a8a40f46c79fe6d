/**
 * The page's model of what the handsets hold: every message by handset, grouped into threads (everyone on a message
 * but the handset, as the emulator computes it), plus threads opened on the page that have no message yet.
 */

/** The thread key the emulator uses: everyone but the handset, sorted, comma-separated. */
export const threadKey = (thread) => [...thread.ourNumbers, ...thread.otherHandsets].sort().join(',');

export class Threads {
  constructor() {
    /** phone -> (message id -> message) */
    this.byPhone = new Map();
    /** phone -> (thread key -> thread) opened on the page, not yet texted */
    this.drafts = new Map();
  }

  /** Replaces a handset's messages with a fresh list. */
  load(phone, messages) {
    this.byPhone.set(phone, new Map(messages.map((m) => [m.id, m])));
  }

  /** Adds or updates one message (from the event stream); true when its handset was loaded already. */
  upsert(message) {
    const messages = this.byPhone.get(message.phone);
    if (!messages) return false;
    messages.set(message.id, message);
    return true;
  }

  loaded(phone) {
    return this.byPhone.has(phone);
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
