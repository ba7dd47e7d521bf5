/**
 * A simulated Raft group: N members on one simulated clock, a network that can delay, drop,
 * duplicate and reorder messages and be cut (both ways, one way, or around a bridge member),
 * disks that can be slow or stall, and clocks that drift and jump. The invariants run after
 * every step. Scenario tests and the seeded random runs both drive this one class.
 */
import {
  KvMachine,
  SeededRandom,
  encodeKvCommand,
  type Config,
  type KvCommand,
  type KvResult,
  type ProposalOutcome,
  type Message,
  type NodeId,
  type RaftOptions,
  type Ready,
} from '../consensus/index.js';
import { Invariants } from './invariants.js';
import { Pauses } from './pauses.js';
import { Scheduler } from './scheduler.js';
import { SimNode, type WriteAnswer, type World } from './sim-node.js';

/** The shape of a simulated group; everything random in it follows from `seed`. */
export interface ClusterOptions {
  readonly seed: number;
  /** The voters every member starts with. */
  readonly voters: readonly NodeId[];
  /** Members that start empty, outside the configuration, to be added later. */
  readonly spares?: readonly NodeId[];
  readonly raft?: Partial<RaftOptions>;
  /** Simulated ms per tick. */
  readonly tickMs?: number;
  /** When false, time passes only through `tickAll` (scenario tests). */
  readonly autoTick?: boolean;
  readonly latencyMs?: readonly [number, number];
  readonly diskLatencyMs?: readonly [number, number];
  /** Applied entries between snapshots. */
  readonly snapshotEvery?: number;
  /** Reads under a leader lease of this many simulated ms (consensus/read-lease.ts); 0: none. */
  readonly leaseMs?: number;
}

/** What the network does to messages, changeable while a run goes on. */
export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  latencyMs: [number, number];
}

/** Counts of what was done to the group, for the summary. */
export interface FaultCounts {
  messages: number;
  dropped: number;
  duplicated: number;
  partitions: number;
  crashes: number;
  /** Crashes that left a record torn part-way on the disk. */
  tornWrites: number;
  restarts: number;
  clockJumps: number;
  /** Processes paused (no ticks, messages or calls handled for a while). */
  pauses: number;
  diskStalls: number;
  slowDisks: number;
}

/** The simulated group, its network, clocks and disks, with the invariants attached. */
export class Cluster implements World<KvMachine> {
  readonly scheduler = new Scheduler();
  readonly invariants: Invariants;
  readonly nodes = new Map<NodeId, KvNode>();
  readonly random: SeededRandom;
  readonly network: NetworkFaults;
  readonly counts: FaultCounts = {
    messages: 0,
    dropped: 0,
    duplicated: 0,
    partitions: 0,
    crashes: 0,
    tornWrites: 0,
    restarts: 0,
    clockJumps: 0,
    pauses: 0,
    diskStalls: 0,
    slowDisks: 0,
  };
  private readonly blocked = new Set<string>();
  /** Messages matching any of these are dropped until `heal` (scenario tests). */
  private readonly dropRules: ((message: Message) => boolean)[] = [];
  private readonly tickMs: number;
  private readonly tickIntervalMs = new Map<NodeId, number>();
  private readonly pauses: Pauses<NodeId>;
  private readonly diskSlowFactor = new Map<NodeId, number>();
  private readonly diskLatency: readonly [number, number];
  /** Called for every delivered message (scenario tests watch traffic with it). */
  onDeliver: ((message: Message) => void) | undefined;

  constructor(readonly options: ClusterOptions) {
    this.random = new SeededRandom(options.seed);
    this.pauses = new Pauses(this.scheduler);
    this.invariants = new Invariants(() => this.scheduler.nowMs);
    this.tickMs = options.tickMs ?? 10;
    this.diskLatency = options.diskLatencyMs ?? [1, 1];
    this.network = { dropRate: 0, duplicateRate: 0, latencyMs: [...(options.latencyMs ?? [1, 1])] };
    const bootstrap: Config = { voters: [...options.voters], learners: [] };
    for (const id of [...options.voters, ...(options.spares ?? [])]) {
      const node = new KvNode(
        id,
        this,
        bootstrap,
        this.random.fork(),
        { electionTimeoutTicks: 10, heartbeatTicks: 2, ...options.raft },
        options.snapshotEvery ?? 1_000_000,
        () => new KvMachine(),
        options.leaseMs ?? 0,
      );
      this.nodes.set(id, node);
      this.tickIntervalMs.set(id, this.tickMs);
      node.start();
      if (options.autoTick ?? true) this.scheduleTick(node, node.incarnation);
    }
  }

  node(id: NodeId): KvNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`no node ${id}`);
    return node;
  }

  /** The up member that believes itself leader in the highest term, if any. */
  leader(): KvNode | undefined {
    let best: KvNode | undefined;
    for (const node of this.nodes.values()) {
      const status = node.raft?.status();
      if (status?.role !== 'leader') continue;
      if (best === undefined || status.term > (best.raft?.status().term ?? 0)) best = node;
    }
    return best;
  }

  // ---- World --------------------------------------------------------------------------------

  send(message: Message): void {
    this.counts.messages += 1;
    if (
      this.blocked.has(link(message.from, message.to)) ||
      this.random.chance(this.network.dropRate)
    ) {
      this.counts.dropped += 1;
      return;
    }
    const copies = this.random.chance(this.network.duplicateRate) ? 2 : 1;
    if (copies === 2) this.counts.duplicated += 1;
    for (let copy = 0; copy < copies; copy += 1) {
      const [low, high] = this.network.latencyMs;
      this.scheduler.after(low + this.random.float() * (high - low), () => this.deliver(message));
    }
  }

  diskLatencyMs(node: NodeId): number {
    const [low, high] = this.diskLatency;
    return (low + this.random.float() * (high - low)) * (this.diskSlowFactor.get(node) ?? 1);
  }

  afterStep(node: KvNode, ready: Ready): void {
    this.invariants.afterStep(node, ready);
  }

  afterApply(node: KvNode, index: number): void {
    this.invariants.afterApply(node, index);
  }

  private deliver(message: Message): void {
    // A paused process reads its socket when it resumes.
    if (this.pauses.leftMs(message.to) > 0)
      return this.pauses.whenRunning(message.to, () => this.deliver(message));
    if (
      this.blocked.has(link(message.from, message.to)) ||
      this.dropRules.some((drop) => drop(message))
    ) {
      this.counts.dropped += 1;
      return;
    }
    const node = this.nodes.get(message.to);
    if (node?.up !== true) return;
    this.onDeliver?.(message);
    node.step({ type: 'receive', message });
  }

  private scheduleTick(node: KvNode, incarnation: number): void {
    this.scheduler.after(this.tickIntervalMs.get(node.id) ?? this.tickMs, () => {
      // A timer that came due in a pause fires once when the process resumes (no burst of ticks).
      this.pauses.whenRunning(node.id, () => {
        if (node.incarnation !== incarnation) return;
        node.step({ type: 'tick' });
        this.scheduleTick(node, incarnation);
      });
    });
  }

  /**
   * Pauses member `id`'s process for `ms` (pauses.ts): it handles no message, no tick and no
   * client call until then.
   */
  pause(id: NodeId, ms: number): void {
    this.counts.pauses += 1;
    this.pauses.pause(id, ms);
  }

  /** Runs `action` now, or when member `id` resumes if it is paused. */
  whenRunning(id: NodeId, action: () => void): void {
    this.pauses.whenRunning(id, action);
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Runs events for `ms` simulated milliseconds. */
  runFor(ms: number): void {
    const until = this.scheduler.nowMs + ms;
    while (this.scheduler.runNext(until));
    this.scheduler.nowMs = until;
  }

  /** Runs until `done()` holds, at most `limitMs`; returns whether it held. */
  runUntil(done: () => boolean, limitMs: number): boolean {
    const until = this.scheduler.nowMs + limitMs;
    while (!done()) {
      if (!this.scheduler.runNext(until)) return done();
    }
    return true;
  }

  /** Delivers everything in flight and finishes every sync (only without automatic ticks). */
  settle(): void {
    for (let events = 0; this.scheduler.runNext(); events += 1) {
      if (events > 1_000_000) throw new Error('the group does not settle');
    }
  }

  /** Without automatic ticks: ticks every up member `ticks` times, settling after each. */
  tickAll(ticks: number, only?: readonly NodeId[]): void {
    for (let tick = 0; tick < ticks; tick += 1) {
      for (const node of this.nodes.values()) {
        if (only === undefined || only.includes(node.id)) node.step({ type: 'tick' });
      }
      this.settle();
    }
  }

  /** Sets one member's tick interval (clock drift): a fast clock times out early. */
  setTickInterval(id: NodeId, ms: number): void {
    this.tickIntervalMs.set(id, ms);
  }

  /** A clock jump: `ticks` ticks at once. */
  jumpClock(id: NodeId, ticks: number): void {
    this.counts.clockJumps += 1;
    const node = this.node(id);
    for (let tick = 0; tick < ticks; tick += 1) node.step({ type: 'tick' });
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Cuts the network into groups: members talk only inside their group. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.counts.partitions += 1;
    this.blocked.clear();
    const groupOf = new Map<NodeId, number>();
    groups.forEach((group, index) => group.forEach((id) => groupOf.set(id, index)));
    for (const a of this.nodes.keys()) {
      for (const b of this.nodes.keys()) {
        if (a !== b && groupOf.get(a) !== groupOf.get(b)) this.blocked.add(link(a, b));
      }
    }
  }

  /** Two halves that cannot talk, and a bridge member that talks to both. */
  bridge(left: readonly NodeId[], bridge: NodeId, right: readonly NodeId[]): void {
    this.partition([left, right]);
    for (const id of [...left, ...right]) {
      this.blocked.delete(link(id, bridge));
      this.blocked.delete(link(bridge, id));
    }
  }

  /** Drops every message from `from` to `to` (one way). */
  blockLink(from: NodeId, to: NodeId): void {
    this.counts.partitions += 1;
    this.blocked.add(link(from, to));
  }

  /** Cuts `id` off from everyone, both ways. */
  isolate(id: NodeId): void {
    this.counts.partitions += 1;
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.blocked.add(link(id, other));
      this.blocked.add(link(other, id));
    }
  }

  /** Drops every message for which `rule` holds, until `heal`. */
  dropWhen(rule: (message: Message) => boolean): void {
    this.dropRules.push(rule);
  }

  heal(): void {
    this.blocked.clear();
    this.dropRules.length = 0;
  }

  crash(id: NodeId): void {
    this.counts.crashes += 1;
    const disk = this.node(id).disk;
    const tornBefore = disk.tornWrites;
    this.node(id).crash();
    this.counts.tornWrites += disk.tornWrites - tornBefore;
  }

  restart(id: NodeId): void {
    this.counts.restarts += 1;
    const node = this.node(id);
    node.start();
    if (this.options.autoTick ?? true) this.scheduleTick(node, node.incarnation);
  }

  /** Stalls a disk (syncs stop completing) or resumes it. */
  stallDisk(id: NodeId, stalled: boolean): void {
    if (stalled) this.counts.diskStalls += 1;
    this.node(id).setDiskStalled(stalled);
  }

  /** Multiplies a disk's sync latency (1: normal). */
  slowDisk(id: NodeId, factor: number): void {
    if (factor > 1) this.counts.slowDisks += 1;
    this.diskSlowFactor.set(id, factor);
  }
}

function link(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

/** A member of the Raft simulator: its machine is the key-value machine. */
export class KvNode extends SimNode<KvMachine> {
  get kv(): KvMachine {
    return this.machine;
  }

  /** Proposes a key-value command; `done` hears the result once it is applied here. */
  proposeCommand(
    command: KvCommand,
    done: (answer: WriteAnswer<KvResult>) => void,
  ): ProposalOutcome | undefined {
    return this.propose(encodeKvCommand(command), done);
  }

  /** Reads `key` linearizably through ReadIndex; `done` hears the value. */
  read(key: string, done: (value: string | null) => void): ProposalOutcome | undefined {
    return this.readIndex(() => done(this.kv.read(key)));
  }
}
