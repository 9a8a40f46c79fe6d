/**
 * Tells listeners which handset messages changed: a handset sent or received a message, or the status of one of our
 * messages to it moved on (sending, sent, delivered, failed). Changes are collected while the emulator writes and
 * handed over once per turn of the event loop, after the write committed, so a listener (the phone page's event
 * stream) reads them from the database at once and never polls.
 */

/** One handset message that changed: `phone`'s copy of `messageId`. */
export interface HandsetChange {
  phone: string;
  messageId: string;
}

export type HandsetFeedListener = (changes: HandsetChange[]) => void;

export class HandsetFeed {
  private readonly listeners = new Set<HandsetFeedListener>();
  private readonly closers = new Set<() => void>();
  private pending = new Map<string, HandsetChange>();
  private scheduled = false;

  /** Notes a change; listeners hear of it on the next turn of the event loop (nothing is kept without listeners). */
  touch(phone: string, messageId: string): void {
    if (this.listeners.size === 0) return;
    this.pending.set(`${phone}\u0000${messageId}`, { phone, messageId });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Starts listening; returns the function that stops it. `onClose` is called when the emulator closes, so a
   * long-lived listener (an event stream) ends instead of holding the emulator's shutdown.
   */
  subscribe(listener: HandsetFeedListener, onClose?: () => void): () => void {
    this.listeners.add(listener);
    if (onClose) this.closers.add(onClose);
    return () => {
      this.listeners.delete(listener);
      if (onClose) this.closers.delete(onClose);
    };
  }

  /** Tells every listener the emulator is closing, and forgets them. */
  close(): void {
    const closers = [...this.closers];
    this.listeners.clear();
    this.closers.clear();
    for (const close of closers) close();
  }

  private flush(): void {
    this.scheduled = false;
    const changes = [...this.pending.values()];
    this.pending = new Map();
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }
}
