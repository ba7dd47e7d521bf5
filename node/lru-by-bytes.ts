/**
 * A map bounded in bytes, least recently used out first: the store's record cache and the CM's
 * block cache are both one. A value larger than the whole budget is not kept.
 */
export class LruByBytes<V> {
  private readonly entries = new Map<string, V>();
  private held = 0;

  constructor(
    readonly capacityBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  /** The value under `key`, now the most recently used; undefined where there is none. */
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Most recently used last: a Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Keeps `value` under `key` (replacing what was there), then evicts down to the budget. */
  set(key: string, value: V): void {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.capacityBytes) return;
    this.entries.set(key, value);
    this.held += size;
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.capacityBytes) break;
      this.entries.delete(oldest);
      this.held -= this.sizeOf(entry);
    }
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.held -= this.sizeOf(value);
  }

  /** Bytes of the values held now. */
  get heldBytes(): number {
    return this.held;
  }
}
