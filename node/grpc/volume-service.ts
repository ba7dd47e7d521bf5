/**
 * The Volumes gRPC service: a node's consistency manager, as writers (the client SDK) reach it.
 * Each handler checks the message, calls the StripeService and converts its result; a malformed
 * request gets INVALID_ARGUMENT naming the field and reaches no CM. The CM's own errors become
 * statuses in status-mapping.ts (NOT_OWNER with the owner and epoch in the metadata).
 */
import type { VolumesHandlers } from '../../proto/generated/tessera/v1/Volumes.js';
import type { VolumeReadRequest__Output } from '../../proto/generated/tessera/v1/VolumeReadRequest.js';
import type { VolumeWriteRequest__Output } from '../../proto/generated/tessera/v1/VolumeWriteRequest.js';
import type { VolumeScrubRequest__Output } from '../../proto/generated/tessera/v1/VolumeScrubRequest.js';
import type { FragmentPiece } from '../../proto/generated/tessera/v1/FragmentPiece.js';
import { volumesProto } from '../../proto/load.js';
import type { ServiceEntry } from '../../proto/pipe.js';
import type { NodeMetrics } from '../admin/metrics.js';
import { CmInvalidRequestError } from '../cm/errors.js';
import type { StripeRead, StripeService, StripeWrite } from '../cm/requests.js';
import type { Version } from '../store/version.js';
import { instrument } from './instrument.js';
import { unary } from './status-mapping.js';

/** The longest writer id a request may carry (node/cm/requests.ts WriterEvent). */
export const WRITER_ID_CHARS_MAX = 256;

/** The grpc-js handlers of the Volumes service, backed by `service` (the node's CM). */
export function volumesServiceHandlers(service: StripeService): VolumesHandlers {
  return {
    Write: unary(async (request: VolumeWriteRequest__Output) => {
      const result = await service.write(stripeWrite(request));
      return { stripe: result.stripe, pieces: result.pieces.map(pieceMessage) };
    }),
    Read: unary(async (request: VolumeReadRequest__Output) => {
      const result = await service.read(stripeRead(request));
      return {
        bytes: result.bytes,
        pieces: result.pieces.map(pieceMessage),
        degraded: result.degraded,
      };
    }),
    Scrub: unary(async (request: VolumeScrubRequest__Output) => {
      volumeName(request.volume);
      count(request.stripe, 'stripe');
      if (!service.scrub) throw new CmInvalidRequestError('Scrub', 'this node does not scrub');
      const result = await service.scrub(request.volume, request.stripe);
      return { findings: [...result.findings], repaired: result.repaired };
    }),
  };
}

/** The Volumes service of `service`, to serve (measured when `metrics` is given). */
export function volumesService(service: StripeService, metrics?: NodeMetrics): ServiceEntry {
  const handlers = volumesServiceHandlers(service);
  return [
    volumesProto().tessera.v1.Volumes.service,
    metrics ? instrument(handlers, metrics) : handlers,
  ];
}

/** The CM's write request of a message; throws CmInvalidRequestError naming a bad field. */
export function stripeWrite(request: VolumeWriteRequest__Output): StripeWrite {
  const writer = request.writer;
  if (!writer) throw new CmInvalidRequestError('writer', 'is required');
  if (writer.writerId.length === 0 || writer.writerId.length > WRITER_ID_CHARS_MAX)
    throw new CmInvalidRequestError(
      'writer.writerId',
      `must be 1 to ${WRITER_ID_CHARS_MAX} characters, got ${writer.writerId.length}`,
    );
  count(writer.writerSeq, 'writer.writerSeq');
  count(writer.eventTimeMs, 'writer.eventTimeMs');
  if (writer.parts < 1) throw new CmInvalidRequestError('writer.parts', 'must be at least 1');
  if (writer.firstPart >= writer.parts)
    throw new CmInvalidRequestError(
      'writer.firstPart',
      `must be below parts (${writer.parts}), got ${writer.firstPart}`,
    );
  volumeName(request.volume);
  count(request.offset, 'offset');
  if (request.bytes.length === 0) throw new CmInvalidRequestError('bytes', 'must not be empty');
  count(request.offset + request.bytes.length, 'offset + bytes.length');
  return {
    volume: request.volume,
    offset: request.offset,
    bytes: request.bytes,
    writer: {
      writerId: writer.writerId,
      writerSeq: writer.writerSeq,
      eventTimeMs: writer.eventTimeMs,
      parts: writer.parts,
      firstPart: writer.firstPart,
    },
    retry: request.retry,
  };
}

/** The CM's read request of a message; throws CmInvalidRequestError naming a bad field. */
export function stripeRead(request: VolumeReadRequest__Output): StripeRead {
  volumeName(request.volume);
  count(request.offset, 'offset');
  if (request.length < 1) throw new CmInvalidRequestError('length', 'must be at least 1');
  count(request.offset + request.length, 'offset + length');
  return { volume: request.volume, offset: request.offset, length: request.length };
}

function volumeName(volume: string): void {
  if (volume.length === 0) throw new CmInvalidRequestError('volume', 'is required');
}

/** A uint64 field must have arrived exactly (64-bit values beyond 2^53 lose digits as numbers). */
function count(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new CmInvalidRequestError(field, `must be an integer from 0 to 2^53 - 1, got ${value}`);
}

function pieceMessage(piece: { index: number; version: Version }): FragmentPiece {
  return { index: piece.index, version: { epoch: piece.version.epoch, seq: piece.version.seq } };
}
