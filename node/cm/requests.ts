/**
 * What a consistency manager is asked to do: write or read a byte range that lies inside one
 * stripe of a volume. A writer's event that spans stripes is split by the SDK, one request per
 * stripe (each to that stripe's owner); the CM splits its range into one update per data
 * fragment. Every fragment-sized piece of an event is a numbered part, so that a retry after a
 * failover applies exactly the parts that did not land.
 */
import type { Version } from '../store/version.js';

/** Who writes and which of their events this is. */
export interface WriterEvent {
  /** The writer's id, stable across its reconnections (at most 256 characters). */
  readonly writerId: string;
  /** The writer's sequence number of this event: a retry repeats it, a new event increments it. */
  readonly writerSeq: number;
  /** The writer's event time in milliseconds since the Unix epoch. */
  readonly eventTimeMs: number;
  /** How many fragment-sized parts the whole event has, over every stripe it touches. */
  readonly parts: number;
  /** The part number of this request's first fragment piece (the next pieces count up from it). */
  readonly firstPart: number;
}

/** Bytes for [offset, offset + bytes.length) of a volume, inside one stripe. */
export interface StripeWrite {
  readonly volume: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly writer: WriterEvent;
  /** True when the writer sent this event before and did not hear how it ended. */
  readonly retry: boolean;
}

/** Where each data fragment piece of an acknowledged write landed. */
export interface StripeWriteResult {
  readonly stripe: number;
  /** One per data fragment the write touched: its index and the version that holds the write. */
  readonly pieces: readonly { index: number; version: Version }[];
}

/** [offset, offset + length) of a volume, inside one stripe. */
export interface StripeRead {
  readonly volume: string;
  readonly offset: number;
  readonly length: number;
}

export interface StripeReadResult {
  readonly bytes: Uint8Array;
  /** The version of each data fragment the range covers (index order), as served. */
  readonly pieces: readonly { index: number; version: Version }[];
  /** True when some bytes were decoded from other fragments (a degraded read). */
  readonly degraded: boolean;
}

/** What the CM's callers see of it (the gRPC service, the simulator's writers). */
export interface StripeService {
  write(request: StripeWrite): Promise<StripeWriteResult>;
  read(request: StripeRead): Promise<StripeReadResult>;
  /** Scrubs a stripe this CM owns (verifies, repairs what it finds); absent where not served. */
  scrub?(volume: string, stripe: number): Promise<StripeScrubResult>;
}

/** What scrubbing a stripe found (index -1: the stripe as a whole) and whether it was repaired. */
export interface StripeScrubResult {
  readonly findings: readonly { index: number; kind: string }[];
  readonly repaired: boolean;
}
