/**
 * Fragment files: what `tessera ec` writes and reads. A file is cut into stripes of k chunks of
 * `chunkBytes` (the last one zero-padded); fragment file i holds chunk i of every stripe, each
 * followed by its CRC32, behind a fixed header:
 *
 *   offset size  field
 *   0      8     magic "TSRFRAG1"
 *   8      2     k                 10  2  m
 *   12     2     fragment index    14  2  reserved (0)
 *   16     4     chunkBytes        20  4  header CRC32 of bytes [0, 20) and [24, 64)
 *   24     8     file bytes (u64)
 *   32     32    SHA-256 of the whole file
 *
 * A chunk whose CRC32 does not match is treated as missing (decoded around), never returned.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const FRAGMENT_MAGIC = 'TSRFRAG1';
export const HEADER_BYTES = 64;
export const CHUNK_CHECKSUM_BYTES = 4;

/** A fragment file's header. */
export interface FragmentHeader {
  k: number;
  m: number;
  index: number;
  chunkBytes: number;
  fileBytes: number;
  fileSha256: string;
}

/** A fragment file that is not one, or is damaged where it cannot be decoded around. */
export class FragmentFormatError extends Error {
  readonly code = 'FRAGMENT_FORMAT';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'FragmentFormatError';
  }
}

export function encodeHeader(header: FragmentHeader): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.write(FRAGMENT_MAGIC, 0, 'latin1');
  bytes.writeUInt16LE(header.k, 8);
  bytes.writeUInt16LE(header.m, 10);
  bytes.writeUInt16LE(header.index, 12);
  bytes.writeUInt32LE(header.chunkBytes, 16);
  bytes.writeBigUInt64LE(BigInt(header.fileBytes), 24);
  Buffer.from(header.fileSha256, 'hex').copy(bytes, 32);
  bytes.writeUInt32LE(headerChecksum(bytes), 20);
  return bytes;
}

export function decodeHeader(bytes: Buffer, file: string): FragmentHeader {
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 8) !== FRAGMENT_MAGIC) {
    throw new FragmentFormatError(
      file,
      `not a Tessera fragment file (no ${FRAGMENT_MAGIC} header)`,
    );
  }
  if (bytes.readUInt32LE(20) !== headerChecksum(bytes)) {
    throw new FragmentFormatError(
      file,
      'the header checksum does not match: the header is corrupt',
    );
  }
  const header = {
    k: bytes.readUInt16LE(8),
    m: bytes.readUInt16LE(10),
    index: bytes.readUInt16LE(12),
    chunkBytes: bytes.readUInt32LE(16),
    fileBytes: Number(bytes.readBigUInt64LE(24)),
    fileSha256: bytes.toString('hex', 32, 64),
  };
  if (
    header.k < 1 ||
    header.m < 1 ||
    header.k + header.m > 256 ||
    header.index >= header.k + header.m ||
    header.chunkBytes < 1
  ) {
    throw new FragmentFormatError(
      file,
      `impossible header (k=${header.k} m=${header.m} index=${header.index})`,
    );
  }
  return header;
}

function headerChecksum(bytes: Buffer): number {
  return crc32(bytes.subarray(24, HEADER_BYTES), crc32(bytes.subarray(0, 20)));
}

/** Stripes in a file of `fileBytes` cut into k chunks of `chunkBytes` (at least one). */
export function stripeCount(
  header: Pick<FragmentHeader, 'k' | 'chunkBytes' | 'fileBytes'>,
): number {
  return Math.max(1, Math.ceil(header.fileBytes / (header.k * header.chunkBytes)));
}

/** Size in bytes of every fragment file of this header. */
export function fragmentFileBytes(header: FragmentHeader): number {
  return HEADER_BYTES + stripeCount(header) * (header.chunkBytes + CHUNK_CHECKSUM_BYTES);
}

/** The CRC32 stored after each chunk. */
export function chunkChecksum(chunk: Uint8Array): number {
  return crc32(chunk);
}

/** A SHA-256 that is fed as the file streams by. */
export function sha256(): ReturnType<typeof createHash> {
  return createHash('sha256');
}

/** True when two headers describe fragments of the same encoding of the same file. */
export function sameEncoding(a: FragmentHeader, b: FragmentHeader): boolean {
  return (
    a.k === b.k &&
    a.m === b.m &&
    a.chunkBytes === b.chunkBytes &&
    a.fileBytes === b.fileBytes &&
    a.fileSha256 === b.fileSha256
  );
}
