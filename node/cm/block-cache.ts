/**
 * The owner's cache of whole data blocks at exact versions (DESIGN.md, "the common path": an
 * owner that holds the old range at exactly v computes the delta itself and sends the data and
 * parity writes at once). An entry is keyed by fragment and version, and a version is stamped
 * once, so an entry is either exactly right or not found. Bounded in bytes, least recently used
 * out first.
 */
import { LruByBytes } from '../lru-by-bytes.js';
import { sameVersion, type Version } from '../store/version.js';

interface Entry {
  version: Version;
  bytes: Uint8Array;
}

export class BlockCache {
  private readonly blocks: LruByBytes<Entry>;

  constructor(readonly capacityBytes: number) {
    this.blocks = new LruByBytes(capacityBytes, (entry) => entry.bytes.length);
  }

  /**
   * The block `key` holds at exactly `version`, or null. The array is the cache's own: change it
   * only to set it back at once under a new version (as a stripe's update does, in its queue).
   */
  get(key: string, version: Version): Uint8Array | null {
    const entry = this.blocks.get(key);
    return entry && sameVersion(entry.version, version) ? entry.bytes : null;
  }

  /** Remembers that `key` holds `bytes` at `version` (the cache keeps `bytes`; see get). */
  set(key: string, version: Version, bytes: Uint8Array): void {
    this.blocks.set(key, { version, bytes });
  }

  delete(key: string): void {
    this.blocks.delete(key);
  }
}
