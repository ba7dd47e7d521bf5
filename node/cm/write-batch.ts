/**
 * Writes of one stripe that arrive while an earlier operation of the stripe is running wait
 * together, in one batch at the tail of the stripe's queue. When the batch's turn comes, its
 * writes are cut, in arrival order, into groups that one update can carry: one version for the
 * pieces of several writes, with one parity write per parity fragment instead of one per write
 * (the "a write of whole new stripes may encode them in one go"). A writer streaming new
 * blocks fills a stripe's blocks one after another, so most of them meet in a batch.
 *
 * Arrival order is kept: a write joins the batch only while the batch is the last thing queued
 * (a read or a repair queued after it closes it) and its turn has not come (writes that arrive
 * while the stripe is recovered before that turn join it), and groups run one after another.
 */
import type { StripeWrite, StripeWriteResult } from './requests.js';
import type { Piece } from './stripe-range.js';

/** One write waiting in a batch, with the promise its caller waits on. */
export interface BatchedWrite {
  readonly request: StripeWrite;
  readonly pieces: readonly Piece[];
  resolve(result: StripeWriteResult): void;
  reject(error: unknown): void;
}

/** The writes that wait for one turn of the stripe's queue. */
export interface WriteBatch {
  readonly writes: BatchedWrite[];
  /** The queue's tail right after the batch was queued: it is open while nothing came after. */
  tail: Promise<unknown> | null;
  /** Set when its turn came (its writes are cut into groups then) or failed: no write joins. */
  closed: boolean;
}

/** Writes one batch takes at most (a longer run of writes waits for the next turn). */
export const BATCH_WRITES_MAX = 32;

/**
 * Cuts writes, in their order, into groups that one update each can carry: a write stays whole
 * in one group; a group touches each data fragment at most once; a write marked `alone` (a retry,
 * which must first look for its earlier landing) is a group of its own.
 */
export function groupsOf<T extends { readonly pieces: readonly { index: number }[] }>(
  writes: readonly T[],
  alone: (write: T) => boolean,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let touched = new Set<number>();
  let closed = false;
  for (const write of writes) {
    const single = alone(write);
    const clash = write.pieces.some((piece) => touched.has(piece.index));
    if (current.length > 0 && (single || closed || clash)) {
      groups.push(current);
      current = [];
      touched = new Set();
    }
    current.push(write);
    for (const piece of write.pieces) touched.add(piece.index);
    closed = single;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
