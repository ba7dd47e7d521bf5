/**
 * The owner's cache of whole data blocks at exact versions (DESIGN.md, "the common path": an
 * owner that holds the old range at exactly v computes the delta itself and sends the data and
 * parity writes at once). An entry is keyed by fragment and version, and a version is stamped
 * once, so an entry is either exactly right or not found. Bounded in bytes, least recently used
 * out first.
 */
import { sameVersion, type Version } from '../store/version.js';

interface Entry {
  version: Version;
  bytes: Uint8Array;
}

export class BlockCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly capacityBytes: number) {}

  /**
   * The block `key` holds at exactly `version`, or null. The array is the cache's own: change it
   * only to set it back at once under a new version (as a stripe's update does, in its queue).
   */
  get(key: string, version: Version): Uint8Array | null {
    const entry = this.entries.get(key);
    if (!entry || !sameVersion(entry.version, version)) return null;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.bytes;
  }

  /** Remembers that `key` holds `bytes` at `version` (the cache keeps `bytes`; see get). */
  set(key: string, version: Version, bytes: Uint8Array): void {
    this.delete(key);
    if (bytes.length > this.capacityBytes) return;
    this.entries.set(key, { version, bytes });
    this.bytes += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.capacityBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes.length;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }
}
