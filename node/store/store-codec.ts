/**
 * How the fragment store lays its data out in the key-value store (the segment store by
 * default). Keys are strings that sort by volume, stripe, fragment index, then version:
 *
 *   m!<volume>!<stripe>!<index>              fragment metadata (JSON): version, registry, index
 *   h!<volume>!<stripe>!<index>!<version>    one version's record: header (JSON) + payload
 *   b!<volume>!<stripe>!<index>              the base copy: header (JSON) + bytes
 *   f!<volume>!<stripe>                      the stripe's fence (JSON)
 *
 * A write stores only the bytes it wrote, once, in its record; the metadata's index says which
 * record (or the base) holds each range of the current version. Records and the base carry
 * CRC32Cs of their payloads, checked on every read. (Stores written before the index was the
 * only way to the current bytes also hold d! sector keys; nothing reads them.)
 */
import { crc32c } from '@node-rs/crc32';
import { ChecksumMismatchError } from './errors.js';
import type { IndexRange } from './history-index.js';
import type { BatchValue } from './level.js';
import type { FoldedWriter, FragmentId, Version, WriterStamp } from './version.js';
import { foldWriters, legacyFoldedWriter, versionKey } from './version.js';

const STRIPE_DIGITS = 13;

function fragmentPart(id: FragmentId): string {
  return `${id.volume}!${id.stripe.toString(16).padStart(STRIPE_DIGITS, '0')}!${id.index.toString(16).padStart(2, '0')}`;
}

export const keys = {
  meta: (id: FragmentId): string => `m!${fragmentPart(id)}`,
  record: (id: FragmentId, version: Version): string =>
    `h!${fragmentPart(id)}!${versionKey(version)}`,
  recordPrefix: (id: FragmentId): string => `h!${fragmentPart(id)}!`,
  base: (id: FragmentId): string => `b!${fragmentPart(id)}`,
  fence: (volume: string, stripe: number): string =>
    `f!${volume}!${stripe.toString(16).padStart(STRIPE_DIGITS, '0')}`,
  metaPrefix: (volume?: string): string => (volume === undefined ? 'm!' : `m!${volume}!`),
};

/** Whether a key holds metadata or a fence (small, and read by every write), not bytes. */
export function isMetadataKey(key: string): boolean {
  return key.startsWith('m!') || key.startsWith('f!');
}

/** Parses a meta key back into its fragment id. */
export function fragmentOfMetaKey(key: string): FragmentId {
  const [, volume, stripe, index] = key.split('!');
  return { volume: volume!, stripe: parseInt(stripe!, 16), index: parseInt(index!, 16) };
}

/** A fragment's metadata. */
export interface FragmentMeta {
  version: Version;
  blockBytes: number;
  /** For a parity fragment: the k + m versions as of its last write. */
  registry: Version[] | null;
  /** The stripe's newest settled version that the owner has told this store. */
  settled: Version;
  /** The version the base copy holds (versions at or below it are folded). */
  baseVersion: Version;
  /** Where each byte of the current version is (see history-index.ts). */
  index: IndexRange[];
}

/** What kind of write made a version. */
export type RecordKind = 'data' | 'parity' | 'whole';

/** The header of one version's record. The payload is the bytes [start, end) it wrote. */
export interface RecordHeader {
  kind: RecordKind;
  version: Version;
  writer: WriterStamp;
  /** Other writer parts the version carries (a parity update of several data fragments). */
  alsoWriters?: WriterStamp[];
  digest: string;
  start: number;
  end: number;
  registry: Version[] | null;
  /** Where each byte of this version is. */
  index: IndexRange[];
  /**
   * The index this version was written over: the old bytes of [start, end), and so a data
   * write's recorded outcome (old xor new), are read through it rather than stored twice.
   */
  previousIndex: IndexRange[];
  payloadCrc: number;
}

export interface VersionRecord {
  header: RecordHeader;
  /** The bytes [start, end) as this version wrote them. */
  bytes: Uint8Array;
}

export function encodeRecord(
  header: Omit<RecordHeader, 'payloadCrc'>,
  bytes: Uint8Array,
): Uint8Array {
  return framed({ ...header, payloadCrc: crc32c(bytes) }, bytes);
}

/**
 * A record's value, and the record as decodeRecord would read it back from that value.
 * `owned`: the payload is the caller's to give away (nobody changes it afterwards), so the value
 * is two parts, the header and the payload itself, uncopied; otherwise one array with a copy.
 */
export function encodeRecordKept(
  header: Omit<RecordHeader, 'payloadCrc'>,
  bytes: Uint8Array,
  owned = false,
  /** The payload's CRC32C, when the caller has it already. */
  payloadCrc = crc32c(bytes),
): { value: BatchValue; record: VersionRecord } {
  const full: RecordHeader = { ...header, payloadCrc };
  if (owned) return { value: [frameHead(full), bytes], record: { header: full, bytes } };
  const value = framed(full, bytes);
  return { value, record: { header: full, bytes: value.subarray(value.length - bytes.length) } };
}

/**
 * A record's header alone, its payload not checked: the history lists a version whose bytes are
 * damaged (reading them is what fails), so that a repair knows the version it must expect.
 */
export function decodeRecordHeader(value: Uint8Array): RecordHeader {
  return unframed<RecordHeader>(value).header;
}

export function decodeRecord(value: Uint8Array, fragment: string): VersionRecord {
  const { header, payload } = unframed<RecordHeader>(value);
  if (crc32c(payload) !== header.payloadCrc)
    throw new ChecksumMismatchError(
      fragment,
      `the record of version ${versionKey(header.version)}`,
    );
  return { header, bytes: payload };
}

/** The base copy's header; the payload is the fragment's bytes at `version`. */
export interface BaseHeader {
  version: Version;
  eventTimeMs: number;
  /** The writers folded into the base, each with its highest sequence folded (foldWriters). */
  folded?: FoldedWriter[];
  /** Bases folded before session 13: each writer part folded, as "writerId:writerSeq:part". */
  writers?: string[];
  /**
   * The registry its version was written with, where it had one (a parity's): a recovery that
   * steps a parity back to the base needs what that version named. Absent in bases folded before
   * session 12, which a recovery cannot step back to.
   */
  registry?: Version[];
  payloadCrc: number;
}

/** The writers folded into a base, whichever way it names them. */
export function foldedWritersOf(header: BaseHeader): FoldedWriter[] {
  return foldWriters(header.folded ?? [], (header.writers ?? []).map(legacyFoldedWriter));
}

export function encodeBase(header: Omit<BaseHeader, 'payloadCrc'>, bytes: Uint8Array): Uint8Array {
  return framed({ ...header, payloadCrc: crc32c(bytes) }, bytes);
}

/** A base copy's header alone, its payload not checked (see decodeRecordHeader). */
export function decodeBaseHeader(value: Uint8Array): BaseHeader {
  return unframed<BaseHeader>(value).header;
}

export function decodeBase(
  value: Uint8Array,
  fragment: string,
): { header: BaseHeader; bytes: Uint8Array } {
  const { header, payload } = unframed<BaseHeader>(value);
  if (crc32c(payload) !== header.payloadCrc)
    throw new ChecksumMismatchError(fragment, 'the base copy');
  return { header, bytes: payload };
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

export function decodeJson<T>(value: Uint8Array): T {
  return JSON.parse(
    Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8'),
  ) as T;
}

/** The length prefix and the JSON of a header: what comes before a framed payload. */
function frameHead(header: unknown): Uint8Array {
  const json = JSON.stringify(header);
  const head = Buffer.allocUnsafe(4 + Buffer.byteLength(json));
  head.writeUInt32LE(head.length - 4, 0);
  head.write(json, 4, 'utf8');
  return head;
}

function framed(header: unknown, payload: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const value = new Uint8Array(4 + json.length + payload.length);
  new DataView(value.buffer).setUint32(0, json.length, true);
  value.set(json, 4);
  value.set(payload, 4 + json.length);
  return value;
}

function unframed<T>(value: Uint8Array): { header: T; payload: Uint8Array } {
  const length = new DataView(value.buffer, value.byteOffset).getUint32(0, true);
  return {
    header: decodeJson<T>(value.subarray(4, 4 + length)),
    payload: value.subarray(4 + length),
  };
}
