/**
 * What a leader knows of each follower's log (Figure 2: nextIndex and matchIndex), and how it
 * sends to it: `probe` sends one append at a time until a match is found; `replicate` streams
 * appends optimistically with at most `inflightMax` unacknowledged; `snapshot` sends an
 * InstallSnapshot in chunks, one unacknowledged chunk at a time.
 */
import type { NodeId } from './types.js';

/** How the leader currently sends to a follower. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's record of one follower (or learner). */
export interface Progress {
  readonly id: NodeId;
  /** The highest index known to match the leader's log (0 when unknown). */
  match: number;
  /** The next index to send; always greater than `match`. */
  next: number;
  state: ProgressState;
  /** In replicate state: the last index of each unacknowledged append, oldest first. */
  inflight: number[];
  /** In probe state: one append is out and not yet answered. */
  probeSent: boolean;
  /** The highest commit index sent to it, so that it learns each new one without delay. */
  sentCommit: number;
  /** Heard from since the last CheckQuorum round (§6.2). */
  recentActive: boolean;
  /** In snapshot state: which snapshot, the next byte to send, ticks since the last chunk. */
  snapshot: { index: number; offset: number; elapsedTicks: number } | undefined;
}

/** A follower the leader knows nothing about yet: probe from `next`. */
export function newProgress(id: NodeId, next: number): Progress {
  return {
    id,
    match: 0,
    next,
    state: 'probe',
    inflight: [],
    probeSent: false,
    sentCommit: 0,
    recentActive: true,
    snapshot: undefined,
  };
}

/** Whether the leader must hold back further appends to this follower for now. */
export function isPaused(progress: Progress, inflightMax: number): boolean {
  switch (progress.state) {
    case 'probe':
      return progress.probeSent;
    case 'replicate':
      return progress.inflight.length >= inflightMax;
    case 'snapshot':
      return true;
  }
}

/** Back to one append at a time, from just after the known match (after a rejection). */
export function becomeProbe(progress: Progress): void {
  progress.state = 'probe';
  progress.next = Math.max(progress.next, progress.match + 1);
  progress.inflight = [];
  progress.probeSent = false;
  progress.snapshot = undefined;
}

/** A match is known: stream appends from just after it. */
export function becomeReplicate(progress: Progress): void {
  progress.state = 'replicate';
  progress.next = progress.match + 1;
  progress.inflight = [];
  progress.probeSent = false;
  progress.snapshot = undefined;
}

/** Frees in-flight appends acknowledged by a match at `index`. */
export function freeInflight(progress: Progress, index: number): void {
  while (progress.inflight.length > 0 && (progress.inflight[0] ?? Infinity) <= index) {
    progress.inflight.shift();
  }
}
