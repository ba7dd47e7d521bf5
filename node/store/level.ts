/**
 * What the fragment store needs of a key-value database: ordered string keys, binary values,
 * atomic batches with an optional fsync, range scans. abstract-level databases (classic-level,
 * memory-level, the RocksDB binding) have this shape, and so does the segment store
 * (segment-db.ts), which is written for fragments.
 */

export type BatchOperation =
  { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

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
  /** Bytes of live keys and values, where the database keeps count (else the store scans). */
  liveBytes?(): number;
  /** Its files and their compaction, where the database reports them (the segment store does). */
  readonly stats?: StorageStats;
  values(range?: KeyRange): AsyncIterable<Uint8Array>;
}
