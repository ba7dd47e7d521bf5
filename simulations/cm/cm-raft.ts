/**
 * The cluster map of the CM simulator on real Raft: one member per node (the real Raft core of
 * consensus/, the real ClusterMap as its state machine, a simulated disk that loses what was not
 * synced at a crash), its messages on the same simulated network as the store calls (the same
 * latency, cuts, drops and crashes), ticking on the simulated clock. The Raft simulator's
 * invariants run after every step of every member.
 *
 * What a node's CM sees is what a real node's CM sees: its own member's map as that member has
 * applied it (so it lags the log by as much as Raft makes it lag); a proposal goes to the leader
 * the member knows and answers once the leader applied it; a confirmation is a ReadIndex read at
 * that leader (answered under its read lease while that holds, consensus/read-lease.ts), then a
 * wait until the node's own member has applied through the read's index.
 *
 * The world's `map` follows the committed log (every entry as the first member applies it): it is
 * the truth the checks compare against, never what a CM reads.
 */
import {
  SeededRandom,
  type Config,
  type Message,
  type NodeId,
  type Ready,
} from '../../consensus/index.js';
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
} from '../../node/cluster/cluster-map-types.js';
import { ClusterMap, encodeCommand } from '../../node/cluster/cluster-map.js';
import { leaseDurationMs } from '../../consensus/read-lease.js';
import { ApplyWaiters } from '../../node/runtime/apply-waiters.js';
import { Invariants } from '../invariants.js';
import type { Scheduler } from '../scheduler.js';
import { SimNode, type World } from '../sim-node.js';

/** What the group needs from the world around it (CmWorld). */
export interface RaftHost {
  readonly scheduler: Scheduler;
  /** The committed map: the group applies every committed entry to it, in order. */
  readonly map: ClusterMap;
  delay(range: readonly [number, number]): number;
  /** Whether a message from `from` to `to` is lost (a cut or a drop). */
  lost(from: string, to: string): boolean;
  /** Runs `action` now, or once node `id` resumes if its process is paused. */
  whenRunning(id: string, action: () => void): void;
  /** Node `id`'s member has applied its map through `state.appliedIndex`. */
  applied(id: string, state: Readonly<ClusterMapState>): void;
}

/** Simulated milliseconds per Raft tick; elections after 10 to 20 ticks, heartbeats every 2. */
export const RAFT_TICK_MS = 10;
const RAFT_OPTIONS = { electionTimeoutTicks: 10, heartbeatTicks: 2 } as const;
/** Confirmations are answered under the leader's read lease, as on a real node. */
const LEASE_MS = leaseDurationMs({
  tickMs: RAFT_TICK_MS,
  electionTimeoutTicks: RAFT_OPTIONS.electionTimeoutTicks,
});
const LATENCY_MS: readonly [number, number] = [1, 10];
const DISK_MS: readonly [number, number] = [0, 2];
/** How long a node waits for its own member to apply through an index it was told of. */
const APPLY_WAIT_MS_MAX = 1_000;

type Member = SimNode<ClusterMap>;

export class RaftMapGroup implements World<ClusterMap> {
  readonly members = new Map<string, Member>();
  private readonly ids: string[];
  private readonly invariants: Invariants;
  /** Per node: confirmations waiting for its own member to apply through a read's index. */
  private readonly waiters = new Map<string, ApplyWaiters>();

  constructor(
    private readonly host: RaftHost,
    ids: readonly string[],
    random: SeededRandom,
  ) {
    this.ids = [...ids];
    this.invariants = new Invariants(() => host.scheduler.nowMs);
    const bootstrap: Config = { voters: this.ids.map((_, i) => i + 1), learners: [] };
    this.ids.forEach((id, i) => {
      const member = new SimNode<ClusterMap>(
        i + 1,
        this,
        bootstrap,
        random.fork(),
        RAFT_OPTIONS,
        1_000_000,
        () => new ClusterMap(),
        LEASE_MS,
      );
      this.members.set(id, member);
      this.start(id);
    });
  }

  get scheduler(): Scheduler {
    return this.host.scheduler;
  }

  /** Starts (or restarts after a crash) node `id`'s member from its disk. */
  start(id: string): void {
    const member = this.members.get(id)!;
    if (member.up) return;
    member.start();
    this.host.applied(id, member.machine.current);
    this.tick(member, member.incarnation);
  }

  /** Crashes node `id`'s member: unsynced log writes and everything pending are lost. */
  crash(id: string): void {
    const member = this.members.get(id)!;
    if (!member.up) return;
    member.crash();
    // Its waiters are gone with it (each still times out); the restarted member applies anew.
    this.waiters.delete(id);
  }

  /** The node that node `id`'s member believes leads, if it knows one. */
  leaderSeenBy(id: string): string | undefined {
    const leader = this.members.get(id)!.raft?.status().leader ?? 0;
    return leader === 0 ? undefined : this.ids[leader - 1];
  }

  /** The up member that believes itself leader in the highest term, if any. */
  leader(): string | undefined {
    let best: { id: string; term: number } | undefined;
    for (const [id, member] of this.members) {
      const status = member.raft?.status();
      if (status?.role === 'leader' && (!best || status.term > best.term))
        best = { id, term: status.term };
    }
    return best?.id;
  }

  /**
   * Proposes `command` at node `leader`'s member (run there, as the Propose call it serves):
   * resolves with the machine's result once that member applied it; rejects when it does not
   * lead, or when the entry was replaced before it committed.
   */
  proposeAt(leader: string, command: ClusterCommand): Promise<ClusterResult> {
    return new Promise((resolve, reject) => {
      const member = this.members.get(leader)!;
      const outcome = member.propose(encodeCommand(command), (answer) =>
        answer.ok && answer.result
          ? resolve(answer.result)
          : reject(new Error(`${command.type}: replaced before it committed`)),
      );
      if (outcome?.ok !== true)
        reject(
          new Error(`${command.type}: ${leader} does not lead (${outcome?.reason ?? 'down'})`),
        );
    });
  }

  /**
   * A ReadIndex read at node `leader`'s member (run there, as the ReadIndex call it serves):
   * resolves with an index through which every entry committed before the call is applied.
   */
  readIndexAt(leader: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const member = this.members.get(leader)!;
      const outcome = member.readIndex(() => resolve(member.applied));
      if (outcome?.ok !== true)
        reject(new Error(`read: ${leader} does not lead (${outcome?.reason ?? 'down'})`));
    });
  }

  /** Resolves once node `id`'s own member has applied through `index` (rejects after a while). */
  appliedThrough(id: string, index: number): Promise<void> {
    const member = this.members.get(id)!;
    if (member.up && member.applied >= index) return Promise.resolve();
    return this.waitersOf(id).wait(index);
  }

  private waitersOf(id: string): ApplyWaiters {
    let waiters = this.waiters.get(id);
    if (!waiters) {
      waiters = new ApplyWaiters(
        (ms, action) => this.scheduler.after(ms, action),
        APPLY_WAIT_MS_MAX,
        id,
      );
      this.waiters.set(id, waiters);
    }
    return waiters;
  }

  /**
   * Proposes `command` as an operator or the failure detector does: at whichever member leads,
   * again every 50 ms until it is committed (a proposal lost with a leader is proposed anew).
   */
  submit(command: ClusterCommand): void {
    const attempt = (): void => {
      const leader = this.leader();
      if (!leader) return void this.scheduler.after(50, attempt);
      this.proposeAt(leader, command).catch(() => this.scheduler.after(50, attempt));
    };
    attempt();
  }

  // ---- World ---------------------------------------------------------------------------------

  send(message: Message): void {
    const from = this.ids[message.from - 1]!;
    const to = this.ids[message.to - 1]!;
    if (this.host.lost(from, to)) return;
    this.scheduler.after(this.host.delay(LATENCY_MS), () =>
      this.host.whenRunning(to, () => this.members.get(to)!.step({ type: 'receive', message })),
    );
  }

  diskLatencyMs(_node: NodeId): number {
    return this.host.delay(DISK_MS);
  }

  afterStep(node: Member, ready: Ready): void {
    this.invariants.afterStep(node, ready);
    const map = this.host.map;
    if (ready.snapshotToApply && ready.snapshotToApply.meta.index > map.current.appliedIndex)
      map.restore(ready.snapshotToApply.data);
    for (const entry of ready.committed) {
      if (entry.index !== map.current.appliedIndex + 1) continue;
      map.apply(entry.index, entry.type === 'normal' ? entry.data : new Uint8Array());
    }
  }

  afterApply(node: Member, index: number): void {
    this.invariants.afterApply(node, index);
    const id = this.ids[node.id - 1]!;
    this.host.applied(id, node.machine.current);
    this.waiters.get(id)?.applied(index);
  }

  private tick(member: Member, incarnation: number): void {
    const id = this.ids[member.id - 1]!;
    this.scheduler.after(RAFT_TICK_MS, () =>
      this.host.whenRunning(id, () => {
        if (member.incarnation !== incarnation || !member.up) return;
        member.step({ type: 'tick' });
        this.tick(member, incarnation);
      }),
    );
  }
}
