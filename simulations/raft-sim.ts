/**
 * One seeded random run of a Raft group: the seed picks the group's size, its timings, the
 * network's behaviour and a schedule of faults (partitions both ways, one way and around a
 * bridge; crashes that lose unsynced writes, and restarts; clock jumps and drift; slow and
 * stalled disks; membership changes), while clients read and write the key-value machine.
 * Invariants run after every step. When the faults stop, a leader must be elected and every
 * member must converge within a bounded simulated time, and the clients' history must be
 * linearizable. The same seed always replays the same run.
 */
import { ConsensusAssertionError, SeededRandom, type NodeId } from '../consensus/index.js';
import { Cluster, type FaultCounts } from './cluster.js';
import { InvariantViolation } from './invariants.js';
import { checkLinearizable } from './linearizability.js';
import { leaseDurationMs } from '../consensus/read-lease.js';
import { Workload, type OperationCounts } from './workload.js';

/** How long a seed runs: the fault window and the convergence bound after it. */
export interface SimOptions {
  /** How long faults are injected, in simulated ms. */
  readonly faultMs: number;
  /** After the faults stop, the group must converge within this many simulated ms. */
  readonly convergeMs?: number;
  /**
   * Reads under the leader's lease (consensus/read-lease.ts) instead of a round each. Clock jumps
   * (a burst of ticks, which a lease does not survive and a monotonic clock never makes) become
   * pauses of the whole process, which it must survive.
   */
  readonly lease?: boolean;
}

/** The lease of a leased run: 10 ms ticks, elections after 10, timers up to 25 % fast. */
export const SIM_LEASE_MS = leaseDurationMs({ tickMs: 10, electionTimeoutTicks: 10 });

/** The default fault window of `tessera sim raft`. */
export const DEFAULT_FAULT_MS = 6000;

/** The default bound on convergence after the faults stop. */
export const DEFAULT_CONVERGE_MS = 20_000;

/** What one seed did, and whether every property held. */
export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly error: string | undefined;
  /** The one command that replays this run exactly. */
  readonly replay: string;
  readonly members: number;
  readonly simulatedMs: number;
  readonly steps: number;
  readonly checks: number;
  readonly committed: number;
  readonly faults: FaultCounts & { membershipChanges: number };
  readonly operations: OperationCounts & { checked: number; leasedReads: number };
}

/** The command that replays `seed` with `options`. */
export function replayCommand(seed: number, options: SimOptions): string {
  const window = options.faultMs === DEFAULT_FAULT_MS ? '' : ` --fault-ms ${options.faultMs}`;
  const converge =
    options.convergeMs === undefined || options.convergeMs === DEFAULT_CONVERGE_MS
      ? ''
      : ` --converge-ms ${options.convergeMs}`;
  return `npx tsx node/cli/main.ts sim raft --seed ${seed}${window}${converge}${options.lease ? ' --lease' : ''}`;
}

/** Runs one seed; never throws for a failed property, it reports it. */
export function runRaftSeed(seed: number, options: SimOptions): SimResult {
  const random = new SeededRandom(seed ^ 0x5eed);
  const members = random.chance(0.5) ? 3 : 5;
  const voters = Array.from({ length: members }, (_, i) => i + 1);
  const cluster = new Cluster({
    seed,
    voters,
    spares: [members + 1],
    raft: {
      electionTimeoutTicks: 10,
      heartbeatTicks: 2,
      inflightMax: 1 + random.int(8),
      batchEntriesMax: 1 + random.int(16),
      snapshotChunkBytes: 32 + random.int(256),
    },
    latencyMs: [1, 2 + random.int(20)],
    diskLatencyMs: [0.2, 0.5 + random.int(4)],
    snapshotEvery: 8 + random.int(40),
    ...(options.lease ? { leaseMs: SIM_LEASE_MS } : {}),
  });
  const workload = new Workload(cluster, random.fork(), {
    clients: 2 + random.int(3),
    keys: 1 + random.int(3),
    timeoutMs: 600,
    thinkMs: [2, 40],
  });
  const nemesis = new Nemesis(cluster, random.fork(), options.lease ?? false);
  let error: string | undefined;
  try {
    workload.start();
    nemesis.start(options.faultMs);
    cluster.runFor(options.faultMs);
    nemesis.stopAndRepair();
    workload.stop();
    if (!cluster.runUntil(() => converged(cluster), options.convergeMs ?? DEFAULT_CONVERGE_MS)) {
      throw new InvariantViolation(
        `no convergence within ${options.convergeMs ?? DEFAULT_CONVERGE_MS} ms after faults stopped: ${describe(cluster)}`,
      );
    }
    cluster.runUntil(() => workload.inFlight() === 0, 2000);
    const verdict = checkLinearizable(workload.history);
    if (!verdict.ok) {
      throw new InvariantViolation(
        `history of key ${verdict.key} is not linearizable:\n${verdict.operations.map((op) => `  ${JSON.stringify(op)}`).join('\n')}`,
      );
    }
  } catch (caught) {
    if (!(caught instanceof InvariantViolation || caught instanceof ConsensusAssertionError))
      throw caught;
    error = `${caught.name}: ${caught.message}`;
  }
  return {
    seed,
    ok: error === undefined,
    error,
    replay: replayCommand(seed, options),
    members,
    simulatedMs: cluster.scheduler.nowMs,
    steps: cluster.scheduler.steps,
    checks: cluster.invariants.checks,
    committed: cluster.invariants.committedIndex(),
    faults: { ...cluster.counts, membershipChanges: nemesis.membershipChanges },
    operations: {
      ...workload.counts,
      checked: workload.history.length,
      leasedReads: [...cluster.nodes.values()].reduce(
        (sum, node) => sum + node.readCounts.leased,
        0,
      ),
    },
  };
}

/**
 * Converged: one leader that has committed an entry of its term, and every member of its
 * configuration up, in its term, and applied through its commit index.
 */
function converged(cluster: Cluster): boolean {
  const leader = cluster.leader()?.raft;
  if (leader === undefined) return false;
  const status = leader.status();
  if (
    leader.termAt(status.commit) !== status.term ||
    status.commit < cluster.invariants.committedIndex()
  )
    return false;
  const config = leader.currentConfig();
  for (const id of [...config.voters, ...config.learners]) {
    const member = cluster.node(id).raft?.status();
    if (member?.term !== status.term || member.applied !== status.commit) return false;
  }
  return true;
}

function describe(cluster: Cluster): string {
  return [...cluster.nodes.values()]
    .map((node) => {
      const status = node.raft?.status();
      return status === undefined
        ? `${node.id}: down`
        : `${node.id}: ${status.role} t${status.term} commit ${status.commit} applied ${status.applied} last ${status.lastIndex}`;
    })
    .join('; ');
}

/** The fault injector: every so often it does one bad thing, and undoes it later. */
class Nemesis {
  membershipChanges = 0;
  private active = false;
  private readonly ids: NodeId[];

  constructor(
    private readonly cluster: Cluster,
    private readonly random: SeededRandom,
    /** Pause processes where an unleased run jumps clocks. */
    private readonly pauses: boolean,
  ) {
    this.ids = [...cluster.nodes.keys()];
    const { network } = cluster;
    network.dropRate = random.chance(0.3) ? 0 : random.float() * 0.1;
    network.duplicateRate = random.float() * 0.05;
    for (const id of this.ids) cluster.setTickInterval(id, 10 + (random.float() - 0.5) * 3);
  }

  start(faultMs: number): void {
    this.active = true;
    const stopAt = this.cluster.scheduler.nowMs + faultMs;
    const next = (): void => {
      if (!this.active || this.cluster.scheduler.nowMs >= stopAt) return;
      this.strike();
      this.cluster.scheduler.after(50 + this.random.int(400), next);
    };
    this.cluster.scheduler.after(100 + this.random.int(300), next);
  }

  /** Stops the faults and undoes them: heal, restart, resume disks, a calm network. */
  stopAndRepair(): void {
    this.active = false;
    const { cluster } = this;
    cluster.heal();
    cluster.network.dropRate = 0;
    cluster.network.duplicateRate = 0;
    cluster.network.latencyMs = [1, 5];
    for (const id of this.ids) {
      if (!cluster.node(id).up) cluster.restart(id);
      cluster.stallDisk(id, false);
      cluster.slowDisk(id, 1);
    }
  }

  /** The members in a uniformly random order (Fisher–Yates). */
  private shuffled(): NodeId[] {
    const order = [...this.ids];
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = this.random.int(i + 1);
      [order[i], order[j]] = [order[j] as NodeId, order[i] as NodeId];
    }
    return order;
  }

  private pick(): NodeId {
    return this.ids[this.random.int(this.ids.length)] as NodeId;
  }

  private later(ms: number, undo: () => void): void {
    this.cluster.scheduler.after(ms, () => {
      if (this.active) undo();
    });
  }

  private strike(): void {
    const { cluster, random } = this;
    const roll = random.int(100);
    if (roll < 12) {
      const shuffled = this.shuffled();
      const cut = 1 + random.int(shuffled.length - 1);
      cluster.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
      this.later(100 + random.int(1500), () => cluster.heal());
    } else if (roll < 20) {
      cluster.isolate(this.pick());
      this.later(100 + random.int(1000), () => cluster.heal());
    } else if (roll < 28) {
      const from = this.pick();
      const to = this.pick();
      if (from !== to) cluster.blockLink(from, to);
      this.later(100 + random.int(1000), () => cluster.heal());
    } else if (roll < 34) {
      const shuffled = this.shuffled();
      const bridge = shuffled.pop() as NodeId;
      const cut = Math.max(1, Math.floor(shuffled.length / 2));
      cluster.bridge(shuffled.slice(0, cut), bridge, shuffled.slice(cut));
      this.later(200 + random.int(1500), () => cluster.heal());
    } else if (roll < 40) {
      cluster.heal();
    } else if (roll < 55) {
      const id = this.pick();
      if (cluster.node(id).up) {
        cluster.crash(id);
        this.later(20 + random.int(1000), () => {
          if (!cluster.node(id).up) cluster.restart(id);
        });
      }
    } else if (roll < 63) {
      const id = this.pick();
      if (!cluster.node(id).up) return;
      if (this.pauses) cluster.pause(id, 20 + random.int(800));
      else cluster.jumpClock(id, 3 + random.int(30));
    } else if (roll < 70) {
      const id = this.pick();
      cluster.stallDisk(id, true);
      this.later(30 + random.int(600), () => cluster.stallDisk(id, false));
    } else if (roll < 76) {
      const id = this.pick();
      cluster.slowDisk(id, 5 + random.int(40));
      this.later(100 + random.int(1000), () => cluster.slowDisk(id, 1));
    } else if (roll < 84) {
      cluster.network.dropRate = random.chance(0.5) ? 0 : random.float() * 0.2;
      cluster.network.duplicateRate = random.float() * 0.1;
      cluster.network.latencyMs = [1, 2 + random.int(40)];
    } else if (roll < 94) {
      this.changeMembership();
    } else {
      const leader = cluster.leader();
      const voters = leader?.raft?.currentConfig().voters ?? [];
      const to = voters[random.int(Math.max(1, voters.length))];
      if (leader !== undefined && to !== undefined) {
        leader.step({ type: 'propose', proposal: { kind: 'transfer', to } });
      }
    }
  }

  /** One server at a time: add a non-member as learner, promote a learner, or remove a voter. */
  private changeMembership(): void {
    const leader = this.cluster.leader();
    const raft = leader?.raft;
    if (leader === undefined || raft === undefined) return;
    const config = raft.currentConfig();
    const outsiders = this.ids.filter(
      (id) => !config.voters.includes(id) && !config.learners.includes(id),
    );
    const learner = config.learners[0];
    let change;
    if (learner !== undefined) change = { kind: 'promote', node: learner } as const;
    else if (outsiders.length > 0 && this.random.chance(0.6)) {
      change = {
        kind: 'addLearner',
        node: outsiders[this.random.int(outsiders.length)] as NodeId,
      } as const;
    } else if (config.voters.length > 3) {
      change = {
        kind: 'remove',
        node: config.voters[this.random.int(config.voters.length)] as NodeId,
      } as const;
    }
    if (change === undefined) return;
    const outcome = leader.step({ type: 'propose', proposal: { kind: 'config', change } })?.outcome;
    if (outcome?.ok === true) this.membershipChanges += 1;
  }
}
