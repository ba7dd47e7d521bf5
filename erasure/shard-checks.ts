/**
 * Checks that every public method runs on its shards before it touches a byte: the count, one
 * common length, no detached buffer, and no written shard that shares memory with another shard
 * of the call. Each failure is a typed error naming the shard. These run on every call, so they
 * allocate nothing and build a label only when they throw.
 */
import {
  DetachedShardError,
  ShardCountError,
  ShardLengthError,
  ShardOverlapError,
} from './errors.js';

/** Names shard `index` of a call, for error messages. */
export type ShardLabel = (index: number) => string;

/** Throws ShardCountError unless `shards` is an array of exactly `expected` entries. */
export function checkCount(shards: readonly unknown[], expected: number, what: string): void {
  if (!Array.isArray(shards))
    throw new ShardCountError(`${what}: expected an array of ${expected} shards`);
  if (shards.length !== expected) {
    throw new ShardCountError(`${what}: expected ${expected} shards, got ${shards.length}`);
  }
}

/** Throws TypeError for a non-Uint8Array and DetachedShardError for a detached one. */
export function checkAttached(shard: Uint8Array, label: string): void {
  if (!(shard instanceof Uint8Array)) throw new TypeError(`${label} is not a Uint8Array`);
  // A detached buffer reports 0 bytes; only then is it worth the exact (allocating) test.
  if (shard.buffer.byteLength === 0 && isDetached(shard)) {
    throw new DetachedShardError(`${label} is a view of a detached ArrayBuffer`);
  }
}

function isDetached(shard: Uint8Array): boolean {
  try {
    new Uint8Array(shard.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Checks that shards[from…to-1] are attached Uint8Arrays of one length; returns the length. */
export function checkSameLength(
  shards: readonly Uint8Array[],
  label: ShardLabel,
  from = 0,
  to = shards.length,
): number {
  for (let index = from; index < to; index++) checkAttached(shards[index]!, label(index));
  const length = to > from ? shards[from]!.length : 0;
  for (let index = from + 1; index < to; index++) {
    if (shards[index]!.length !== length) {
      throw new ShardLengthError(
        `${label(index)} has ${shards[index]!.length} bytes but ${label(from)} has ${length}: all shards must have one length`,
      );
    }
  }
  return length;
}

/**
 * Throws ShardOverlapError when a written shard shares a byte with any other shard: `written`
 * and `read` are lists of shards, labelled by `label(index)` for written and
 * `label(written.length + index)` for read. Read shards may overlap one another.
 */
export function checkNoOverlap(
  written: readonly Uint8Array[],
  read: readonly Uint8Array[],
  label: ShardLabel,
): void {
  for (let w = 0; w < written.length; w++) {
    const shard = written[w]!;
    if (shard.length === 0) continue;
    for (let other = w + 1; other < written.length; other++) {
      if (overlaps(shard, written[other]!)) throw overlapError(label(w), label(other));
    }
    for (let r = 0; r < read.length; r++) {
      if (overlaps(shard, read[r]!)) throw overlapError(label(w), label(written.length + r));
    }
  }
}

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.buffer === b.buffer &&
    b.length > 0 &&
    a.byteOffset < b.byteOffset + b.length &&
    b.byteOffset < a.byteOffset + a.length
  );
}

function overlapError(a: string, b: string): ShardOverlapError {
  return new ShardOverlapError(
    `${a} and ${b} share memory; a shard that is written may overlap no other`,
  );
}
