/**
 * The messages members send each other. They come in two kinds, and the kind is a type:
 * `ImmediateMessage` may leave as soon as the core emits it; `DurableMessage` (votes, requests
 * for votes, acknowledgements of entries and snapshots) promises something about this member's
 * disk and may leave only once everything the core asked to persist before it is on stable
 * storage (Figure 2: "respond after updating stable storage"). A leader's own appends go at once:
 * it may write its log in parallel with its followers (§10.2.1).
 */
import type { Entry, NodeId, SnapshotMeta } from './types.js';

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's current term (for a pre-vote request: the term it would campaign in). */
  readonly term: number;
}

interface Candidacy extends Envelope {
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** Set by a leadership transfer: voters ignore their leader lease (§3.10). */
  readonly transfer: boolean;
}

/** RequestVote (§5.2): sent only once the candidate's new term and self-vote are durable. */
export interface VoteRequest extends Candidacy {
  readonly type: 'vote';
}

/** The pre-vote form of RequestVote (§9.6): it changes no one's term or vote. */
export interface PreVoteRequest extends Candidacy {
  readonly type: 'preVote';
}

/** The answer to a real vote request: it records a durable vote. */
export interface VoteResponse extends Envelope {
  readonly type: 'voteResponse';
  readonly granted: boolean;
}

/** The answer to a pre-vote request: it changes nothing, so it may go at once. */
export interface PreVoteResponse extends Envelope {
  readonly type: 'preVoteResponse';
  readonly granted: boolean;
}

/** AppendEntries (§5.3): entries after (prevIndex, prevTerm), and the leader's commit index. */
export interface AppendRequest extends Envelope {
  readonly type: 'append';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * The answer to AppendEntries. On success `matchIndex` is the last index known to match the
 * leader. On a mismatch, `rejectedIndex` is the prevIndex refused and (hintIndex, hintTerm) the
 * follower's last entry that may match, for fast backtracking (§5.3, "the follower can include
 * the term of the conflicting entry").
 */
export interface AppendResponse extends Envelope {
  readonly type: 'appendResponse';
  readonly success: boolean;
  readonly matchIndex: number;
  readonly rejectedIndex: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/** A heartbeat: keeps followers from campaigning, carries a safe commit index and a read round. */
export interface Heartbeat extends Envelope {
  readonly type: 'heartbeat';
  readonly commit: number;
  /** The leader's latest ReadIndex round (0 when none). */
  readonly readRound: number;
}

/** The answer to a heartbeat; echoing `readRound` confirms the leader's leadership (§6.4). */
export interface HeartbeatResponse extends Envelope {
  readonly type: 'heartbeatResponse';
  readonly readRound: number;
}

/** One chunk of InstallSnapshot (§7): bytes [offset, offset + data.length) of the snapshot. */
export interface SnapshotChunk extends Envelope {
  readonly type: 'snapshot';
  readonly meta: SnapshotMeta;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly done: boolean;
  readonly totalBytes: number;
}

/**
 * The answer to a snapshot chunk: `nextOffset` is the next byte wanted (0 to restart); `done`
 * means the whole snapshot is durable here.
 */
export interface SnapshotResponse extends Envelope {
  readonly type: 'snapshotResponse';
  readonly snapshotIndex: number;
  readonly nextOffset: number;
  readonly done: boolean;
}

/** Leadership transfer: "campaign now" (§3.10). */
export interface TimeoutNow extends Envelope {
  readonly type: 'timeoutNow';
}

/** A message that may leave as soon as it is emitted. */
export type ImmediateMessage =
  PreVoteRequest | PreVoteResponse | AppendRequest | Heartbeat | SnapshotChunk | TimeoutNow;

/** A message that may leave only after everything persisted before it is durable. */
export type DurableMessage =
  VoteRequest | VoteResponse | AppendResponse | HeartbeatResponse | SnapshotResponse;

/** Any message between members. */
export type Message = ImmediateMessage | DurableMessage;
