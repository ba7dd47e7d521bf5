/**
 * The driver that runs one Raft core against the real world: it writes each Ready's `persist`
 * to the durable log, sends `messages` at once and `messagesAfterPersist` only once every write
 * handed out before them is durable, applies committed entries to the state machine, snapshots
 * it every so often, and tells the core what was persisted and applied. Time and the network
 * come in from the caller (`tick`, `receive`, and a `send` function), so the same driver runs
 * under real timers or a simulated clock.
 */
import {
  Raft,
  persistIsEmpty,
  type ConfigChange,
  type Input,
  type Message,
  type NodeId,
  type ProposalOutcome,
  type RaftOptions,
  type Ready,
  type StateMachine,
  type Status,
} from '../../consensus/index.js';
import { ReadLease } from '../../consensus/read-lease.js';
import type { SegmentLog } from './segment-log.js';

/** A proposal the leader refused; `leader` is the member it believes leads (0: unknown). */
export class NotLeaderError extends Error {
  readonly code = 'RAFT_NOT_LEADER';
  constructor(
    readonly reason: string,
    readonly leader: NodeId,
  ) {
    super(`proposal refused: ${reason}${leader === 0 ? '' : ` (leader is ${leader})`}`);
    this.name = 'NotLeaderError';
  }
}

/** The entry was overwritten by a new leader before it committed: it did not happen. */
export class ProposalDroppedError extends Error {
  readonly code = 'RAFT_PROPOSAL_DROPPED';
  constructor(index: number, term: number) {
    super(`entry ${index} of term ${term} was replaced before it committed`);
    this.name = 'ProposalDroppedError';
  }
}

/** Proposals handed to the core in one step, at most. */
const PROPOSAL_BATCH_MAX = 1024;

/** The core's options, the durable log, the state machine and the way out to peers. */
export interface RaftDriverOptions<Result> {
  readonly raft: Omit<RaftOptions, 'durable'>;
  readonly log: SegmentLog;
  readonly machine: StateMachine<Result>;
  readonly send: (message: Message) => void;
  /** Applied entries between snapshots of the state machine. */
  readonly snapshotEvery?: number;
  /** Called if the durable log fails: the member must stop (it can no longer promise anything). */
  readonly onFatal?: (error: unknown) => void;
  /**
   * Reads under a leader lease (consensus/read-lease.ts): the monotonic clock and the lease's
   * length. Without it every read pays for a round of heartbeats.
   */
  readonly lease?: { readonly nowMs: () => number; readonly durationMs: number };
}

/** The result of a committed proposal. */
export interface Committed<Result> {
  readonly index: number;
  readonly term: number;
  readonly result: Result;
}

/** Runs one core against a real log, a real state machine and a send function. */
export class RaftDriver<Result> {
  private readonly raft: Raft;
  private readonly log: SegmentLog;
  private readonly machine: StateMachine<Result>;
  private readonly send: (message: Message) => void;
  private readonly snapshotEvery: number;
  /** Snapshots received from a leader and restored (a member that was too far behind). */
  snapshotsInstalled = 0;
  private readContext = 0;
  /** ReadIndex reads proposed and not yet confirmed by a majority, by context. */
  private readonly unconfirmedReads = new Map<
    number,
    {
      resolve: (index: number) => void;
      reject: (error: Error) => void;
      /** When the read's round went out, and in which term: its answer extends the lease. */
      sentMs: number;
      term: number;
    }
  >();
  private readonly lease: ReadLease | undefined;
  private readonly nowMs: () => number;
  /** Reads answered under the lease, and rounds of heartbeats sent for reads. */
  readonly reads = { leased: 0, rounds: 0 };
  /** Confirmed reads waiting for the machine to apply through their index. */
  private confirmedReads: { index: number; resolve: (index: number) => void }[] = [];
  private readonly onFatal: (error: unknown) => void;
  /** Resolves when every write handed out so far is durable. */
  private durable: Promise<void> = Promise.resolve();
  private writesInFlight = 0;
  private readonly proposals: {
    command: Uint8Array;
    resolve: (value: Committed<Result>) => void;
    reject: (error: Error) => void;
  }[] = [];
  private applied: number;
  private lastSnapshotIndex: number;
  private readonly waiting = new Map<
    number,
    { term: number; resolve: (value: Committed<Result>) => void; reject: (error: Error) => void }
  >();

  constructor(options: RaftDriverOptions<Result>) {
    this.log = options.log;
    this.machine = options.machine;
    this.send = options.send;
    this.snapshotEvery = options.snapshotEvery ?? 10_000;
    this.lease = options.lease ? new ReadLease(options.lease.durationMs) : undefined;
    this.nowMs = options.lease?.nowMs ?? (() => 0);
    this.onFatal =
      options.onFatal ??
      ((error) => {
        throw error;
      });
    const durable = options.log.state;
    if (durable.snapshot !== undefined) this.machine.restore(durable.snapshot.data);
    this.applied = durable.snapshot?.meta.index ?? 0;
    this.lastSnapshotIndex = this.applied;
    this.raft = new Raft({ ...options.raft, durable });
  }

  status(): Status {
    return this.raft.status();
  }

  tick(): void {
    this.handle(this.step({ type: 'tick' }));
  }

  receive(message: Message): void {
    this.handle(this.step({ type: 'receive', message }));
  }

  campaign(): void {
    this.handle(this.step({ type: 'campaign' }));
  }

  /**
   * Proposes a command; resolves with the machine's result once it is committed and applied.
   * Proposals made in the same turn of the event loop go to the core as one batch, so that
   * followers get them in one message and the disks in one write.
   */
  propose(command: Uint8Array): Promise<Committed<Result>> {
    return new Promise((resolve, reject) => {
      this.proposals.push({ command, resolve, reject });
      if (this.proposals.length === 1) queueMicrotask(() => this.flushProposals());
    });
  }

  /**
   * Proposes one membership change (add a learner, promote it, remove a member); resolves once
   * the change is committed and applied. The core refuses a change while another is pending,
   * and a promotion of a learner that is still behind: the caller retries.
   */
  proposeConfig(change: ConfigChange): Promise<Committed<Result>> {
    return new Promise((resolve, reject) => {
      const ready = this.step({ type: 'propose', proposal: { kind: 'config', change } });
      const outcome = ready.outcome;
      if (outcome?.ok === true)
        this.waiting.set(outcome.index, { term: outcome.term, resolve, reject });
      else reject(new NotLeaderError(outcome?.reason ?? 'unknown', outcome?.leader ?? 0));
      this.handle(ready);
    });
  }

  /**
   * A linearizable read (§6.4, ReadIndex): resolves with a log index once a majority has
   * confirmed that this member still led after the call, and the state machine has applied
   * through that index, so that reading the machine now sees every write committed before the
   * call. Rejects with NotLeaderError on a member that does not lead, or stops leading before
   * the read is confirmed.
   */
  readIndex(): Promise<number> {
    const leased = this.leaseRead();
    if (leased !== undefined) return leased;
    return new Promise((resolve, reject) => this.readRound(resolve, reject));
  }

  /**
   * A read under the lease, while it holds (renewed in the background once half of it is gone);
   * undefined when it does not hold, and the read needs a round.
   */
  private leaseRead(): Promise<number> | undefined {
    const lease = this.lease;
    const read = lease?.read(this.nowMs(), this.raft.status(), (input) => {
      const ready = this.step(input);
      this.handle(ready);
      return ready;
    });
    if (!lease || !read) return undefined;
    this.reads.leased += 1;
    if (read.renew) {
      const done = (): void => lease.renewed();
      this.readRound(done, done);
    }
    const index = read.index;
    if (index <= this.applied) return Promise.resolve(index);
    return new Promise((resolve) => this.confirmedReads.push({ index, resolve }));
  }

  /** A ReadIndex round: the read is confirmed once a majority answers heartbeats sent after it. */
  private readRound(resolve: (index: number) => void, reject: (error: Error) => void): void {
    const context = ++this.readContext;
    const sentMs = this.nowMs();
    const ready = this.step({ type: 'propose', proposal: { kind: 'read', context } });
    if (ready.outcome?.ok === true) {
      this.reads.rounds += 1;
      this.unconfirmedReads.set(context, { resolve, reject, sentMs, term: ready.outcome.term });
    } else
      reject(new NotLeaderError(ready.outcome?.reason ?? 'unknown', ready.outcome?.leader ?? 0));
    this.handle(ready);
  }

  /** One step of the core; the lease sees every one. */
  private step(input: Input): Ready {
    const ready = this.raft.step(input);
    this.lease?.afterStep(input, ready);
    return ready;
  }

  private flushProposals(): void {
    const batch = this.proposals.splice(0, PROPOSAL_BATCH_MAX);
    if (this.proposals.length > 0) queueMicrotask(() => this.flushProposals());
    const ready = this.step({
      type: 'propose',
      proposal: { kind: 'commands', data: batch.map((proposal) => proposal.command) },
    });
    const outcome: ProposalOutcome | undefined = ready.outcome;
    batch.forEach((proposal, offset) => {
      if (outcome?.ok === true) {
        const waiter = { term: outcome.term, resolve: proposal.resolve, reject: proposal.reject };
        this.waiting.set(outcome.index + offset, waiter);
      } else {
        proposal.reject(new NotLeaderError(outcome?.reason ?? 'unknown', outcome?.leader ?? 0));
      }
    });
    this.handle(ready);
  }

  private handle(ready: Ready): void {
    if (!persistIsEmpty(ready.persist)) this.persist(ready);
    for (const message of ready.messages) this.send(message);
    if (ready.messagesAfterPersist.length > 0) {
      const messages = ready.messagesAfterPersist;
      if (this.writesInFlight === 0) for (const message of messages) this.send(message);
      else void this.durable.then(() => messages.forEach((message) => this.send(message)));
    }
    if (ready.snapshotToApply !== undefined) {
      this.snapshotsInstalled += 1;
      this.machine.restore(ready.snapshotToApply.data);
      this.applied = ready.snapshotToApply.meta.index;
      this.lastSnapshotIndex = this.applied;
    }
    for (const entry of ready.committed) {
      const result = this.machine.apply(
        entry.index,
        entry.type === 'normal' ? entry.data : new Uint8Array(),
      );
      this.applied = entry.index;
      const waiter = this.waiting.get(entry.index);
      if (waiter === undefined) continue;
      this.waiting.delete(entry.index);
      if (waiter.term === entry.term)
        waiter.resolve({ index: entry.index, term: entry.term, result });
      else waiter.reject(new ProposalDroppedError(entry.index, waiter.term));
    }
    this.settleReads(ready);
    if (ready.committed.length > 0 || ready.snapshotToApply !== undefined) {
      const due = this.applied - this.lastSnapshotIndex >= this.snapshotEvery;
      if (due) this.lastSnapshotIndex = this.applied;
      const applied = due
        ? ({ type: 'applied', index: this.applied, snapshot: this.machine.snapshot() } as const)
        : ({ type: 'applied', index: this.applied } as const);
      this.handle(this.step(applied));
    }
  }

  /** Confirms reads the core released, answers those applied, and fails them all on losing the lead. */
  private settleReads(ready: Ready): void {
    for (const state of ready.readStates) {
      const read = this.unconfirmedReads.get(state.context);
      if (read === undefined) continue;
      this.unconfirmedReads.delete(state.context);
      this.lease?.extend(read.sentMs, read.term);
      this.confirmedReads.push({ index: state.index, resolve: read.resolve });
    }
    if (this.confirmedReads.length > 0) {
      const due = this.confirmedReads.filter((read) => read.index <= this.applied);
      this.confirmedReads = this.confirmedReads.filter((read) => read.index > this.applied);
      for (const read of due) read.resolve(read.index);
    }
    if (this.unconfirmedReads.size > 0 && ready.status.role !== 'leader') {
      for (const read of this.unconfirmedReads.values())
        read.reject(new NotLeaderError('not_leader', ready.status.leader));
      this.unconfirmedReads.clear();
    }
  }

  private persist(ready: Ready): void {
    const last = ready.persist.entries[ready.persist.entries.length - 1];
    const persisted = {
      type: 'persisted',
      index: last?.index ?? 0,
      term: last?.term ?? 0,
      snapshotIndex: ready.persist.snapshot?.meta.index ?? 0,
    } as const;
    this.writesInFlight += 1;
    this.durable = this.log.append(ready.persist).then(
      () => {
        this.writesInFlight -= 1;
        this.handle(this.step(persisted));
      },
      (error: unknown) => this.onFatal(error),
    );
  }
}
