/**
 * A follower's side of InstallSnapshot (§7): gathers a snapshot's chunks strictly in order and
 * says which byte it wants next. A chunk at offset 0 starts over; a chunk out of order (lost,
 * duplicated or from an older attempt) only repeats the wanted offset, so the leader resumes
 * there instead of resending everything.
 */
import { assert } from './assert.js';
import type { SnapshotChunk } from './messages.js';
import type { Snapshot, SnapshotMeta } from './types.js';

/** After a chunk: the byte wanted next, or the whole snapshot. */
export type ChunkResult =
  | { readonly kind: 'more'; readonly nextOffset: number }
  | { readonly kind: 'complete'; readonly snapshot: Snapshot };

/** One incoming snapshot at a time, assembled in order. */
export class SnapshotReceiver {
  private meta: SnapshotMeta | undefined;
  private chunks: Uint8Array[] = [];
  private received = 0;

  accept(chunk: SnapshotChunk): ChunkResult {
    if (chunk.offset === 0) {
      this.meta = chunk.meta;
      this.chunks = [];
      this.received = 0;
    }
    if (this.meta?.index !== chunk.meta.index || this.received !== chunk.offset) {
      return {
        kind: 'more',
        nextOffset: this.meta?.index === chunk.meta.index ? this.received : 0,
      };
    }
    this.chunks.push(chunk.data);
    this.received += chunk.data.length;
    if (!chunk.done) return { kind: 'more', nextOffset: this.received };
    assert(this.received === chunk.totalBytes, 'a finished snapshot has all its bytes');
    const data = new Uint8Array(this.received);
    let offset = 0;
    for (const part of this.chunks) {
      data.set(part, offset);
      offset += part.length;
    }
    this.meta = undefined;
    this.chunks = [];
    this.received = 0;
    return { kind: 'complete', snapshot: { meta: chunk.meta, data } };
  }
}
