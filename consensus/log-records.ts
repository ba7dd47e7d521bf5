/**
 * The on-disk form of a member's durable state, as pure functions over bytes: records framed
 * with a magic number, a length and a CRC-32C, and the rules for reading them back after a
 * crash. The driver (node/raft/) only moves these bytes to and from files.
 *
 * A frame is `magic u32 | payload length u32 | crc32c(type ‖ payload) u32 | type u8 | payload`,
 * little-endian. Record types: entries (a batch that overwrites the log from its first index),
 * hard state (term, vote, commit), and snapshot (kept in its own file).
 */
import type { Config, DurableState, Entry, HardState, Snapshot } from './types.js';
import { NONE } from './types.js';

/** The first four bytes of every frame: a bad frame is found and a good one re-found by it. */
export const FRAME_MAGIC = 0x7e55_e4a1;
/** Magic, payload length, checksum and type. */
export const FRAME_HEADER_BYTES = 13;
/** The largest payload a frame may claim; a longer length is corruption, not a record. */
export const FRAME_PAYLOAD_MAX_BYTES = 256 * 1024 * 1024;

/** What one frame holds. */
export type LogRecord =
  | { readonly type: 'entries'; readonly entries: readonly Entry[] }
  | { readonly type: 'hardState'; readonly hardState: HardState }
  /** A snapshot, kept in its own file. */
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  /** In the log: a snapshot through (index, term) became durable here; earlier entries end. */
  | { readonly type: 'snapshotMark'; readonly index: number; readonly term: number };

const TYPE_CODE = { entries: 1, hardState: 2, snapshot: 3, snapshotMark: 4 } as const;

// ---- CRC-32C (Castagnoli), the checksum of iSCSI, ext4 and LevelDB ----------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `bytes`, continuing from `crc` (0 to start). */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i += 1) {
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}

// ---- encoding ---------------------------------------------------------------------------------

class Writer {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
  u8(value: number): void {
    this.room(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }
  u32(value: number): void {
    this.room(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }
  /** A non-negative safe integer (index, term, node id), exact as a float64. */
  number(value: number): void {
    this.room(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }
  bytes(value: Uint8Array): void {
    this.u32(value.length);
    this.room(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }
  ids(values: readonly number[]): void {
    this.u32(values.length);
    for (const value of values) this.number(value);
  }
  done(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

function encodePayload(record: LogRecord): Uint8Array {
  const out = new Writer();
  switch (record.type) {
    case 'entries':
      out.u32(record.entries.length);
      for (const entry of record.entries) {
        out.number(entry.index);
        out.number(entry.term);
        out.u8(entry.type === 'config' ? 1 : 0);
        out.bytes(entry.data);
      }
      break;
    case 'hardState':
      out.number(record.hardState.term);
      out.number(record.hardState.vote);
      out.number(record.hardState.commit);
      break;
    case 'snapshotMark':
      out.number(record.index);
      out.number(record.term);
      break;
    case 'snapshot': {
      const { meta, data } = record.snapshot;
      out.number(meta.index);
      out.number(meta.term);
      out.ids(meta.config.voters);
      out.ids(meta.config.learners);
      out.bytes(data);
      break;
    }
  }
  return out.done();
}

/** One framed record, ready to append. */
export function encodeRecord(record: LogRecord): Uint8Array {
  const payload = encodePayload(record);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint32(4, payload.length, true);
  frame[12] = TYPE_CODE[record.type];
  frame.set(payload, FRAME_HEADER_BYTES);
  view.setUint32(8, crc32c(frame.subarray(12)), true);
  return frame;
}

// ---- decoding ---------------------------------------------------------------------------------

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly source: Uint8Array) {
    this.view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  }
  private need(count: number): void {
    if (this.offset + count > this.source.length) throw new RangeError('record payload too short');
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }
  number(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`bad integer ${value}`);
    return value;
  }
  bytes(): Uint8Array {
    const length = this.u32();
    this.need(length);
    const value = this.source.slice(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  ids(): number[] {
    const count = this.u32();
    return Array.from({ length: count }, () => this.number());
  }
  end(): void {
    if (this.offset !== this.source.length)
      throw new RangeError('trailing bytes in record payload');
  }
}

function decodePayload(type: number, payload: Uint8Array): LogRecord {
  const input = new Reader(payload);
  let record: LogRecord;
  if (type === TYPE_CODE.entries) {
    const count = input.u32();
    const entries: Entry[] = [];
    for (let i = 0; i < count; i += 1) {
      const index = input.number();
      const term = input.number();
      const kind = input.u8() === 1 ? 'config' : 'normal';
      entries.push({ index, term, type: kind, data: input.bytes() });
    }
    record = { type: 'entries', entries };
  } else if (type === TYPE_CODE.hardState) {
    record = {
      type: 'hardState',
      hardState: { term: input.number(), vote: input.number(), commit: input.number() },
    };
  } else if (type === TYPE_CODE.snapshot) {
    const index = input.number();
    const term = input.number();
    const config: Config = { voters: input.ids(), learners: input.ids() };
    record = { type: 'snapshot', snapshot: { meta: { index, term, config }, data: input.bytes() } };
  } else if (type === TYPE_CODE.snapshotMark) {
    record = { type: 'snapshotMark', index: input.number(), term: input.number() };
  } else {
    throw new RangeError(`unknown record type ${type}`);
  }
  input.end();
  return record;
}

/** Reads the frame at `offset`: the record and its length, or why it is not a good frame. */
function readFrame(
  bytes: Uint8Array,
  offset: number,
): { ok: true; record: LogRecord; bytes: number } | { ok: false; reason: string } {
  if (offset + FRAME_HEADER_BYTES > bytes.length) return { ok: false, reason: 'header cut short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  if (view.getUint32(0, true) !== FRAME_MAGIC) return { ok: false, reason: 'no frame magic' };
  const length = view.getUint32(4, true);
  if (length > FRAME_PAYLOAD_MAX_BYTES) return { ok: false, reason: `impossible length ${length}` };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > bytes.length) return { ok: false, reason: 'record cut short' };
  const checked = bytes.subarray(offset + 12, end);
  if (crc32c(checked) !== view.getUint32(8, true))
    return { ok: false, reason: 'checksum mismatch' };
  try {
    return {
      ok: true,
      record: decodePayload(checked[0] as number, checked.subarray(1)),
      bytes: end - offset,
    };
  } catch (error) {
    return {
      ok: false,
      reason: `undecodable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * What a segment holds: its good records up to the first bad frame, where that frame starts
 * (`goodBytes`), why it is bad, and whether any good frame follows it. A bad frame with nothing
 * good after it is a torn tail (a write cut by a crash); a bad frame followed by good ones is
 * damage inside data that was already on disk.
 */
export interface SegmentScan {
  readonly records: LogRecord[];
  readonly goodBytes: number;
  readonly bad:
    | { readonly offset: number; readonly reason: string; readonly goodFrameAfter: boolean }
    | undefined;
}

/** Reads the frames of a segment in order, up to the first bad one. */
export function scanSegment(bytes: Uint8Array): SegmentScan {
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const frame = readFrame(bytes, offset);
    if (!frame.ok) {
      return {
        records,
        goodBytes: offset,
        bad: { offset, reason: frame.reason, goodFrameAfter: goodFrameAfter(bytes, offset + 1) },
      };
    }
    records.push(frame.record);
    offset += frame.bytes;
  }
  return { records, goodBytes: offset, bad: undefined };
}

function goodFrameAfter(bytes: Uint8Array, from: number): boolean {
  const magic = [
    FRAME_MAGIC & 0xff,
    (FRAME_MAGIC >>> 8) & 0xff,
    (FRAME_MAGIC >>> 16) & 0xff,
    FRAME_MAGIC >>> 24,
  ];
  for (
    let at = bytes.indexOf(magic[0] as number, from);
    at !== -1;
    at = bytes.indexOf(magic[0] as number, at + 1)
  ) {
    if (
      bytes[at + 1] === magic[1] &&
      bytes[at + 2] === magic[2] &&
      bytes[at + 3] === magic[3] &&
      readFrame(bytes, at).ok
    ) {
      return true;
    }
  }
  return false;
}

// ---- recovery ---------------------------------------------------------------------------------

/** The durable state rebuilt from a snapshot and the records of every segment, in order. */
export type Recovery =
  | { readonly ok: true; readonly state: DurableState }
  | { readonly ok: false; readonly reason: string };

/**
 * Replays the log's records in order, then the snapshot file: entries records overwrite the log
 * from their first index, the last hard state wins, and a snapshot (mark or file) through
 * (index, term) either compacts the log (when the log holds that entry: our own snapshot) or
 * replaces it (a leader's snapshot). Refuses, with a reason, a log that leaves a gap after the
 * snapshot, or that ends below the recorded commit index: a committed entry would be missing.
 */
export function replayRecords(
  snapshot: Snapshot | undefined,
  records: readonly LogRecord[],
): Recovery {
  let hardState: HardState = { term: 0, vote: NONE, commit: 0 };
  const log = { base: 0, baseTerm: 0, entries: [] as Entry[] };
  const applySnapshot = (index: number, term: number): void => {
    if (index <= log.base) return;
    const held = log.entries[index - log.base - 1];
    log.entries = held?.term === term ? log.entries.slice(index - log.base) : [];
    log.base = index;
    log.baseTerm = term;
  };
  for (const record of records) {
    if (record.type === 'hardState') {
      hardState = record.hardState;
    } else if (record.type === 'snapshotMark') {
      applySnapshot(record.index, record.term);
    } else if (record.type === 'entries') {
      const fresh = record.entries.filter((entry) => entry.index > log.base);
      const first = fresh[0];
      if (first === undefined) continue;
      const keep = first.index - log.base - 1;
      if (keep > log.entries.length) {
        // Segments before this one were deleted after a snapshot: the snapshot covers the gap.
        log.entries = [];
        log.base = first.index - 1;
        log.baseTerm = 0;
      } else {
        log.entries.length = keep;
      }
      for (const entry of fresh) log.entries.push(entry);
    }
  }
  if (snapshot !== undefined) applySnapshot(snapshot.meta.index, snapshot.meta.term);
  const expectedBase = snapshot?.meta.index ?? 0;
  if (log.base !== expectedBase) {
    return {
      ok: false,
      reason: `the log starts after ${log.base}, not after the snapshot at ${expectedBase}`,
    };
  }
  const lastIndex = log.base + log.entries.length;
  if (hardState.commit > lastIndex) {
    return {
      ok: false,
      reason: `the log ends at ${lastIndex} but ${hardState.commit} was committed`,
    };
  }
  return { ok: true, state: { hardState, snapshot, entries: log.entries } };
}
