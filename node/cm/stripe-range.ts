/**
 * How a byte range inside one stripe of a volume maps onto its data fragments: block b of the
 * volume is data fragment b mod k of stripe floor(b / k), so a range is cut at block boundaries
 * into one piece per data fragment, in order.
 */
import type { VolumeRecord } from '../cluster/cluster-map-types.js';
import { CmInvalidRequestError } from './errors.js';
import type { StripeWrite } from './requests.js';

/** One data fragment's share of a range. */
export interface Piece {
  /** The data fragment (0…k-1). */
  readonly index: number;
  /** Where the piece starts inside the fragment. */
  readonly fragmentOffset: number;
  readonly length: number;
  /** Where the piece starts inside the request's bytes. */
  readonly sourceOffset: number;
}

/** The pieces of [offset, offset + length), which must lie inside one stripe. */
export function piecesOf(volume: VolumeRecord, offset: number, length: number): Piece[] {
  const pieces: Piece[] = [];
  const blockBytes = volume.blockBytes;
  for (let at = offset; at < offset + length;) {
    const block = Math.floor(at / blockBytes);
    const fragmentOffset = at - block * blockBytes;
    const pieceLength = Math.min(blockBytes - fragmentOffset, offset + length - at);
    pieces.push({
      index: block % volume.k,
      fragmentOffset,
      length: pieceLength,
      sourceOffset: at - offset,
    });
    at += pieceLength;
  }
  return pieces;
}

/** Checks a write's bytes and writer event; throws CmInvalidRequestError naming the field. */
export function checkStripeRequest(request: StripeWrite): void {
  if (!(request.bytes instanceof Uint8Array))
    throw new CmInvalidRequestError('bytes', 'must be bytes');
  const writer = request.writer;
  if (typeof writer !== 'object' || writer === null)
    throw new CmInvalidRequestError('writer', 'must be given');
  if (
    typeof writer.writerId !== 'string' ||
    writer.writerId.length === 0 ||
    writer.writerId.length > 256
  )
    throw new CmInvalidRequestError(
      'writer.writerId',
      'must be a non-empty string of at most 256 characters',
    );
  const integer = (field: string, value: unknown, min: number): void => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
      throw new CmInvalidRequestError(field, `must be an integer >= ${min}, got ${String(value)}`);
  };
  integer('writer.writerSeq', writer.writerSeq, 0);
  integer('writer.eventTimeMs', writer.eventTimeMs, 0);
  integer('writer.parts', writer.parts, 1);
  integer('writer.firstPart', writer.firstPart, 0);
  if (writer.firstPart >= writer.parts)
    throw new CmInvalidRequestError('writer.firstPart', `must be below parts (${writer.parts})`);
  if (typeof request.retry !== 'boolean')
    throw new CmInvalidRequestError('retry', 'must be true or false');
}
