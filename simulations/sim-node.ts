/**
 * One simulated member: the real Raft core, a state machine (the key-value machine of the Raft
 * simulator, the cluster map of the CM simulator), a simulated disk, and the small driver that
 * connects them the way a real node must: persist before the messages that depend on it, one
 * sync covering every write queued before it started (group commit), apply committed entries in
 * order, snapshot every so often, answer ReadIndex reads once applied.
 */
import {
  Raft,
  SeededRandom,
  persistIsEmpty,
  type Config,
  type DurableMessage,
  type Input,
  type Message,
  type NodeId,
  type ProposalOutcome,
  type RaftOptions,
  type Ready,
  type StateMachine,
} from '../consensus/index.js';
import { ReadLease } from '../consensus/read-lease.js';
import type { Scheduler } from './scheduler.js';
import { SimDisk } from './sim-disk.js';

/** What a node needs from the simulated world around it. */
export interface World<Machine extends StateMachine<unknown> = StateMachine<unknown>> {
  readonly scheduler: Scheduler;
  send(message: Message): void;
  /** How long the next sync of `node`'s disk takes, in simulated ms. */
  diskLatencyMs(node: NodeId): number;
  /** Called after every step of a node, for the invariants. */
  afterStep(node: SimNode<Machine>, ready: Ready): void;
  /** Called after a node's state machine reaches `index` (by an entry or a snapshot). */
  afterApply(node: SimNode<Machine>, index: number): void;
}

/** What a machine's apply returns. */
type ResultOf<Machine> = Machine extends StateMachine<infer Result> ? Result : never;

/** The answer to a client's write: the machine's result, or a definite failure. */
export type WriteAnswer<Result> =
  { ok: true; result: Result | undefined; index: number; term: number } | { ok: false };

interface PendingRead {
  index: number | undefined;
  readonly done: () => void;
  /** A read round: when it went out, and in which term (its answer extends the lease). */
  readonly round?: { readonly sentMs: number; readonly term: number };
}

/** One simulated member: a core, its machine, its disk, and the driver loop between them. */
export class SimNode<Machine extends StateMachine<unknown>> {
  readonly disk = new SimDisk();
  raft: Raft | undefined;
  machine: Machine;
  applied = 0;
  /** Bumped by every crash, so that events scheduled before it are ignored after it. */
  incarnation = 0;
  private held: { seq: number; message: DurableMessage }[] = [];
  private syncing = false;
  private lastSnapshotIndex = 0;
  private writes = new Map<
    number,
    { term: number; done: (answer: WriteAnswer<ResultOf<Machine>>) => void }
  >();
  private reads = new Map<number, PendingRead>();
  private readContext = 0;

  constructor(
    readonly id: NodeId,
    private readonly world: World<Machine>,
    private readonly bootstrap: Config,
    private readonly random: SeededRandom,
    private readonly raftOptions: Partial<RaftOptions>,
    private readonly snapshotEvery: number,
    /** A new, empty machine (at every start: a restart rebuilds it from the disk). */
    private readonly newMachine: () => Machine,
    /** Reads under a leader lease of this many simulated ms (read-lease.ts); 0: every read has a round. */
    leaseMs = 0,
  ) {
    this.machine = newMachine();
    this.lease = new ReadLease(leaseMs);
  }

  private readonly lease: ReadLease;
  /** Reads answered under the lease, and rounds of heartbeats sent for reads. */
  readonly readCounts = { leased: 0, rounds: 0 };

  get up(): boolean {
    return this.raft !== undefined;
  }

  /** Starts (or restarts) from what is on the disk. */
  start(): void {
    if (this.raft !== undefined) throw new Error(`node ${this.id} is already up`);
    const durable = this.disk.load();
    this.raft = new Raft({
      ...this.raftOptions,
      id: this.id,
      bootstrap: this.bootstrap,
      durable,
      random: this.random.fork(),
    });
    this.machine = this.newMachine();
    this.applied = 0;
    if (durable.snapshot !== undefined) {
      this.machine.restore(durable.snapshot.data);
      this.applied = durable.snapshot.meta.index;
      this.world.afterApply(this, this.applied);
    }
    this.lastSnapshotIndex = this.applied;
  }

  /** Stops at once: loses what the disk had not synced, and every pending client request. */
  crash(): number {
    this.raft = undefined;
    this.incarnation += 1;
    this.held = [];
    this.syncing = false;
    this.writes.clear();
    this.reads.clear();
    this.lease.end();
    return this.disk.crash(this.random);
  }

  step(input: Input): Ready | undefined {
    const raft = this.raft;
    if (raft === undefined) return undefined;
    const ready = raft.step(input);
    this.lease.afterStep(input, ready);
    this.world.afterStep(this, ready);
    this.handle(ready);
    return ready;
  }

  /** Proposes a command; `done` hears the machine's result once it is applied here. */
  propose(
    command: Uint8Array,
    done: (answer: WriteAnswer<ResultOf<Machine>>) => void,
  ): ProposalOutcome | undefined {
    const ready = this.step({
      type: 'propose',
      proposal: { kind: 'command', data: command },
    });
    const outcome = ready?.outcome;
    if (outcome?.ok === true) this.writes.set(outcome.index, { term: outcome.term, done });
    return outcome;
  }

  /**
   * A linearizable read through ReadIndex: `done` is called once this member's machine has
   * applied everything committed before the call (read the machine then).
   */
  readIndex(done: () => void): ProposalOutcome | undefined {
    const term = this.raft?.status().term ?? 0;
    const leased = this.lease.read(this.world.scheduler.nowMs, this.raft?.status(), (input) =>
      this.step(input),
    );
    if (leased) {
      this.readCounts.leased += 1;
      this.reads.set(++this.readContext, { index: leased.index, done });
      if (leased.renew && this.round(() => this.lease.renewed())?.ok !== true) this.lease.renewed();
      this.serveReads();
      return { ok: true, index: leased.index, term };
    }
    const outcome = this.round(done);
    this.serveReads();
    return outcome;
  }

  /** Whether this member would answer a read now under its lease (no round). */
  leaseHolds(): boolean {
    const status = this.raft?.status();
    return status?.role === 'leader' && this.lease.holds(this.world.scheduler.nowMs, status.term);
  }

  /** A read with a round of heartbeats: answered once a majority confirms the leadership. */
  private round(done: () => void): ProposalOutcome | undefined {
    const now = this.world.scheduler.nowMs;
    const status = this.raft?.status();
    const context = ++this.readContext;
    this.reads.set(context, {
      index: undefined,
      done,
      round: { sentMs: now, term: status?.term ?? 0 },
    });
    const ready = this.step({ type: 'propose', proposal: { kind: 'read', context } });
    if (ready?.outcome?.ok !== true) this.reads.delete(context);
    else this.readCounts.rounds += 1;
    return ready?.outcome;
  }

  /** Stalls or resumes the disk: while stalled, syncs do not complete. */
  setDiskStalled(stalled: boolean): void {
    this.disk.stalled = stalled;
    if (!stalled) this.scheduleSync();
  }

  private handle(ready: Ready): void {
    if (!persistIsEmpty(ready.persist)) {
      this.disk.write(ready.persist);
      this.scheduleSync();
    }
    for (const message of ready.messages) this.world.send(message);
    for (const message of ready.messagesAfterPersist) {
      if (this.disk.synced >= this.disk.written) this.world.send(message);
      else this.held.push({ seq: this.disk.written, message });
    }
    if (ready.snapshotToApply !== undefined) {
      this.machine.restore(ready.snapshotToApply.data);
      this.applied = ready.snapshotToApply.meta.index;
      this.lastSnapshotIndex = this.applied;
      this.world.afterApply(this, this.applied);
    }
    for (const entry of ready.committed) {
      const result =
        entry.type === 'normal'
          ? (this.machine.apply(entry.index, entry.data) as ResultOf<Machine>)
          : undefined;
      this.applied = entry.index;
      this.world.afterApply(this, entry.index);
      const write = this.writes.get(entry.index);
      if (write !== undefined) {
        this.writes.delete(entry.index);
        write.done(
          write.term === entry.term
            ? { ok: true, result, index: entry.index, term: entry.term }
            : { ok: false },
        );
      }
    }
    for (const state of ready.readStates) {
      const read = this.reads.get(state.context);
      if (read === undefined) continue;
      read.index = state.index;
      if (read.round) this.lease.extend(read.round.sentMs, read.round.term);
    }
    if (ready.committed.length > 0 || ready.snapshotToApply !== undefined) {
      const snapshot =
        this.applied - this.lastSnapshotIndex >= this.snapshotEvery
          ? this.machine.snapshot()
          : undefined;
      if (snapshot !== undefined) this.lastSnapshotIndex = this.applied;
      this.step({ type: 'applied', index: this.applied, ...(snapshot ? { snapshot } : {}) });
    }
    if (ready.readStates.length > 0 || ready.committed.length > 0) this.serveReads();
  }

  private serveReads(): void {
    for (const [context, read] of this.reads) {
      if (read.index !== undefined && read.index <= this.applied) {
        this.reads.delete(context);
        read.done();
      }
    }
  }

  /** Group commit: one sync at a time, covering every write queued before it began. */
  private scheduleSync(): void {
    if (this.syncing || this.disk.stalled || this.disk.synced >= this.disk.written) return;
    this.syncing = true;
    const incarnation = this.incarnation;
    const upTo = this.disk.written;
    this.world.scheduler.after(this.world.diskLatencyMs(this.id), () => {
      if (incarnation !== this.incarnation) return;
      this.syncing = false;
      if (this.disk.stalled) return; // resumes from setDiskStalled(false)
      this.disk.sync(upTo);
      const ready: DurableMessage[] = [];
      this.held = this.held.filter(({ seq, message }) =>
        seq <= upTo ? (ready.push(message), false) : true,
      );
      for (const message of ready) this.world.send(message);
      const durable = this.disk.lastDurable();
      this.step({ type: 'persisted', ...durable });
      this.scheduleSync();
    });
  }
}
