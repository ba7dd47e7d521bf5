/**
 * The core's one seam with the world: what goes into `step` and what comes out. The driver
 * (node/ in production, simulations/ in tests) must, for each Ready, in this order:
 * 1. write `persist` (snapshot first, then entries, which overwrite the log from their first
 *    index on, then the hard state) and, once it is on stable storage, step `persisted`;
 * 2. send `messages` at once, and `messagesAfterPersist` only after every `persist` handed out so
 *    far is durable: the types make votes and acknowledgements wait for the disk;
 * 3. restore `snapshotToApply` if any, apply `committed` in order, and step `applied`;
 * 4. answer reads in `readStates` once its applied index reaches theirs.
 */
import type { DurableMessage, ImmediateMessage, Message } from './messages.js';
import type { ConfigChange, Entry, HardState, NodeId, Snapshot } from './types.js';

/** A member's role (§5.1), with the pre-candidate of PreVote (§9.6). */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** What a client asks of the leader. */
export type Proposal =
  /** A command for the state machine. */
  | { readonly kind: 'command'; readonly data: Uint8Array }
  /**
   * Several commands at once, in consecutive entries from the outcome's index on: a driver
   * gathers the proposals of one turn of its event loop into one, for one message per follower.
   */
  | { readonly kind: 'commands'; readonly data: readonly Uint8Array[] }
  /** One membership change (§4.1). */
  | { readonly kind: 'config'; readonly change: ConfigChange }
  /**
   * A linearizable read (§6.4, ReadIndex); `context` comes back in the read state. With `lease`
   * the caller holds a valid read lease (read-lease.ts): the outcome's index answers the read at
   * once, with no round and no read state (§6.4.1).
   */
  | { readonly kind: 'read'; readonly context: number; readonly lease?: boolean }
  /** Hand leadership to `to` (§3.10). */
  | { readonly kind: 'transfer'; readonly to: NodeId };

/** Why a proposal was refused; the caller may retry elsewhere or later. */
export type RefusalReason =
  | 'not_leader'
  | 'transferring'
  | 'config_pending'
  | 'learner_behind'
  | 'not_a_learner'
  | 'unknown_member'
  | 'no_commit_in_term';

/** The answer to a proposal: where the entry went, or why it was refused. */
export type ProposalOutcome =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: RefusalReason; readonly leader: NodeId };

/** Everything that can happen to a member. */
export type Input =
  /** One unit of logical time passed. */
  | { readonly type: 'tick' }
  /** A message arrived. */
  | { readonly type: 'receive'; readonly message: Message }
  | { readonly type: 'propose'; readonly proposal: Proposal }
  /**
   * Everything handed out for persistence up to entry (index, term), and the snapshot at
   * snapshotIndex (0 when none), is now on stable storage.
   */
  | {
      readonly type: 'persisted';
      readonly index: number;
      readonly term: number;
      readonly snapshotIndex: number;
    }
  /**
   * The state machine has applied through `index`. With `snapshot`, its bytes as of exactly
   * `index`: the core keeps them to send to laggards and compacts its log up to there.
   */
  | { readonly type: 'applied'; readonly index: number; readonly snapshot?: Uint8Array }
  /** Campaign now, as on TimeoutNow (tests and operators use it to pick a leader). */
  | { readonly type: 'campaign' };

/** What to write before anything that depends on it. Empty fields mean nothing to write. */
export interface Persist {
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | undefined;
}

/** A ReadIndex read that may be answered once the state machine has applied `index`. */
export interface ReadState {
  readonly context: number;
  readonly index: number;
}

/** A member's observable status. */
export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId;
  readonly commit: number;
  readonly lastIndex: number;
  readonly applied: number;
}

/** The result of one step. */
export interface Ready {
  readonly persist: Persist;
  readonly messages: readonly ImmediateMessage[];
  readonly messagesAfterPersist: readonly DurableMessage[];
  /** A snapshot from the leader to restore into the state machine before `committed`. */
  readonly snapshotToApply: Snapshot | undefined;
  /** Committed entries to apply, in order, each handed out once. */
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** Set for a `propose` input. */
  readonly outcome: ProposalOutcome | undefined;
  readonly status: Status;
}

/** True when the driver has nothing to write. */
export function persistIsEmpty(persist: Persist): boolean {
  return (
    persist.hardState === undefined &&
    persist.entries.length === 0 &&
    persist.snapshot === undefined
  );
}
