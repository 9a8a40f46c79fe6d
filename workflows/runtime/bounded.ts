/**
 * Bounded collections: a conversation can run for years, so everything it remembers per message (deduplication
 * windows, receipts, media copies) keeps only the newest entries. Plain data, so it serialises into the carried state
 * when the conversation continues as new.
 */

/** A map that keeps at most `limit` entries and forgets the oldest first. */
export class BoundedMap<K, V> {
  private readonly entries: Map<K, V>;

  /**
   * @param limit how many entries to keep
   * @param initial entries to start with, oldest first (the carried state of the previous run)
   * @param onEvict called with each key that falls out of the window
   */
  constructor(
    private readonly limit: number,
    initial: Iterable<readonly [K, V]> = [],
    private readonly onEvict: (key: K) => void = () => undefined,
  ) {
    this.entries = new Map(initial);
    this.trim();
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Sets `key`, then forgets the oldest entries beyond the limit. */
  set(key: K, value: V): this {
    this.entries.set(key, value);
    this.trim();
    return this;
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  /** The entries, oldest first, for the carried state. */
  toJSON(): [K, V][] {
    return [...this.entries.entries()];
  }

  private trim(): void {
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.entries.delete(oldest.value);
      this.onEvict(oldest.value);
    }
  }
}

/** A deduplication window: the last `limit` keys seen. */
export class RecentSet {
  private readonly seen: BoundedMap<string, true>;

  constructor(limit: number, initial: readonly string[] = []) {
    this.seen = new BoundedMap(
      limit,
      initial.map((key) => [key, true] as const),
    );
  }

  /** Adds `key`; false when it was already there (a duplicate). */
  add(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.set(key, true);
    return true;
  }

  toJSON(): string[] {
    return this.seen.toJSON().map(([key]) => key);
  }
}
