/**
 * Writing one event's pieces, shared by Volume.write and the Journal: what a volume's operations
 * need of their Cluster, the event stamp, the per-piece send with the SDK's retries, and the
 * checks of a range.
 */
import { InvalidArgumentError, type TesseraError } from './errors.js';
import type { StripePiece } from './routing.js';
import { callStripe, type CallContext, type SendState } from './stripe-call.js';
import type { StripeWriteReply, WriterEvent } from './transport.js';

/** What a Volume needs of its Cluster (not part of the public API). */
export interface VolumeContext {
  readonly call: CallContext;
  readonly writerId: string;
  /** Hands out the writer's next sequence number (one per event). */
  takeWriterSeq(): number;
  /** The most bytes in one stripe request (cut at block boundaries). */
  readonly requestBytesMax: number;
  /** The most stripe requests one write or read has in flight. */
  readonly requestsInFlightMax: number;
}

/** The event of a write without the part a stripe request carries. */
export type EventStamp = Omit<WriterEvent, 'firstPart'>;

/**
 * Sends one stripe piece of an event through callStripe: the same writer sequence on every
 * attempt, marked as a retry once an attempt's outcome is unknown.
 */
export function writePiece(
  context: CallContext,
  volume: string,
  piece: StripePiece,
  eventBytes: Uint8Array,
  event: EventStamp,
  state: SendState,
): Promise<StripeWriteReply> {
  const bytes = eventBytes.subarray(piece.at, piece.at + piece.length);
  const writer: WriterEvent = { ...event, firstPart: piece.firstPart };
  return callStripe(
    context,
    volume,
    piece.stripe,
    (address) =>
      context.transport.write(address, {
        volume,
        offset: piece.offset,
        bytes,
        writer,
        retry: state.maybeApplied,
      }),
    state,
  );
}

/** The failures the SDK retries (and a later retry may fix). */
export function isRetryable(error: TesseraError): boolean {
  return ['UNAVAILABLE', 'NOT_OWNER', 'OUTCOME_UNKNOWN'].includes(error.code);
}

/** Checks a range of a volume; InvalidArgumentError names the bad field. */
export function checkRange(offset: number, length: number | undefined, lengthField: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new InvalidArgumentError(`offset: must be an integer >= 0, got ${offset}`);
  if (length === undefined || !Number.isSafeInteger(length) || length < 1)
    throw new InvalidArgumentError(`${lengthField}: must be at least 1, got ${length}`);
  if (!Number.isSafeInteger(offset + length))
    throw new InvalidArgumentError(`offset + ${lengthField}: beyond 2^53 - 1`);
}

/** Checks that `bytes` is a byte array (a Buffer or Uint8Array); InvalidArgumentError if not. */
export function checkBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new InvalidArgumentError('bytes: must be a Uint8Array or Buffer');
}
