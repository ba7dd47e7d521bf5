/**
 * How the fragment store lays its data out in the key-value store (LevelDB by default). Keys are
 * strings that sort by volume, stripe, fragment index, then sector or version:
 *
 *   m!<volume>!<stripe>!<index>              fragment metadata (JSON): version, registry, index
 *   d!<volume>!<stripe>!<index>!<sector>     one sector: CRC32C (4 bytes LE) then its bytes
 *   h!<volume>!<stripe>!<index>!<version>    one version's record: header (JSON) + payload
 *   b!<volume>!<stripe>!<index>              the base copy: header (JSON) + bytes
 *   f!<volume>!<stripe>                      the stripe's fence epoch (JSON)
 *
 * A small write rewrites only the sectors it touches (and their checksums), never the whole
 * fragment. Records and the base carry CRC32Cs of their payloads too, so history is checked on
 * read like the current bytes are.
 */
import { crc32c } from '@node-rs/crc32';
import { ChecksumMismatchError } from './errors.js';
import type { IndexRange } from './history-index.js';
import type { FragmentId, Version, WriterStamp } from './version.js';
import { versionKey } from './version.js';

const STRIPE_DIGITS = 13;

function fragmentPart(id: FragmentId): string {
  return `${id.volume}!${id.stripe.toString(16).padStart(STRIPE_DIGITS, '0')}!${id.index.toString(16).padStart(2, '0')}`;
}

export const keys = {
  meta: (id: FragmentId): string => `m!${fragmentPart(id)}`,
  sector: (id: FragmentId, sector: number): string =>
    `d!${fragmentPart(id)}!${sector.toString(16).padStart(4, '0')}`,
  record: (id: FragmentId, version: Version): string =>
    `h!${fragmentPart(id)}!${versionKey(version)}`,
  recordPrefix: (id: FragmentId): string => `h!${fragmentPart(id)}!`,
  base: (id: FragmentId): string => `b!${fragmentPart(id)}`,
  fence: (volume: string, stripe: number): string =>
    `f!${volume}!${stripe.toString(16).padStart(STRIPE_DIGITS, '0')}`,
  metaPrefix: (volume?: string): string => (volume === undefined ? 'm!' : `m!${volume}!`),
};

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

export function encodeSector(bytes: Uint8Array): Uint8Array {
  const { value, bytes: content } = newSectorValue(bytes.length);
  content.set(bytes);
  return sealSector(value);
}

/**
 * A sector value to fill in place: `bytes` is where its content goes (all zeros); sealSector then
 * writes the checksum. One allocation and no copy of the content beyond the caller's own.
 */
export function newSectorValue(length: number): { value: Uint8Array; bytes: Uint8Array } {
  const value = new Uint8Array(4 + length);
  return { value, bytes: value.subarray(4) };
}

/** Writes the CRC32C of a value from newSectorValue, once its content is in place. */
export function sealSector(value: Uint8Array): Uint8Array {
  new DataView(value.buffer, value.byteOffset).setUint32(0, crc32c(value.subarray(4)), true);
  return value;
}

/** The sector's bytes, after checking its CRC32C. */
export function decodeSector(value: Uint8Array, fragment: string, sector: number): Uint8Array {
  const bytes = value.subarray(4);
  if (
    value.length < 4 ||
    new DataView(value.buffer, value.byteOffset).getUint32(0, true) !== crc32c(bytes)
  ) {
    throw new ChecksumMismatchError(fragment, sector);
  }
  return bytes;
}

export function encodeRecord(
  header: Omit<RecordHeader, 'payloadCrc'>,
  bytes: Uint8Array,
): Uint8Array {
  return framed({ ...header, payloadCrc: crc32c(bytes) }, bytes);
}

export function decodeRecord(value: Uint8Array, fragment: string): VersionRecord {
  const { header, payload } = unframed<RecordHeader>(value);
  if (crc32c(payload) !== header.payloadCrc)
    throw new ChecksumMismatchError(`${fragment} record ${versionKey(header.version)}`, -1);
  return { header, bytes: payload };
}

/** The base copy's header; the payload is the fragment's bytes at `version`. */
export interface BaseHeader {
  version: Version;
  eventTimeMs: number;
  /** Writer ids and sequences folded into the base (so a retry is still recognised). */
  writers: string[];
  payloadCrc: number;
}

export function encodeBase(header: Omit<BaseHeader, 'payloadCrc'>, bytes: Uint8Array): Uint8Array {
  return framed({ ...header, payloadCrc: crc32c(bytes) }, bytes);
}

export function decodeBase(
  value: Uint8Array,
  fragment: string,
): { header: BaseHeader; bytes: Uint8Array } {
  const { header, payload } = unframed<BaseHeader>(value);
  if (crc32c(payload) !== header.payloadCrc)
    throw new ChecksumMismatchError(`${fragment} base`, -1);
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
