/**
 * The segment store: a key-value database written for fragments, where a value is written once.
 * Every batch is one frame appended to the active segment file (segment-frame.ts) with one writev
 * and, when asked, one fdatasync; an in-memory key directory says where each key's newest value
 * is (its segment and offset), and keeps small values (metadata, fences) in memory too. Nothing is
 * rewritten in place and nothing is written twice: LevelDB writes a value to its log, then to a
 * table at flush, then again at each compaction.
 *
 * - Opening replays the segments in order. A frame that does not check at the end of the newest
 *   segment is a write that a crash cut short (it was never acknowledged: an acknowledged write
 *   was fdatasynced, and so was every frame before it) and is cut off; anywhere else it is damage,
 *   and the store refuses to open (StoreCorruptError) rather than serve a guess.
 * - Every value carries a CRC32C, checked whenever it is read from disk; a mismatch is a
 *   ChecksumMismatchError, never bytes.
 * - A sealed segment whose live share falls below `compactBelow` is compacted: its live values
 *   are appended again and the file is deleted once the copies are on disk. A copy is appended
 *   only if the value is still the key's newest at that moment (and a tombstone only if the key
 *   is still absent), in the same turn of the write queue, so a copy never lands after a newer
 *   write of its key. Tombstones are dropped only from the oldest segment, behind which no older
 *   value of their key can remain.
 * - After a failed fdatasync the store refuses every further write (what reached the disk is not
 *   known); a failed write that could be cut off again (a full disk) leaves it usable.
 */
import {
  mkdir,
  open,
  readdir,
  readFile,
  rm,
  unlink,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { syncDirectory } from '../env/sync-directory.js';
import { ChecksumMismatchError, StoreCorruptError, StoreLockedError } from './errors.js';
import {
  joinedValue,
  type BatchOperation,
  type BatchValue,
  type KeyRange,
  type Level,
  type StorageStats,
} from './level.js';
import {
  decodeDescriptor,
  decodeHeader,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  type DescribedOperation,
} from './segment-frame.js';
import { SortedKeys } from './sorted-keys.js';

export interface SegmentDatabaseOptions {
  /** A new segment file is started once the active one holds this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** Values up to this many bytes are kept in memory as well as on disk (default 1 KiB). */
  inlineBytes?: number;
  /** Keys whose values stay in memory whatever their size (the fragment store's metadata). */
  inMemory?: (key: string) => boolean;
  /** A sealed segment is compacted once less than this share of it is live (default 0.5). */
  compactBelow?: number;
}

interface Segment {
  id: number;
  file: string;
  handle: FileHandle;
  size: number;
  /** Bytes of values, keys and tombstones that are still the newest for their key. */
  live: number;
  /** Reads in progress: a compacted segment's handle closes when the last one ends. */
  readers: number;
  retired: boolean;
}

interface Entry {
  segment: Segment;
  /** Where the value starts in the segment file. */
  offset: number;
  length: number;
  crc: number;
  /** The value itself when it is small (checked when it was read or written). */
  value: Uint8Array | null;
}

/** Bytes a frame spends on a key besides its value (kind, key length, value length and CRC). */
const OPERATION_OVERHEAD_BYTES = 11;
/** Compaction copies this many bytes of live values per turn of the write queue. */
const COMPACTION_TURN_BYTES = 4 << 20;
/** Replay and compaction read segment files this many bytes at a time. */
const READ_WINDOW_BYTES = 4 << 20;

const SEGMENT_NAME = /^(\d{8})\.seg$/;
const openDirectories = new Set<string>();

export class SegmentDatabase implements Level {
  /** A put's value may come in parts: they go to the file with the frame's writev, uncopied. */
  readonly acceptsValueParts = true;
  status: 'opening' | 'open' | 'closing' | 'closed' = 'closed';
  private readonly keydir = new Map<string, Entry>();
  private sorted = new SortedKeys();
  private segments: Segment[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;
  private compacting = false;
  private readonly segmentBytes: number;
  private readonly inlineBytes: number;
  private readonly inMemory: (key: string) => boolean;
  private readonly compactBelow: number;
  private compactions = 0;
  private bytesCompacted = 0;

  constructor(
    readonly directory: string,
    options: SegmentDatabaseOptions = {},
  ) {
    this.segmentBytes = options.segmentBytes ?? 64 << 20;
    this.inlineBytes = options.inlineBytes ?? 1024;
    this.inMemory = options.inMemory ?? (() => false);
    this.compactBelow = options.compactBelow ?? 0.5;
  }

  get stats(): StorageStats {
    let bytes = 0;
    let liveBytes = 0;
    for (const segment of this.segments) {
      bytes += segment.size;
      liveBytes += segment.live;
    }
    return {
      segments: this.segments.length,
      bytes,
      liveBytes,
      compactions: this.compactions,
      bytesCompacted: this.bytesCompacted,
    };
  }

  liveBytes(): number {
    return this.stats.liveBytes;
  }

  async open(): Promise<void> {
    if (this.status === 'open') return;
    this.status = 'opening';
    await mkdir(this.directory, { recursive: true });
    await this.lock();
    try {
      const ids = (await readdir(this.directory))
        .map((name) => SEGMENT_NAME.exec(name))
        .filter((match) => match !== null)
        .map((match) => Number(match[1]))
        .sort((a, b) => a - b);
      for (const [i, id] of ids.entries()) {
        const segment = await this.openSegment(id, false);
        this.segments.push(segment);
        await this.replay(segment, i === ids.length - 1);
      }
      if (this.segments.length === 0) this.segments.push(await this.openSegment(1, true));
    } catch (error) {
      await this.release();
      throw error;
    }
    this.status = 'open';
  }

  async close(): Promise<void> {
    if (this.status === 'closed') return;
    this.status = 'closing';
    await this.queue.catch(() => {});
    while (this.compacting) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.queue.catch(() => {});
    await this.release();
    this.status = 'closed';
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const entry = this.keydir.get(key);
    if (!entry) return undefined;
    if (entry.value) return entry.value;
    return this.readValue(key, entry);
  }

  getMany(keys: string[]): Promise<(Uint8Array | undefined)[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.batch([{ type: 'put', key, value }], { sync: false });
  }

  batch(operations: BatchOperation[], options: { sync: boolean }): Promise<void> {
    if (this.status !== 'open') return Promise.reject(new Error(`the store is ${this.status}`));
    for (const op of operations) {
      if (typeof op.key !== 'string') throw new TypeError('a key must be a string');
      if (
        op.type === 'put' &&
        !(op.value instanceof Uint8Array) &&
        !(Array.isArray(op.value) && op.value.every((part) => part instanceof Uint8Array))
      )
        throw new TypeError(`the value of ${op.key} must be a Uint8Array or an array of them`);
    }
    return this.enqueue(() => this.append(operations, options.sync));
  }

  async *iterator(range: KeyRange = {}): AsyncGenerator<[string, Uint8Array]> {
    for (const key of this.sorted.range(range.gte, range.lt)) {
      const value = await this.get(key);
      if (value) yield [key, value];
    }
  }

  async *keys(range: KeyRange = {}): AsyncGenerator<string> {
    for (const key of this.sorted.range(range.gte, range.lt)) {
      await Promise.resolve(); // one key per turn, as the other databases' iterators do
      if (this.keydir.has(key)) yield key;
    }
  }

  async *values(range: KeyRange = {}): AsyncGenerator<Uint8Array> {
    for await (const [, value] of this.iterator(range)) yield value;
  }

  /** Runs `task` after every write queued before it: writes reach the file in order. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => {});
    return result;
  }

  /** Appends one frame and, once it is on disk (synced where asked), points the keys at it. */
  private async append(operations: readonly BatchOperation[], sync: boolean): Promise<void> {
    if (this.failure) throw this.failure;
    if (operations.length === 0) return;
    const frame = encodeFrame(operations);
    let segment = this.active;
    if (segment.size > 0 && segment.size + frame.bytes > this.segmentBytes)
      segment = await this.roll();
    const start = segment.size;
    try {
      await writeAll(segment.handle, frame.buffers, start);
    } catch (error) {
      // Cut back what part of the frame landed; if even that fails, nothing more is written.
      await segment.handle.truncate(start).catch(() => {
        this.failure = error as Error;
      });
      throw error;
    }
    segment.size += frame.bytes;
    if (sync) await this.datasync(segment);
    frame.operations.forEach((op, i) => {
      const written = operations[i]!;
      this.install(op, segment, start, written.type === 'put' ? written.value : null);
    });
    this.scheduleCompaction();
  }

  /** Points a key at a value just written or replayed (or removes it, for a tombstone). */
  private install(
    op: DescribedOperation,
    segment: Segment,
    frameStart: number,
    value: BatchValue | null,
  ): void {
    const old = this.keydir.get(op.key);
    if (old) old.segment.live -= entryBytes(op.key, old.length);
    if (op.type === 'del') {
      if (old) {
        this.keydir.delete(op.key);
        this.sorted.delete(op.key);
      }
      // A tombstone stays live: it hides older values of its key in older segments.
      segment.live += entryBytes(op.key, 0);
      return;
    }
    const entry: Entry = {
      segment,
      offset: frameStart + op.valueOffset,
      length: op.valueLength,
      crc: op.valueCrc,
      // A copy: the caller may reuse its buffer once the write resolved.
      value:
        value && this.keptInMemory(op)
          ? value instanceof Uint8Array
            ? value.slice()
            : joinedValue(value)
          : null,
    };
    if (!old) this.sorted.add(op.key);
    this.keydir.set(op.key, entry);
    segment.live += entryBytes(op.key, op.valueLength);
  }

  private keptInMemory(op: DescribedOperation): boolean {
    return op.valueLength <= this.inlineBytes || this.inMemory(op.key);
  }

  private async readValue(key: string, entry: Entry): Promise<Uint8Array> {
    const { segment } = entry;
    segment.readers++;
    try {
      const value = await readAt(segment.handle, entry.offset, entry.length);
      if (crc32c(value) !== entry.crc)
        throw new ChecksumMismatchError(
          key,
          `the value at byte ${entry.offset} of ${segment.file}`,
        );
      return value;
    } finally {
      segment.readers--;
      if (segment.retired && segment.readers === 0) await segment.handle.close().catch(() => {});
    }
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private async datasync(segment: Segment): Promise<void> {
    try {
      await segment.handle.datasync();
    } catch (error) {
      this.failure = new Error(
        `fdatasync of ${segment.file} failed (${(error as Error).message}); the store takes no more writes, restart the node`,
        { cause: error },
      );
      throw this.failure;
    }
  }

  /** Seals the active segment (all of it on disk) and starts the next. */
  private async roll(): Promise<Segment> {
    await this.datasync(this.active);
    const next = await this.openSegment(this.active.id + 1, true);
    this.segments.push(next);
    return next;
  }

  private async openSegment(id: number, create: boolean): Promise<Segment> {
    const file = join(this.directory, `${String(id).padStart(8, '0')}.seg`);
    const handle = await open(file, create ? 'wx+' : 'r+');
    if (create) await syncDirectory(this.directory);
    const size = create ? 0 : (await handle.stat()).size;
    return { id, file, handle, size, live: 0, readers: 0, retired: false };
  }

  /** Replays a segment into the key directory; a cut-short tail of the newest one is cut off. */
  private async replay(segment: Segment, newest: boolean): Promise<void> {
    const reader = new WindowReader(segment.handle, segment.size);
    let position = 0;
    while (position < segment.size) {
      const frame = await readFrame(reader, position);
      if (!frame.ok) {
        if (newest && !(await frameAfter(reader, position + 1))) {
          await segment.handle.truncate(position);
          await segment.handle.datasync();
          segment.size = position;
          return;
        }
        throw new StoreCorruptError(segment.file, position, frame.why);
      }
      for (const op of frame.operations) {
        let value: Uint8Array | null = null;
        if (op.type === 'put' && this.keptInMemory(op)) {
          const bytes = await reader.bytes(position + op.valueOffset, op.valueLength);
          // A damaged small value stays on disk only: reading it fails its CRC, never returns it.
          if (crc32c(bytes) === op.valueCrc) value = bytes; // install copies it out of the window
        }
        this.install(op, segment, position, value);
      }
      position = frame.end;
    }
  }

  /** Starts compacting the sealed segment with the smallest live share, if one is below the bar. */
  private scheduleCompaction(): void {
    if (this.compacting || this.status !== 'open') return;
    let candidate: Segment | undefined;
    for (const segment of this.segments.slice(0, -1)) {
      const share = segment.live / Math.max(1, segment.size);
      if (share < this.compactBelow && (!candidate || share < candidate.live / candidate.size))
        candidate = segment;
    }
    if (!candidate) return;
    this.compacting = true;
    void this.compact(candidate)
      .catch(() => {})
      .finally(() => {
        this.compacting = false;
      });
  }

  /** Copies a sealed segment's live values forward, then deletes it. */
  private async compact(segment: Segment): Promise<void> {
    const reader = new WindowReader(segment.handle, segment.size);
    const oldest = this.segments[0] === segment;
    let copies: Copy[] = [];
    let copyBytes = 0;
    for (let position = 0; position < segment.size;) {
      const frame = await readFrame(reader, position);
      if (!frame.ok) throw new StoreCorruptError(segment.file, position, frame.why);
      for (const op of frame.operations) {
        if (op.type === 'del') {
          if (!oldest && !this.keydir.has(op.key)) copies.push({ key: op.key, from: null });
          continue;
        }
        const entry = this.keydir.get(op.key);
        if (entry?.segment !== segment || entry.offset !== position + op.valueOffset) continue;
        const value = entry.value ?? (await reader.bytes(entry.offset, entry.length)).slice();
        copies.push({ key: op.key, from: entry, value });
        copyBytes += value.length;
        if (copyBytes >= COMPACTION_TURN_BYTES) {
          await this.enqueue(() => this.appendCopies(copies));
          copies = [];
          copyBytes = 0;
        }
      }
      position = frame.end;
    }
    await this.enqueue(async () => {
      await this.appendCopies(copies);
      await this.datasync(this.active);
      this.segments = this.segments.filter((s) => s !== segment);
      segment.retired = true;
      await unlink(segment.file);
      await syncDirectory(this.directory);
      if (segment.readers === 0) await segment.handle.close();
    });
    this.compactions++;
    this.bytesCompacted += segment.size;
  }

  /**
   * Appends the copies that are still current: a value still the newest of its key, a tombstone
   * whose key is still absent. Run in the write queue, so that no write of those keys can come
   * between this check and the append.
   */
  private async appendCopies(copies: readonly Copy[]): Promise<void> {
    const current = copies.filter((copy) =>
      copy.from ? this.keydir.get(copy.key) === copy.from : !this.keydir.has(copy.key),
    );
    await this.append(
      current.map((copy): BatchOperation =>
        copy.from
          ? { type: 'put', key: copy.key, value: copy.value }
          : { type: 'del', key: copy.key },
      ),
      false,
    );
  }

  /** Takes the directory: one store per directory, across processes and within this one. */
  private async lock(): Promise<void> {
    const file = join(this.directory, 'LOCK');
    if (openDirectories.has(this.directory))
      throw new StoreLockedError(this.directory, 'another store in this process');
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (holder > 0 && holder !== process.pid && processAlive(holder))
      throw new StoreLockedError(this.directory, `process ${holder}`);
    await writeFile(file, `${process.pid}\n`);
    openDirectories.add(this.directory);
  }

  private async release(): Promise<void> {
    for (const segment of this.segments) await segment.handle.close().catch(() => {});
    this.segments = [];
    this.keydir.clear();
    this.sorted = new SortedKeys();
    if (openDirectories.delete(this.directory))
      await rm(join(this.directory, 'LOCK'), { force: true });
  }
}

type Copy = { key: string; from: Entry; value: Uint8Array } | { key: string; from: null };

function entryBytes(key: string, valueBytes: number): number {
  return key.length + valueBytes + OPERATION_OVERHEAD_BYTES;
}

/** A frame read at `position`: its operations and where the next frame starts, or why it is not one. */
async function readFrame(
  reader: WindowReader,
  position: number,
): Promise<
  { ok: true; operations: DescribedOperation[]; end: number } | { ok: false; why: string }
> {
  if (position + FRAME_HEADER_BYTES > reader.size)
    return { ok: false, why: 'a frame header is cut short' };
  const header = decodeHeader(await reader.bytes(position, FRAME_HEADER_BYTES));
  if (!header.ok) return header;
  const descriptorEnd = position + FRAME_HEADER_BYTES + header.descriptorBytes;
  if (descriptorEnd > reader.size) return { ok: false, why: 'a frame descriptor is cut short' };
  const descriptor = decodeDescriptor(
    await reader.bytes(position + FRAME_HEADER_BYTES, header.descriptorBytes),
    header.descriptorCrc,
  );
  if (!descriptor.ok) return descriptor;
  const end = descriptorEnd + descriptor.payloadBytes;
  if (end > reader.size) return { ok: false, why: 'a frame payload is cut short' };
  return { ok: true, operations: descriptor.operations, end };
}

/** Whether any frame that checks starts after `from`: then a bad frame before it is damage, not a cut-short write. */
async function frameAfter(reader: WindowReader, from: number): Promise<boolean> {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(FRAME_MAGIC);
  for (let position = from; position + FRAME_HEADER_BYTES <= reader.size; position++) {
    const bytes = await reader.bytes(position, 4);
    if (Buffer.compare(Buffer.from(bytes), magic) === 0 && (await readFrame(reader, position)).ok)
      return true;
  }
  return false;
}

/** Reads a file through a window, so that replaying many small frames costs few reads. */
class WindowReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** [position, position + length) of the file; valid until the next call. */
  async bytes(position: number, length: number): Promise<Uint8Array> {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length)
      return this.window.subarray(offset, offset + length);
    const span = Math.min(Math.max(length, READ_WINDOW_BYTES), this.size - position);
    this.window = await readAt(this.handle, position, span);
    this.windowStart = position;
    return this.window.subarray(0, length);
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafeSlow(length);
  for (let done = 0; done < length;) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`a segment file ends before byte ${position + length}`);
    done += bytesRead;
  }
  return buffer;
}

async function writeAll(
  handle: FileHandle,
  buffers: Uint8Array[],
  position: number,
): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) skip -= buffer.length;
      else {
        rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
    }
    pending = rest;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
