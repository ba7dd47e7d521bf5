/**
 * The SDK's gRPC transport with a record of every Volumes call (which node, which stripe, how
 * long, how it ended), so that a process test can say where writers waited: the calls in flight
 * longest, and the slowest ones, name the node and stripe to look at in the nodes' logs.
 */
import {
  GrpcTransport,
  TesseraError,
  type ProposeReply,
  type StripeReadReply,
  type StripeReadRequest,
  type StripeWriteReply,
  type StripeWriteRequest,
  type Transport,
} from '../../../client/index.js';
import { nowMs } from './progress.js';

/** One Volumes call. */
export interface CallRecord {
  readonly kind: 'write' | 'read';
  readonly address: string;
  readonly volume: string;
  readonly offset: number;
  readonly startedAtMs: number;
  /** Infinity while in flight. */
  endedAtMs: number;
  /** 'ok', or the error's code. */
  outcome: string;
  message?: string;
}

export class TimedTransport implements Transport {
  private readonly inner: GrpcTransport;

  /** `calls` may be shared by several transports (one per writer). */
  constructor(
    callDeadlineMs: number,
    readonly calls: CallRecord[] = [],
  ) {
    this.inner = new GrpcTransport({ callDeadlineMs });
  }

  view(address: string): Promise<string> {
    return this.inner.view(address);
  }

  propose(address: string, commandJson: string): Promise<ProposeReply> {
    return this.inner.propose(address, commandJson);
  }

  write(address: string, request: StripeWriteRequest): Promise<StripeWriteReply> {
    return this.timed('write', address, request.volume, request.offset, () =>
      this.inner.write(address, request),
    );
  }

  read(address: string, request: StripeReadRequest): Promise<StripeReadReply> {
    return this.timed('read', address, request.volume, request.offset, () =>
      this.inner.read(address, request),
    );
  }

  close(): void {
    this.inner.close();
  }

  private async timed<T>(
    kind: CallRecord['kind'],
    address: string,
    volume: string,
    offset: number,
    call: () => Promise<T>,
  ): Promise<T> {
    const record: CallRecord = {
      kind,
      address,
      volume,
      offset,
      startedAtMs: nowMs(),
      endedAtMs: Infinity,
      outcome: 'pending',
    };
    this.calls.push(record);
    try {
      const result = await call();
      record.outcome = 'ok';
      return result;
    } catch (error) {
      record.outcome = error instanceof TesseraError ? error.code : 'ERROR';
      record.message = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      record.endedAtMs = nowMs();
    }
  }
}
