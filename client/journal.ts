/**
 * The event journal of a writer on one volume (DESIGN.md: the ordered stream of write events a
 * writer sends). Events are appended in order, each with the writer's next sequence; at most
 * `inflightMax` are unacknowledged at once (append() waits for room: that is the back-pressure);
 * each is acknowledged, in sequence order, once every stripe it touches holds it durably.
 *
 * Order: a piece of event n+1 is sent to a stripe only after event n's piece on that stripe was
 * acknowledged, so events touching the same bytes are applied in order; events on other stripes
 * go in parallel.
 *
 * Resumption: when a piece still fails after the SDK's retries (the cluster or the connection is
 * down), the journal stops sending, lets what is in flight settle, backs off, refreshes the map
 * and resends every piece not yet acknowledged, from the first unacknowledged event on, with the
 * same sequences; a piece whose outcome was unknown goes as a retry, which the cluster never
 * applies twice. After `resumeAttemptsMax` resumptions in a row without an acknowledgement, or
 * at once on an error retrying cannot fix (NOT_FOUND, INVALID_ARGUMENT, DATA_LOST), it fails.
 */
import { EventEmitter } from 'node:events';
import type { VolumeInfo } from './cluster-view.js';
import { ClosedError, TesseraError, UnavailableError } from './errors.js';
import { backoffMs } from './retry.js';
import { splitEvent, type StripePiece } from './routing.js';
import type { SendState } from './stripe-call.js';
import type { StripeWriteReply } from './transport.js';
import {
  checkBytes,
  checkRange,
  isRetryable,
  writePiece,
  type EventStamp,
  type VolumeContext,
} from './event-write.js';

/** How a journal runs. */
export interface JournalOptions {
  /** The most events appended and not yet acknowledged (default 16). */
  readonly inflightMax?: number;
  /** Resumptions in a row without an acknowledgement before the journal fails (default 20). */
  readonly resumeAttemptsMax?: number;
}

/** Defaults of JournalOptions. */
export const JOURNAL_DEFAULTS = { inflightMax: 16, resumeAttemptsMax: 20 } as const;

/** An event of the journal: its sequence (the writer sequence it is sent with) and its range. */
export interface JournalEvent {
  readonly seq: number;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** An event acknowledged: durable on every stripe it touches. */
export interface JournalAck {
  readonly seq: number;
  readonly offset: number;
  readonly length: number;
  /** Per stripe, the versions that hold it. */
  readonly stripes: readonly StripeWriteReply[];
}

/** The events a journal emits. */
export interface JournalEvents {
  /** An event is durable; acks come in sequence order. */
  ack: [ack: JournalAck];
  /** Sending stopped after a failure; it resumes by itself (attempt counts the resumptions). */
  interrupted: [error: TesseraError, attempt: number];
  /** Sending resumed from the first unacknowledged event (its sequence). */
  resumed: [fromSeq: number | null];
  /** The journal gave up: append, flush and close reject with this error from now on. */
  failed: [error: Error];
}

interface PendingPiece {
  readonly piece: StripePiece;
  readonly state: SendState;
  reply: StripeWriteReply | null;
}

interface PendingEvent extends JournalEvent {
  readonly stamp: EventStamp;
  readonly pieces: PendingPiece[];
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

type State = 'running' | 'interrupted' | 'failed' | 'closed';

/** An ordered event journal on one volume; from Volume.journal(). Emits JournalEvents. */
export class Journal extends EventEmitter<JournalEvents> {
  private readonly inflightMax: number;
  private readonly resumeAttemptsMax: number;
  /** Admitted events not yet acknowledged, in sequence order (at most inflightMax). */
  private readonly pending: PendingEvent[] = [];
  /** Appends waiting for room, in call order. */
  private readonly admitting: (Waiter<number> & { offset: number; bytes: Uint8Array })[] = [];
  private readonly flushing: Waiter<void>[] = [];
  /** Per stripe, the last dispatched piece: resolves true once it was acknowledged. */
  private tails = new Map<number, Promise<boolean>>();
  /** Pieces dispatched and not yet settled (sending or waiting behind another). */
  private outstanding = 0;
  private state: State = 'running';
  private failure: Error = new ClosedError('the journal');
  private resumeAttempts = 0;
  private resumeScheduled = false;
  private lastAcknowledged: number | null = null;

  /** @internal Built by Volume.journal(). */
  constructor(
    private readonly info: VolumeInfo,
    private readonly context: VolumeContext,
    options: JournalOptions,
  ) {
    super();
    this.inflightMax = options.inflightMax ?? JOURNAL_DEFAULTS.inflightMax;
    this.resumeAttemptsMax = options.resumeAttemptsMax ?? JOURNAL_DEFAULTS.resumeAttemptsMax;
    if (!Number.isInteger(this.inflightMax) || this.inflightMax < 1)
      throw new RangeError(`inflightMax must be an integer >= 1, got ${this.inflightMax}`);
    if (!(this.resumeAttemptsMax >= 0))
      throw new RangeError(`resumeAttemptsMax must be >= 0, got ${this.resumeAttemptsMax}`);
  }

  /**
   * Appends a write event. Resolves with its sequence once it is admitted (fewer than inflightMax
   * events unacknowledged); it is acknowledged later by an 'ack' with that sequence. Keep `bytes`
   * unchanged until then: the journal sends them as they are, possibly more than once. Rejects
   * with InvalidArgumentError (the journal goes on), or the journal's failure, or ClosedError.
   */
  async append(offset: number, bytes: Uint8Array): Promise<number> {
    if (this.state === 'failed') throw this.failure;
    if (this.state === 'closed') throw new ClosedError('the journal');
    checkBytes(bytes);
    checkRange(offset, bytes.length, 'bytes.length');
    return new Promise((resolve, reject) => {
      this.admitting.push({ offset, bytes, resolve, reject });
      this.admit();
    });
  }

  /** Resolves once every event appended so far is acknowledged; rejects if the journal fails. */
  flush(): Promise<void> {
    if (this.state === 'failed') return Promise.reject(this.failure);
    if (this.pending.length === 0 && this.admitting.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.flushing.push({ resolve, reject }));
  }

  /** Flushes, then refuses further appends. Rejects with the failure if the journal failed. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    await this.flush();
    this.state = 'closed';
  }

  /** The sequence of the newest acknowledged event (every earlier one is acknowledged too). */
  get acknowledgedSeq(): number | null {
    return this.lastAcknowledged;
  }

  /** Events admitted and not yet acknowledged (at most inflightMax). */
  get inflight(): number {
    return this.pending.length;
  }

  /**
   * The events not yet acknowledged, in order: after a failure, what a writer must resend (with
   * `volume.write(offset, bytes, { writerSeq: seq })`) or restore by other means.
   */
  unacknowledged(): readonly JournalEvent[] {
    return this.pending.map(({ seq, offset, bytes }) => ({ seq, offset, bytes }));
  }

  private admit(): void {
    while (
      this.admitting.length > 0 &&
      this.pending.length < this.inflightMax &&
      (this.state === 'running' || this.state === 'interrupted')
    ) {
      const waiter = this.admitting.shift()!;
      const seq = this.context.takeWriterSeq();
      const split = splitEvent(
        this.info,
        waiter.offset,
        waiter.bytes.length,
        this.context.requestBytesMax,
      );
      const event: PendingEvent = {
        seq,
        offset: waiter.offset,
        bytes: waiter.bytes,
        stamp: {
          writerId: this.context.writerId,
          writerSeq: seq,
          eventTimeMs: this.context.call.env.nowMs(),
          parts: split.parts,
        },
        pieces: split.pieces.map((piece) => ({
          piece,
          state: { maybeApplied: false },
          reply: null,
        })),
      };
      this.pending.push(event);
      // While interrupted, the resumption sends it with the rest.
      if (this.state === 'running') this.dispatch(event);
      waiter.resolve(seq);
    }
  }

  /** Sends each piece of `event` not yet acknowledged, each behind the stripe's previous one. */
  private dispatch(event: PendingEvent): void {
    for (const pending of event.pieces) {
      if (pending.reply) continue;
      const stripe = pending.piece.stripe;
      const previous = this.tails.get(stripe) ?? Promise.resolve(true);
      const run = previous.then((landed) => this.send(event, pending, landed));
      this.tails.set(stripe, run);
      this.outstanding++;
      void run.then(() => {
        this.outstanding--;
        // Forget a stripe once its last piece settled, so the map holds only stripes in use.
        if (this.tails.get(stripe) === run) this.tails.delete(stripe);
        if (this.state === 'interrupted' && this.outstanding === 0) this.scheduleResume();
      });
    }
  }

  /** Sends one piece unless the one before it on its stripe did not land; true once it lands. */
  private async send(
    event: PendingEvent,
    pending: PendingPiece,
    previousLanded: boolean,
  ): Promise<boolean> {
    if (!previousLanded || this.state !== 'running') return false;
    try {
      pending.reply = await writePiece(
        this.context.call,
        this.info.name,
        pending.piece,
        event.bytes,
        event.stamp,
        pending.state,
      );
    } catch (error) {
      this.pieceFailed(error);
      return false;
    }
    this.acknowledgeReady();
    return true;
  }

  private pieceFailed(error: unknown): void {
    if (this.state !== 'running') return;
    if (error instanceof TesseraError && isRetryable(error)) {
      this.state = 'interrupted';
      this.tell('interrupted', error, this.resumeAttempts + 1);
    } else {
      this.fail(error);
    }
  }

  /** Acknowledges, in order, every leading event whose pieces all landed; admits waiting appends. */
  private acknowledgeReady(): void {
    while (this.pending.length > 0 && this.pending[0]!.pieces.every((piece) => piece.reply)) {
      const event = this.pending.shift()!;
      this.lastAcknowledged = event.seq;
      this.resumeAttempts = 0;
      this.tell('ack', {
        seq: event.seq,
        offset: event.offset,
        length: event.bytes.length,
        stripes: event.pieces.map((piece) => piece.reply!),
      });
    }
    this.admit();
    if (this.pending.length === 0 && this.admitting.length === 0)
      for (const waiter of this.flushing.splice(0)) waiter.resolve();
  }

  /** Once everything in flight settled: back off, refresh the map, resend what is unacknowledged. */
  private scheduleResume(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    this.resumeAttempts++;
    if (this.resumeAttempts > this.resumeAttemptsMax) {
      this.resumeScheduled = false;
      const first = this.pending[0]?.seq;
      this.fail(
        new UnavailableError(
          `the journal stopped after ${this.resumeAttemptsMax} resumptions without progress; events from sequence ${first} on are unacknowledged (journal.unacknowledged()) and may be partly applied: resend them with their sequences`,
        ),
      );
      return;
    }
    const { env, retry, signal, follower } = this.context.call;
    void env
      .sleep(backoffMs(retry, this.resumeAttempts - 1, env.random()), signal)
      .then(() => follower.refresh().catch(() => undefined))
      .then(
        () => {
          this.resumeScheduled = false;
          if (this.state !== 'interrupted') return;
          this.state = 'running';
          this.tails = new Map();
          this.tell('resumed', this.pending[0]?.seq ?? null);
          for (const event of [...this.pending]) this.dispatch(event);
          this.acknowledgeReady();
        },
        (error: unknown) => {
          this.resumeScheduled = false;
          this.fail(error);
        },
      );
  }

  private fail(error: unknown): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'failed';
    this.failure = error instanceof Error ? error : new TesseraError('FAILED', String(error));
    for (const waiter of this.admitting.splice(0)) waiter.reject(this.failure);
    for (const waiter of this.flushing.splice(0)) waiter.reject(this.failure);
    try {
      this.emit('failed', this.failure);
    } catch (error) {
      // Nothing is left to fail: the listener's error surfaces as an uncaught exception.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Emits to the writer's listeners; one that throws fails the journal with its error. */
  private tell<Event extends keyof JournalEvents>(
    event: Event,
    ...args: JournalEvents[Event]
  ): void {
    try {
      (this.emit as (event: Event, ...args: JournalEvents[Event]) => boolean)(event, ...args);
    } catch (error) {
      this.fail(error);
    }
  }
}
