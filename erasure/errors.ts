/**
 * The erasure engine's errors: one class per kind of failure, each with a stable `code` that
 * callers (and the gRPC adapter, later) can match on. Every check runs before any byte is
 * touched, so an error means nothing changed.
 */

/** Base of every error the erasure engine throws on bad input or exhausted resources. */
export class ErasureError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An impossible scheme or argument (k, m, an index, a coefficient): also a RangeError. */
export class ErasureRangeError extends RangeError {
  readonly code = 'ERASURE_RANGE';
  constructor(message: string) {
    super(message);
    this.name = 'ErasureRangeError';
  }
}

/** The shard array has the wrong number of entries. */
export class ShardCountError extends ErasureError {
  constructor(message: string) {
    super('ERASURE_SHARD_COUNT', message);
  }
}

/** Shards that should have one length do not, or a range falls outside a shard. */
export class ShardLengthError extends ErasureError {
  constructor(message: string) {
    super('ERASURE_SHARD_LENGTH', message);
  }
}

/** A shard that will be written shares bytes with another shard of the same call. */
export class ShardOverlapError extends ErasureError {
  constructor(message: string) {
    super('ERASURE_SHARD_OVERLAP', message);
  }
}

/** A shard whose ArrayBuffer has been detached (transferred or grown away). */
export class DetachedShardError extends ErasureError {
  constructor(message: string) {
    super('ERASURE_SHARD_DETACHED', message);
  }
}

/** More shards are missing than the parity can rebuild. */
export class TooManyMissingError extends ErasureError {
  constructor(
    readonly missing: number,
    readonly tolerated: number,
  ) {
    super(
      'ERASURE_TOO_MANY_MISSING',
      `${missing} shards are missing but at most ${tolerated} may be: the data cannot be rebuilt`,
    );
  }
}

/** The shard arena has no free block of the size asked for. */
export class ArenaFullError extends ErasureError {
  constructor(
    readonly requestedBytes: number,
    readonly freeBytes: number,
  ) {
    super(
      'ERASURE_ARENA_FULL',
      `the shard arena cannot hold ${requestedBytes} more bytes (${freeBytes} free in all); ` +
        'release shards or create the engine with a larger arenaBytes',
    );
  }
}

/** A shard given to release() that the arena did not hand out, or already took back. */
export class ForeignShardError extends ErasureError {
  constructor(message: string) {
    super('ERASURE_FOREIGN_SHARD', message);
  }
}
