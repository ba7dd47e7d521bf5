/**
 * The newest records a store wrote or read for a write, kept in memory up to a byte budget, least
 * recently used out first. A write over a range reads the bytes it replaces (a data write for its
 * delta, a parity write to fold the delta in), and those are almost always in a record written
 * moments ago: kept here, the write needs no read of the disk and no second check of a CRC32C it
 * already checked.
 *
 * Only the write path reads through it. Reads for clients, repair and scrubbing go to the disk, so
 * that a record damaged there is found (ChecksumMismatchError) whatever this holds. What it holds
 * is what was committed: a record enters once its batch is durable, or after its CRC32C checked
 * on a read, and any commit that puts or deletes the key drops it first.
 */
import type { VersionRecord } from './store-codec.js';

export class RecordCache {
  private readonly entries = new Map<string, VersionRecord>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly bytesMax: number) {}

  get(key: string): VersionRecord | undefined {
    const record = this.entries.get(key);
    if (!record) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, record);
    return record;
  }

  set(key: string, record: VersionRecord): void {
    const cost = record.bytes.length;
    this.drop(key);
    if (cost > this.bytesMax) return;
    this.entries.set(key, record);
    this.bytes += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.bytesMax) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes.length;
    }
  }

  drop(key: string): void {
    const record = this.entries.get(key);
    if (!record) return;
    this.entries.delete(key);
    this.bytes -= record.bytes.length;
  }

  /** Bytes of record payloads held now. */
  get heldBytes(): number {
    return this.bytes;
  }
}
