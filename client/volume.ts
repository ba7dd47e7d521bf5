/**
 * A volume as a writer uses it: write and read byte ranges, and open an event journal. A write
 * is one event of the writer (one writer sequence), split per stripe and sent to each stripe's
 * consistency manager in parallel; a read is split the same way and reassembled.
 */
import type { VolumeInfo } from './cluster-view.js';
import { InvalidArgumentError, OutcomeUnknownError, TesseraError } from './errors.js';
import {
  checkBytes,
  checkRange,
  isRetryable,
  writePiece,
  type EventStamp,
  type VolumeContext,
} from './event-write.js';
import { Journal, type JournalOptions } from './journal.js';
import { splitEvent } from './routing.js';
import { settleAll } from './settle-all.js';
import { callStripe } from './stripe-call.js';
import type { StripeWriteReply } from './transport.js';

/** How a write goes. */
export interface WriteOptions {
  /**
   * Resend an earlier event: its writer sequence (from OutcomeUnknownError.writerSeq), with the
   * same offset and bytes. It is sent as a retry, which the cluster never applies twice.
   */
  readonly writerSeq?: number;
}

/** An acknowledged write: its writer sequence and, per stripe, the versions that hold it. */
export interface WriteResult {
  readonly writerSeq: number;
  readonly stripes: readonly StripeWriteReply[];
}

/** A volume of the cluster: obtained from Cluster.openVolume. */
export class Volume {
  /** @internal Built by Cluster.openVolume. */
  constructor(
    /** The volume's scheme, block size, quorum and rule, fixed at creation. */
    readonly info: VolumeInfo,
    private readonly context: VolumeContext,
  ) {}

  /** The volume's name. */
  get name(): string {
    return this.info.name;
  }

  /** Bytes a stripe holds: k data blocks. */
  get stripeBytes(): number {
    return this.info.k * this.info.blockBytes;
  }

  /**
   * Writes `bytes` at `offset` as one event with the next writer sequence. Resolves once every
   * stripe acknowledged it. Rejects with InvalidArgumentError (nothing sent), NotFoundError,
   * DataLostError, UnavailableError (nothing applied: retry later) or OutcomeUnknownError (some
   * of it may be applied: resend with `{ writerSeq: error.writerSeq }`).
   */
  async write(offset: number, bytes: Uint8Array, options: WriteOptions = {}): Promise<WriteResult> {
    checkBytes(bytes);
    checkRange(offset, bytes.length, 'bytes.length');
    if (
      options.writerSeq !== undefined &&
      !(Number.isSafeInteger(options.writerSeq) && options.writerSeq >= 0)
    )
      throw new InvalidArgumentError(
        `writerSeq: must be a writer sequence, got ${options.writerSeq}`,
      );
    const resend = options.writerSeq !== undefined;
    const writerSeq = options.writerSeq ?? this.context.takeWriterSeq();
    const split = splitEvent(this.info, offset, bytes.length, this.context.requestBytesMax);
    const event: EventStamp = {
      writerId: this.context.writerId,
      writerSeq,
      eventTimeMs: this.context.call.env.nowMs(),
      parts: split.parts,
    };
    const states = split.pieces.map(() => ({ maybeApplied: resend }));
    const outcomes = await settleAll(
      split.pieces.map((piece, at) => ({ piece, state: states[at]! })),
      this.context.requestsInFlightMax,
      ({ piece, state }) => writePiece(this.context.call, this.name, piece, bytes, event, state),
    );
    const stripes: StripeWriteReply[] = [];
    for (const outcome of outcomes) if (outcome?.ok) stripes.push(outcome.value);
    if (stripes.length === outcomes.length) return { writerSeq, stripes };
    const failure = outcomes.find((outcome) => outcome?.ok === false)?.error;
    const landed = stripes.length > 0 || states.some((state) => state.maybeApplied);
    throw writeFailure(failure, landed, writerSeq);
  }

  /**
   * Reads [offset, offset + length) of the volume (bytes never written read as zeros). Rejects with
   * InvalidArgumentError, NotFoundError, DataLostError or UnavailableError (retry later).
   */
  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(offset, length, 'length');
    const split = splitEvent(this.info, offset, length, this.context.requestBytesMax);
    const out = Buffer.alloc(length);
    const outcomes = await settleAll(
      split.pieces,
      this.context.requestsInFlightMax,
      async (piece) => {
        const request = { volume: this.name, offset: piece.offset, length: piece.length };
        const reply = await callStripe(
          this.context.call,
          this.name,
          piece.stripe,
          (address) => this.context.call.transport.read(address, request),
          { maybeApplied: false },
        );
        if (reply.bytes.length !== piece.length)
          throw new TesseraError(
            'SHORT_READ',
            `stripe ${this.name}/${piece.stripe} returned ${reply.bytes.length} bytes for ${piece.length}; report this`,
          );
        out.set(reply.bytes, piece.at);
      },
    );
    const failed = outcomes.find((outcome) => outcome?.ok === false);
    if (failed) throw failed.error;
    return out;
  }

  /**
   * An ordered event journal on this volume: append write events with back-pressure, hear each
   * acknowledged in order, and let it resume after a failure (see journal.ts).
   */
  journal(options: JournalOptions = {}): Journal {
    return new Journal(this.info, this.context, options);
  }
}

/**
 * What a failed write surfaces: an error retrying cannot fix as it is; otherwise, when some of it
 * may have landed, OutcomeUnknownError with the sequence to resend it under.
 */
function writeFailure(failure: unknown, landed: boolean, writerSeq: number): unknown {
  if (!landed || !(failure instanceof TesseraError) || !isRetryable(failure)) return failure;
  return new OutcomeUnknownError(
    `write ${writerSeq} may be partly applied (${failure.message}); resend the same bytes with { writerSeq: ${writerSeq} }, which is never applied twice`,
    writerSeq,
  );
}
