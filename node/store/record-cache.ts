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
import { LruByBytes } from '../lru-by-bytes.js';
import type { VersionRecord } from './store-codec.js';

export class RecordCache {
  private readonly records: LruByBytes<VersionRecord>;
  hits = 0;
  misses = 0;

  constructor(bytesMax: number) {
    this.records = new LruByBytes(bytesMax, (record) => record.bytes.length);
  }

  get(key: string): VersionRecord | undefined {
    const record = this.records.get(key);
    if (record) this.hits++;
    else this.misses++;
    return record;
  }

  set(key: string, record: VersionRecord): void {
    this.records.set(key, record);
  }

  drop(key: string): void {
    this.records.delete(key);
  }

  /** Bytes of record payloads held now. */
  get heldBytes(): number {
    return this.records.heldBytes;
  }
}
