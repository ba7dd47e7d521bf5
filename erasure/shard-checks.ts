/**
 * Checks that every public method runs on its shards before it touches a byte: the count, one
 * common length, no detached buffer, and no output that shares memory with another shard. Each
 * failure is a typed error that names the shard.
 */
import { DetachedShardError, ShardCountError, ShardLengthError, ShardOverlapError } from './errors.js';

/** Throws DetachedShardError when the view's ArrayBuffer has been detached. */
export function checkAttached(shard: Uint8Array, label: string): void {
  if (!(shard instanceof Uint8Array)) {
    throw new TypeError(`${label} is not a Uint8Array`);
  }
  try {
    // Constructing a view over a detached buffer throws; a live one costs nothing to wrap.
    new Uint8Array(shard.buffer, 0, 0);
  } catch {
    throw new DetachedShardError(`${label} is a view of a detached ArrayBuffer`);
  }
}

/** Throws ShardCountError unless `shards` has exactly `expected` entries. */
export function checkCount(shards: readonly unknown[], expected: number, what: string): void {
  if (!Array.isArray(shards)) throw new ShardCountError(`${what}: expected an array of ${expected} shards`);
  if (shards.length !== expected) {
    throw new ShardCountError(`${what}: expected ${expected} shards, got ${shards.length}`);
  }
}

/** Checks that every shard is attached and of one length; returns that length. */
export function checkSameLength(shards: readonly Uint8Array[], labels: (index: number) => string): number {
  shards.forEach((shard, index) => checkAttached(shard, labels(index)));
  const length = shards[0]?.length ?? 0;
  shards.forEach((shard, index) => {
    if (shard.length !== length) {
      throw new ShardLengthError(
        `${labels(index)} has ${shard.length} bytes but ${labels(0)} has ${length}: all shards must have one length`,
      );
    }
  });
  return length;
}

/**
 * Throws ShardOverlapError when any written shard shares a byte with any other shard of the
 * call. Read-only shards may overlap one another.
 */
export function checkNoOverlap(
  written: readonly { shard: Uint8Array; label: string }[],
  readOnly: readonly { shard: Uint8Array; label: string }[],
): void {
  const all = [...written.map((entry) => ({ ...entry, writes: true })), ...readOnly.map((entry) => ({ ...entry, writes: false }))];
  const byBuffer = new Map<ArrayBufferLike, typeof all>();
  for (const entry of all) {
    if (entry.shard.length === 0) continue;
    const list = byBuffer.get(entry.shard.buffer) ?? [];
    list.push(entry);
    byBuffer.set(entry.shard.buffer, list);
  }
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a.shard.byteOffset - b.shard.byteOffset);
    // Sweep in address order, remembering the written range that reaches furthest and any range.
    let furthest: (typeof all)[number] | undefined;
    let furthestWritten: (typeof all)[number] | undefined;
    for (const entry of list) {
      const start = entry.shard.byteOffset;
      const reaches = (other?: (typeof all)[number]): boolean =>
        other !== undefined && other.shard.byteOffset + other.shard.length > start;
      const clash = entry.writes ? (reaches(furthest) ? furthest : undefined) : reaches(furthestWritten) ? furthestWritten : undefined;
      if (clash) {
        throw new ShardOverlapError(`${clash.label} and ${entry.label} share memory; a shard that is written may overlap no other`);
      }
      const end = (other?: (typeof all)[number]): number => (other ? other.shard.byteOffset + other.shard.length : -1);
      if (end(entry) > end(furthest)) furthest = entry;
      if (entry.writes && end(entry) > end(furthestWritten)) furthestWritten = entry;
    }
  }
}
