/**
 * Raft's safety properties (Figure 3 of the paper), checked after every step of every member in
 * a simulation: Election Safety (at most one leader per term), Log Matching and State Machine
 * Safety (committed prefixes identical everywhere, the same state at the same applied index),
 * Leader Completeness (every committed entry in every later leader's log), and that terms and
 * commit indexes never go backwards. A violation throws `InvariantViolation` at once.
 */
import type { Entry, NodeId, Ready } from '../consensus/index.js';
import type { SimNode } from './sim-node.js';
import type { StateMachine } from '../consensus/index.js';

/** What the invariants look at in a member, whatever its machine. */
type AnyNode = Pick<
  SimNode<StateMachine<unknown>>,
  'id' | 'raft' | 'disk' | 'incarnation' | 'machine'
>;

/** A safety property did not hold: the message says which, where and when. */
export class InvariantViolation extends Error {
  readonly code = 'SIM_INVARIANT';
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

interface Seen {
  incarnation: number;
  term: number;
  commit: number;
  leaderTerm: number;
  durableTerm: number;
}

/** The safety checks of one simulated run, fed after every step and every apply. */
export class Invariants {
  private readonly leaders = new Map<number, NodeId>();
  /** Every entry known committed anywhere, by index. */
  private readonly committed = new Map<number, Entry>();
  /**
   * The term in which each committed index was first seen committed (the committing leader's
   * term: its step is the first to show the commit). Leader Completeness asks leaders of later
   * terms only to hold it.
   */
  private readonly commitTerms = new Map<number, number>();
  private committedMax = 0;
  private readonly digests = new Map<number, { digest: string; node: NodeId }>();
  private readonly seen = new Map<NodeId, Seen>();
  /** How many checks ran, for the summary. */
  checks = 0;

  constructor(private readonly now: () => number) {}

  private fail(message: string): never {
    throw new InvariantViolation(`at ${this.now()} ms: ${message}`);
  }

  /** The entry committed at `index`, if one is known. */
  committedAt(index: number): Entry | undefined {
    return this.committed.get(index);
  }

  committedIndex(): number {
    return this.committedMax;
  }

  afterStep(node: AnyNode, ready: Ready): void {
    this.checks += 1;
    const raft = node.raft;
    if (raft === undefined) return;
    const status = ready.status;
    let seen = this.seen.get(node.id);
    if (seen === undefined || seen.incarnation !== node.incarnation) {
      seen = {
        incarnation: node.incarnation,
        term: status.term,
        commit: 0,
        leaderTerm: 0,
        durableTerm: seen?.durableTerm ?? 0,
      };
      this.seen.set(node.id, seen);
    }
    if (status.term < seen.term)
      this.fail(`node ${node.id} term went back from ${seen.term} to ${status.term}`);
    const durableTerm = node.disk.durableTerm();
    if (durableTerm < seen.durableTerm) {
      this.fail(
        `node ${node.id} durable term went back from ${seen.durableTerm} to ${durableTerm}`,
      );
    }
    seen.durableTerm = durableTerm;
    if (status.commit < seen.commit) {
      this.fail(`node ${node.id} commit went back from ${seen.commit} to ${status.commit}`);
    }
    if (status.role === 'leader') {
      const other = this.leaders.get(status.term);
      if (other !== undefined && other !== node.id) {
        this.fail(`two leaders in term ${status.term}: ${other} and ${node.id}`);
      }
      this.leaders.set(status.term, node.id);
      if (seen.leaderTerm !== status.term) {
        seen.leaderTerm = status.term;
        this.checkLeaderCompleteness(node);
      }
    }
    for (
      let index = Math.max(seen.commit + 1, raft.firstIndex());
      index <= status.commit;
      index += 1
    ) {
      const entry = raft.entryAt(index);
      if (entry === undefined) this.fail(`node ${node.id} committed ${index} but does not hold it`);
      this.recordCommitted(node.id, entry, status.term);
    }
    seen.term = status.term;
    seen.commit = status.commit;
  }

  private recordCommitted(node: NodeId, entry: Entry, term: number): void {
    const known = this.committed.get(entry.index);
    if (known === undefined) {
      this.committed.set(entry.index, entry);
      this.commitTerms.set(entry.index, term);
      this.committedMax = Math.max(this.committedMax, entry.index);
      return;
    }
    if (
      known.term !== entry.term ||
      !sameBytes(known.data, entry.data) ||
      known.type !== entry.type
    ) {
      this.fail(
        `node ${node} committed index ${entry.index} at term ${entry.term}, ` +
          `but term ${known.term} was committed there before`,
      );
    }
  }

  /**
   * §5.4: a leader holds every entry committed in an earlier term. (Not one committed in its own
   * term or later: a leader whose process paused while it won learns of its win late, after a
   * newer leader may have committed entries it never saw; it steps down at their first message.)
   */
  private checkLeaderCompleteness(node: AnyNode): void {
    const raft = node.raft;
    if (raft === undefined) return;
    const term = raft.status().term;
    for (let index = raft.firstIndex(); index <= this.committedMax; index += 1) {
      const known = this.committed.get(index);
      if (known === undefined || (this.commitTerms.get(index) ?? 0) >= term) continue;
      if (raft.termAt(index) !== known.term) {
        this.fail(
          `leader ${node.id} of term ${raft.status().term} lacks committed entry ${index} ` +
            `(term ${known.term}; it holds term ${raft.termAt(index)})`,
        );
      }
    }
  }

  /** State Machine Safety: every member that applied through `index` has the same state. */
  afterApply(node: AnyNode, index: number): void {
    this.checks += 1;
    const digest = node.machine.digest();
    const known = this.digests.get(index);
    if (known === undefined) {
      this.digests.set(index, { digest, node: node.id });
    } else if (known.digest !== digest) {
      this.fail(
        `state at applied index ${index}: node ${node.id} has ${digest}, node ${known.node} had ${known.digest}`,
      );
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
