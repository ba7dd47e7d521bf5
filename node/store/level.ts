/**
 * What the fragment store needs of a key-value database: ordered string keys, binary values,
 * atomic batches with an optional fsync, range scans. abstract-level databases (classic-level,
 * memory-level, the RocksDB binding) have this shape, and so does the segment store
 * (segment-db.ts), which is written for fragments.
 */

/**
 * A put's value: one array, or its parts in order (written one after another, read back as one
 * value). Only a database with `acceptsValueParts` takes parts; the fragment store joins them for
 * any other.
 */
export type BatchValue = Uint8Array | readonly Uint8Array[];

export type BatchOperation =
  { type: 'put'; key: string; value: BatchValue } | { type: 'del'; key: string };

/** Bytes of a value, whole or in parts. */
export function valueLength(value: BatchValue): number {
  if (value instanceof Uint8Array) return value.length;
  let length = 0;
  for (const part of value) length += part.length;
  return length;
}

/** A value as one array (its parts copied into a new one; a whole value as it is). */
export function joinedValue(value: BatchValue): Uint8Array {
  return value instanceof Uint8Array ? value : Buffer.concat(value);
}

/** A key range: gte <= key < lt (either bound may be left out). */
export interface KeyRange {
  gte?: string;
  lt?: string;
}

/** What a database's files hold and what compaction has done (for metrics). */
export interface StorageStats {
  /** Files (segments) and their bytes on disk, and how many of those bytes are live. */
  segments: number;
  bytes: number;
  liveBytes: number;
  compactions: number;
  /** Bytes of segments compacted away so far. */
  bytesCompacted: number;
}

export interface Level {
  readonly status: string;
  open(): Promise<void>;
  close(): Promise<void>;
  /** The value, or undefined where the key is absent. */
  get(key: string): Promise<Uint8Array | undefined>;
  getMany(keys: string[]): Promise<(Uint8Array | undefined)[]>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** All or none of the operations; with sync, durable when the promise resolves. */
  batch(operations: BatchOperation[], options: { sync: boolean }): Promise<void>;
  iterator(range?: KeyRange): AsyncIterable<[string, Uint8Array]>;
  keys(range?: KeyRange): AsyncIterable<string>;
  /** Whether batch() takes a put's value in parts (BatchValue); else only whole arrays. */
  readonly acceptsValueParts?: boolean;
  /** Bytes of live keys and values, where the database keeps count (else the store scans). */
  liveBytes?(): number;
  /** Its files and their compaction, where the database reports them (the segment store does). */
  readonly stats?: StorageStats;
  values(range?: KeyRange): AsyncIterable<Uint8Array>;
}
