/**
 * A storage node: the process behind `tessera node start`. It opens the fragment store and the
 * Raft log from its data directory, runs the Raft driver with the cluster map as its state
 * machine, serves the Fragments, Raft and Cluster gRPC services and the admin endpoints, and, on
 * the leader, runs the failure detector that proposes members down and back up.
 *
 * Down and out differ (DESIGN.md): the detector proposes `down` after failureDetector.downAfterMs
 * of silence (a new epoch, so the CM set changes at once) and `up` once a member has answered for
 * upStableMs, so a flapping node does not move ownership back and forth; `out` (which moves
 * data) only after outAfterMs, when configured, or by an operator's command.
 */
import { leaseDurationMs } from '../../consensus/read-lease.js';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { ConfigChange } from '../../consensus/index.js';
import type { NodeView, NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import type { RunningAdmin } from '../admin/admin-server.js';
import { NodeMetrics } from '../admin/metrics.js';
import type { MemberStatus, NodeStatus, RaftRole } from '../admin/node-status.js';
import { ClusterMap, encodeCommand } from '../cluster/cluster-map.js';
import type {
  ClusterCommand,
  ClusterResult,
  Member,
  VolumeRecord,
} from '../cluster/cluster-map-types.js';
import { place, stripeKey } from '../../placement/index.js';
import type { NodeConfig } from '../config.js';
import type { Cancel, ClusterPeer, NodeEnv, RaftLink } from '../env/node-env.js';
import { realEnv } from '../env/real-env.js';
import { RemoteCallError } from '../grpc/unary-call.js';
import { NotLeaderError, ProposalDroppedError, RaftDriver } from '../raft/raft-driver.js';
import type { SegmentLog } from '../raft/segment-log.js';
import { InvalidRequestError } from '../store/errors.js';
import type { FragmentStore } from '../store/fragment-store.js';
import { sweepRetention } from '../store/retention.js';
import { PROPOSAL_HOPS_MAX } from './cluster-service.js';
import { CmHost } from './cm-host.js';

/** The map could not take a proposal in time (no leader, or the leader does not answer). */
export class ClusterUnavailableError extends Error {
  readonly code = 'CLUSTER_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'ClusterUnavailableError';
  }
}

const PROPOSE_ATTEMPTS_MAX = 60;
const PROPOSE_RETRY_MS = 100;
const PEER_CALL_DEADLINE_MS = 2000;
/** Peers' views feed the status page only: every 2 s is fresh enough and costs little. */
const PEER_VIEW_EVERY_MS = 2000;
/** Counting fragments scans every fragment's metadata: once every 10 peer polls. */
const COUNT_FRAGMENTS_EVERY_POLLS = 10;

interface PeerView {
  view: NodeView__Output | null;
  atMs: number;
}

export class StorageNode {
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  private readonly map = new ClusterMap();
  private driver!: RaftDriver<ClusterResult>;
  private raftLink!: RaftLink;
  private store!: FragmentStore;
  /** The node's consistency manager (serving once it has started). */
  cm!: CmHost;
  private raftLog!: SegmentLog;
  private served!: { address: string; stop(): Promise<void> };
  private admin!: RunningAdmin;
  private readonly cancels: Cancel[] = [];
  /** When a Raft message from each member last arrived (for the failure detector). */
  private readonly heardMs = new Map<number, number>();
  private readonly peerViews = new Map<string, PeerView>();
  private readonly aliveSinceMs = new Map<string, number>();
  private readonly downSinceMs = new Map<string, number>();
  private leaderSinceMs: number | undefined;
  private detectorBusy = false;
  private lastRole: string | undefined;
  private lastEpoch = -1;
  private stopped = false;
  readonly startedAtMs: number;
  grpcAddress = '';
  adminAddress = '';

  private constructor(
    readonly config: NodeConfig,
    private readonly env: NodeEnv,
  ) {
    this.startedAtMs = env.clock.wallMs();
    this.metrics = new NodeMetrics({ node: config.id });
    this.logger = pino({
      level: config.log.level,
      base: { node: config.id },
      mixin: () =>
        this.driver ? { term: this.driver.status().term, epoch: this.map.current.epoch } : {},
    });
  }

  /**
   * Opens the node's data and starts serving, in `env` (the real world unless a simulator
   * gives its own); `onFatal` is told if the Raft log fails (by default the process exits).
   */
  static async start(
    config: NodeConfig,
    options: { env?: NodeEnv; onFatal?: (error: unknown) => void } = {},
  ): Promise<StorageNode> {
    const node = new StorageNode(config, options.env ?? realEnv());
    await node.open(options.onFatal ?? ((error) => node.fatal(error)));
    return node;
  }

  private async open(onFatal: (error: unknown) => void): Promise<void> {
    const { config } = this;
    const { disk, network, clock } = this.env;
    await disk.mkdir(config.dataDir);
    const opening = clock.nowMs();
    this.store = await disk.openStore(config);
    this.logger.info(
      {
        backend: config.store.backend,
        ms: Math.round(clock.nowMs() - opening),
        ...this.store.storageStats,
      },
      'fragment store opened',
    );
    this.cm = new CmHost({
      nodeId: config.id,
      map: this.map,
      store: this.store,
      env: this.env,
      logger: this.logger,
      propose: (command) => this.propose(command),
      readIndex: () => this.readIndex(0),
      stopped: () => this.stopped,
      bandwidthBytesPerS: config.repair.bandwidthBytesPerS,
      scrubIntervalMs: config.repair.scrubIntervalMs,
      metrics: this.metrics,
    });
    this.raftLog = await disk.openRaftLog(join(config.dataDir, 'raft'));
    this.raftLink = network.raft(config.cluster, config.raftId, (message) => {
      if (this.stopped) return;
      this.heardMs.set(message.from, clock.nowMs());
      this.driver.receive(message);
    });
    const voters =
      config.join === null
        ? config.peers.map((peer) => peer.raftId).sort((a, b) => a - b)
        : await this.joinedBootstrap(config.join);
    this.bootstrapVoters = voters;
    this.driver = new RaftDriver<ClusterResult>({
      raft: {
        id: config.raftId,
        bootstrap: { voters, learners: [] },
        random: this.env.random,
        electionTimeoutTicks: config.raft.electionTicks,
        heartbeatTicks: config.raft.heartbeatTicks,
      },
      log: this.raftLog,
      machine: {
        apply: (index, command) => {
          const result = this.map.apply(index, command);
          this.cm.applied(index);
          return result;
        },
        snapshot: () => this.map.snapshot(),
        restore: (data) => {
          this.map.restore(data);
          this.cm.applied(this.map.current.appliedIndex);
        },
        digest: () => this.map.digest(),
      },
      snapshotEvery: config.raft.snapshotEvery,
      send: (message) => this.raftLink.send(message),
      onFatal,
      // Reads (every CM confirmation among them) under the leader lease: no round while it holds.
      lease: {
        nowMs: () => clock.nowMs(),
        durationMs: leaseDurationMs({
          tickMs: config.raft.tickMs,
          electionTimeoutTicks: config.raft.electionTicks,
        }),
      },
    });
    for (const peer of config.peers)
      if (peer.raftId !== config.raftId) this.raftLink.setPeer(peer.raftId, peer.grpc);

    this.served = await network.serve(config.listen.grpc, {
      store: this.store,
      raft: this.raftLink,
      metrics: this.metrics,
      cluster: {
        propose: (command, hops) => this.propose(command, hops),
        view: () => this.view(),
        join: (member, hops) => this.join(member, hops),
        remove: (nodeId, hops) => this.remove(nodeId, hops),
        readIndex: (hops) => this.readIndex(hops),
      },
      volumes: this.cm,
    });
    this.grpcAddress = this.served.address;
    this.admin = await network.serveAdmin(
      config.listen.admin,
      { status: () => this.status() },
      this.metrics,
    );
    this.adminAddress = this.admin.address;

    this.every(config.raft.tickMs, () => {
      this.driver.tick();
      this.observe();
    });
    if (config.join === null) this.every(500, () => void this.ensureMember());
    else void this.joinThrough(config.join);
    this.every(config.failureDetector.heartbeatMs, () => void this.detectFailures());
    this.every(PEER_VIEW_EVERY_MS, () => void this.pollPeers());
    this.every(CmHost.tickMs, () => {
      void this.cm.tick();
      this.cm.sweepIfDue();
    });
    if (config.store.retentionMs !== null)
      this.every(config.store.retentionSweepMs, () => void this.sweepHistory());
    this.logger.info(
      { grpc: this.grpcAddress, admin: this.adminAddress, dataDir: config.dataDir, voters },
      'node started',
    );
  }

  /** Stops serving and closes the data (what was acknowledged is on disk). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.env.network.close();
    this.raftLink.close();
    await Promise.all([this.served.stop(), this.admin.stop()]);
    await this.raftLog.close();
    await this.store.close();
    this.logger.info('node stopped');
  }

  /** Proposes a command to the cluster map; a follower forwards it to the leader. */
  propose(command: ClusterCommand, hops = 0): Promise<{ result: ClusterResult; index: number }> {
    return this.atLeader(
      'the cluster map did not take the proposal',
      hops,
      async () => {
        const committed = await this.driver.propose(encodeCommand(command));
        return { result: committed.result, index: committed.index };
      },
      async (peer) => {
        const reply = await peer.propose(
          JSON.stringify(command),
          hops + 1,
          PEER_CALL_DEADLINE_MS * 2,
        );
        return { result: JSON.parse(reply.resultJson) as ClusterResult, index: reply.index };
      },
    );
  }

  /** A Raft read index confirmed by the leader (a follower asks the leader, once). */
  readIndex(hops: number): Promise<number> {
    return this.atLeader(
      'the cluster map could not confirm a read',
      hops,
      () => this.driver.readIndex(),
      async (peer) => (await peer.readIndex(hops + 1, PEER_CALL_DEADLINE_MS)).index,
    );
  }

  /**
   * On the leader (a follower forwards it once): puts `member` in the map, adds it to the Raft
   * group as a learner, and promotes it to a voter once it has caught up. Each step is done at
   * most once, so a retried join finishes what an earlier one began. Returns the map's epoch.
   */
  join(member: Omit<Member, 'state'>, hops = 0): Promise<number> {
    return this.atLeader(
      'join',
      hops,
      async () => {
        const added = await this.propose({ type: 'add_member', member }, PROPOSAL_HOPS_MAX);
        if (!added.result.ok && added.result.code !== 'ALREADY_EXISTS')
          throw new InvalidRequestError('memberJson', added.result.message);
        await this.changeMembership({ kind: 'addLearner', node: member.raftId }, [
          'unknown_member',
        ]);
        await this.changeMembership({ kind: 'promote', node: member.raftId }, ['not_a_learner']);
        this.logger.info({ member: member.id, raftId: member.raftId }, 'member joined');
        return this.map.current.epoch;
      },
      async (peer) => (await peer.join(JSON.stringify(member), hops + 1, 60_000)).epoch,
    );
  }

  /** On the leader: takes a member out of the map and out of the Raft group. */
  remove(nodeId: string, hops = 0): Promise<number> {
    return this.atLeader(
      'remove',
      hops,
      async () => {
        const member = this.map.member(nodeId);
        if (member) {
          const removed = await this.propose(
            { type: 'remove_member', id: nodeId },
            PROPOSAL_HOPS_MAX,
          );
          if (!removed.result.ok && removed.result.code !== 'NOT_FOUND')
            throw new InvalidRequestError('nodeId', removed.result.message);
          await this.changeMembership({ kind: 'remove', node: member.raftId }, ['unknown_member']);
          this.logger.info({ member: nodeId }, 'member removed');
        } else if (!this.config.peers.some((peer) => peer.id === nodeId)) {
          throw new InvalidRequestError('nodeId', `no member ${nodeId} in the cluster map`);
        }
        return this.map.current.epoch;
      },
      async (peer) => (await peer.remove(nodeId, hops + 1, 60_000)).epoch,
    );
  }

  /** Runs `local` on the leader, or `remote` against it from a follower, retrying while none is known. */
  private async atLeader<T>(
    what: string,
    hops: number,
    local: () => Promise<T>,
    remote: (peer: ClusterPeer) => Promise<T>,
  ): Promise<T> {
    let lastError = 'no leader known';
    for (let attempt = 0; attempt < PROPOSE_ATTEMPTS_MAX && !this.stopped; attempt++) {
      const status = this.driver.status();
      if (status.role === 'leader') {
        try {
          return await local();
        } catch (error) {
          // The lead moved while the step was in flight: find the new leader and go again.
          if (!(error instanceof NotLeaderError || error instanceof ProposalDroppedError))
            throw error;
          lastError = error.message;
        }
      }
      const address = status.leader === 0 ? undefined : this.addressOf(status.leader);
      if (address && hops < PROPOSAL_HOPS_MAX) {
        try {
          return await remote(this.env.network.peer(address));
        } catch (error) {
          if (error instanceof RemoteCallError && error.code === 'INVALID_ARGUMENT')
            throw new InvalidRequestError('request', error.message);
          lastError = `leader ${status.leader} at ${address}: ${(error as Error).message}`;
        }
      }
      await this.env.clock.sleep(PROPOSE_RETRY_MS);
    }
    throw new ClusterUnavailableError(`${what}: ${lastError}`);
  }

  /** One Raft membership change, retried while the core says to wait; `done` reasons mean it is already so. */
  private async changeMembership(change: ConfigChange, done: string[]): Promise<void> {
    for (let attempt = 0; attempt < 10 * PROPOSE_ATTEMPTS_MAX && !this.stopped; attempt++) {
      try {
        await this.driver.proposeConfig(change);
        return;
      } catch (error) {
        if (error instanceof NotLeaderError && done.includes(error.reason)) return;
        if (
          error instanceof NotLeaderError &&
          error.reason !== 'config_pending' &&
          error.reason !== 'learner_behind'
        )
          throw error;
        if (error instanceof ProposalDroppedError) continue;
      }
      await this.env.clock.sleep(PROPOSE_RETRY_MS);
    }
    throw new ClusterUnavailableError(
      `the membership change ${change.kind} ${change.node} did not commit`,
    );
  }

  private bootstrapVoters: number[] = [];

  /**
   * The Raft group's bootstrap configuration, for a node that joins: every member must start
   * from the same one (the core applies membership changes as deltas on top of it; a joiner that
   * started from none would count itself a majority of one after its promotion). Taken from the
   * member it joins through, and kept in the data directory so that a restart uses it again.
   */
  private async joinedBootstrap(address: string): Promise<number[]> {
    const { disk } = this.env;
    const file = join(this.config.dataDir, 'raft-bootstrap.json');
    const kept = await disk.readJson<{ voters: number[] }>(file);
    if (kept) return kept.voters;
    for (;;) {
      try {
        const view = await this.env.network.peer(address).view(PEER_CALL_DEADLINE_MS);
        if (view.bootstrapVoters.length === 0)
          throw new Error(`${address} has no bootstrap configuration to give`);
        await disk.writeJsonDurably(file, { voters: view.bootstrapVoters, from: address });
        return view.bootstrapVoters;
      } catch (error) {
        this.logger.warn(
          { through: address, error: (error as Error).message },
          'waiting for the member to join through',
        );
        await this.env.clock.sleep(1000);
      }
    }
  }

  /** This node as a member of the map. */
  private selfMember(): Omit<Member, 'state'> {
    const { config } = this;
    return {
      id: config.id,
      raftId: config.raftId,
      region: config.region,
      zone: config.zone,
      weight: config.weight,
      grpcAddress: this.grpcAddress,
      adminAddress: this.adminAddress,
    };
  }

  /** A node started with `join`: asks a member to take it in, until one has. */
  private async joinThrough(address: string): Promise<void> {
    const { config } = this;
    const member = this.selfMember();
    while (!this.stopped) {
      try {
        // Learn where the members are first: as a learner this node must answer the leader
        // before it has a map of its own.
        const through = this.env.network.peer(address);
        const view = await through.view(PEER_CALL_DEADLINE_MS);
        for (const peer of (JSON.parse(view.mapJson) as { members: Member[] }).members) {
          if (peer.raftId !== config.raftId) this.raftLink.setPeer(peer.raftId, peer.grpcAddress);
        }
        const { epoch } = await through.join(JSON.stringify(member), 0, 60_000);
        this.logger.info({ through: address, epoch }, 'joined the cluster');
        return;
      } catch (error) {
        this.logger.warn(
          { through: address, error: (error as Error).message },
          'could not join yet',
        );
        await this.env.clock.sleep(1000);
      }
    }
  }

  /** This node's view, for its peers and the command line. */
  view(): Promise<NodeView> {
    const status = this.driver.status();
    return Promise.resolve({
      nodeId: this.config.id,
      raftId: this.config.raftId,
      role: status.role,
      term: status.term,
      leader: status.leader,
      commitIndex: status.commit,
      appliedIndex: status.applied,
      fragments: this.fragmentCount,
      fragmentBytes: this.store.bytesUsed,
      mapJson: JSON.stringify(this.map.current),
      bootstrapVoters: this.bootstrapVoters,
      snapshotsInstalled: this.driver.snapshotsInstalled,
    });
  }

  /** The map as this node has applied it. */
  get clusterMap(): ClusterMap {
    return this.map;
  }

  status(): Promise<NodeStatus> {
    const raft = this.driver.status();
    const leader = this.map.current.members.find((member) => member.raftId === raft.leader);
    const self = this.map.member(this.config.id);
    const notReady =
      raft.leader === 0
        ? 'no Raft leader known'
        : !self
          ? 'this node is not in the cluster map yet'
          : null;
    return Promise.resolve({
      nodeId: this.config.id,
      region: this.config.region,
      zone: this.config.zone,
      startedAtMs: this.startedAtMs,
      raft: {
        role: roleName(raft.role),
        term: raft.term,
        leader: leader?.id ?? (raft.leader === 0 ? null : `raft ${raft.leader}`),
        commitIndex: raft.commit,
        appliedIndex: raft.applied,
      },
      epoch: this.map.current.epoch,
      topologyVersion: this.map.current.topologyVersion,
      members: this.map.current.members.map((member) => this.memberStatus(member)),
      volumes: this.map.current.volumes.map((volume) => ({
        name: volume.name,
        k: volume.k,
        m: volume.m,
        blockBytes: volume.blockBytes,
        writeQuorum: volume.writeQuorum,
        rule: volume.ruleReason,
        ...this.placementShortfall(volume),
      })),
      fragments: { count: this.fragmentCount, bytes: this.store.bytesUsed },
      repair: this.cm.repairProgress(),
      scrub: { ...this.cm.sweep.scrub, findings: { ...this.cm.sweep.scrub.findings } },
      rebuild: { ...this.cm.sweep.rebuild, findings: { ...this.cm.sweep.rebuild.findings } },
      ready: notReady === null,
      notReadyReason: notReady,
    });
  }

  private fragmentCount = 0;
  /** Compacted bytes already added to the metric. */
  private compactedCounted = 0;
  private cacheCounted = { hits: 0, misses: 0, bytes: 0 };
  private polls = 0;

  /** What the current topology cannot place of `volume`'s stripes (the same for every stripe). */
  private placementShortfall(volume: VolumeRecord): {
    unplaced: number;
    unplacedReason: string | null;
  } {
    const placement = place(stripeKey(volume.name, 0), this.map.topology(), volume, volume.rule);
    return { unplaced: placement.unplaced.length, unplacedReason: placement.degradedReason };
  }

  private memberStatus(member: Member): MemberStatus {
    const base = {
      id: member.id,
      region: member.region,
      zone: member.zone,
      state: member.state,
      weight: member.weight,
      grpcAddress: member.grpcAddress,
      adminAddress: member.adminAddress,
    };
    if (member.id === this.config.id)
      return {
        ...base,
        role: roleName(this.driver.status().role),
        fragments: this.fragmentCount,
        healthy: true,
      };
    const peer = this.peerViews.get(member.id);
    const fresh = peer?.view && this.env.clock.nowMs() - peer.atMs < 3 * PEER_VIEW_EVERY_MS;
    return fresh
      ? { ...base, role: roleName(peer.view!.role), fragments: peer.view!.fragments, healthy: true }
      : { ...base, healthy: false };
  }

  /** Adds this node to the map until it is there (every node of a new cluster does so itself). */
  private async ensureMember(): Promise<void> {
    if (this.map.member(this.config.id) || this.driver.status().leader === 0) return;
    try {
      const { result } = await this.propose({ type: 'add_member', member: this.selfMember() });
      if (!result.ok && result.code !== 'ALREADY_EXISTS')
        this.logger.error({ result }, 'the cluster map refused this node');
    } catch (error) {
      this.logger.warn(
        { error: (error as Error).message },
        'could not add this node to the map yet',
      );
    }
  }

  /** On the leader: members silent too long go down; answering again long enough, up. */
  private async detectFailures(): Promise<void> {
    const status = this.driver.status();
    if (status.role !== 'leader') {
      this.leaderSinceMs = undefined;
      return;
    }
    const now = this.env.clock.nowMs();
    this.leaderSinceMs ??= now;
    if (this.detectorBusy) return;
    this.detectorBusy = true;
    try {
      const { downAfterMs, upStableMs, outAfterMs, heartbeatMs } = this.config.failureDetector;
      for (const member of this.map.current.members) {
        if (member.id === this.config.id) {
          // A node marked down that then won an election is plainly running: it would otherwise
          // stay down (and its CM out of the CM set) for as long as it leads.
          if (member.state === 'down')
            await this.changeState(member.id, 'up', 'the leader is running');
          continue;
        }
        const heard = this.heardMs.get(member.raftId);
        const silentMs = now - Math.max(heard ?? 0, this.leaderSinceMs);
        const answering =
          heard !== undefined &&
          now - heard <
            Math.max(
              3 * heartbeatMs,
              3 * this.config.raft.tickMs * this.config.raft.heartbeatTicks,
            );
        if (answering) this.aliveSinceMs.set(member.id, this.aliveSinceMs.get(member.id) ?? now);
        else this.aliveSinceMs.delete(member.id);
        if (member.state === 'up' && silentMs > downAfterMs) {
          await this.changeState(member.id, 'down', `no answer for ${Math.round(silentMs)} ms`);
        } else if (member.state === 'down') {
          this.downSinceMs.set(member.id, this.downSinceMs.get(member.id) ?? now);
          if (answering && now - this.aliveSinceMs.get(member.id)! >= upStableMs) {
            await this.changeState(member.id, 'up', `answering for ${upStableMs} ms`);
            this.downSinceMs.delete(member.id);
          } else if (
            outAfterMs !== null &&
            !answering &&
            now - this.downSinceMs.get(member.id)! > outAfterMs
          ) {
            await this.changeState(member.id, 'out', `down for more than ${outAfterMs} ms`);
          }
        } else {
          this.downSinceMs.delete(member.id);
        }
      }
    } finally {
      this.detectorBusy = false;
    }
  }

  private async changeState(
    id: string,
    state: 'up' | 'down' | 'out',
    reason: string,
  ): Promise<void> {
    try {
      const { result } = await this.propose({ type: 'set_state', id, state, reason });
      this.logger.warn({ member: id, state, reason, result }, 'failure detector changed a member');
    } catch (error) {
      this.logger.warn(
        { member: id, state, error: (error as Error).message },
        'failure detector could not propose',
      );
    }
  }

  private sweeping = false;

  /** Folds history older than the retention window, one sweep at a time. */
  private async sweepHistory(): Promise<void> {
    if (this.sweeping || this.config.store.retentionMs === null) return;
    this.sweeping = true;
    try {
      const report = await sweepRetention(
        this.store,
        this.env.clock.wallMs() - this.config.store.retentionMs,
        () => this.stopped,
      );
      if (report.versionsFolded > 0) this.logger.info(report, 'retention folded history');
    } catch (error) {
      this.logger.error({ error: (error as Error).message }, 'retention sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  private async pollPeers(): Promise<void> {
    if (this.polls++ % COUNT_FRAGMENTS_EVERY_POLLS === 0)
      this.fragmentCount = await this.countFragments();
    for (const member of this.map.current.members) {
      if (member.id === this.config.id) continue;
      try {
        const view = await this.env.network.peer(member.grpcAddress).view(PEER_CALL_DEADLINE_MS);
        this.peerViews.set(member.id, { view, atMs: this.env.clock.nowMs() });
      } catch {
        this.peerViews.set(member.id, {
          view: this.peerViews.get(member.id)?.view ?? null,
          atMs: this.peerViews.get(member.id)?.atMs ?? 0,
        });
      }
    }
  }

  private async countFragments(): Promise<number> {
    let count = 0;
    for await (const _ of this.store.list()) count++;
    return count;
  }

  /** The driver's read counts as last put into the metrics. */
  private readsCounted = { leased: 0, rounds: 0 };

  /** Metrics and log lines for what changed since the last tick. */
  private observe(): void {
    const status = this.driver.status();
    this.metrics.raftTerm.set(status.term);
    this.metrics.raftIsLeader.set(status.role === 'leader' ? 1 : 0);
    this.metrics.raftCommitIndex.set(status.commit);
    this.metrics.raftAppliedIndex.set(status.applied);
    const reads = this.driver.reads;
    this.metrics.raftReads.inc({ how: 'lease' }, reads.leased - this.readsCounted.leased);
    this.metrics.raftReads.inc({ how: 'round' }, reads.rounds - this.readsCounted.rounds);
    this.readsCounted = { ...reads };
    this.metrics.clusterEpoch.set(this.map.current.epoch);
    this.metrics.fragments.set(this.fragmentCount);
    this.metrics.fragmentBytes.set(this.store.bytesUsed);
    const cache = this.store.recordCacheStats;
    this.metrics.storeRecordCache.inc({ result: 'hit' }, cache.hits - this.cacheCounted.hits);
    this.metrics.storeRecordCache.inc({ result: 'miss' }, cache.misses - this.cacheCounted.misses);
    this.cacheCounted = cache;
    this.metrics.storeRecordCacheBytes.set(cache.bytes);
    const storage = this.store.storageStats;
    if (storage) {
      this.metrics.storeSegments.set(storage.segments);
      this.metrics.storeFileBytes.set(storage.bytes);
      this.metrics.storeLiveBytes.set(storage.liveBytes);
      this.metrics.storeCompactedBytes.inc(storage.bytesCompacted - this.compactedCounted);
      this.compactedCounted = storage.bytesCompacted;
    }
    const role = `${status.role}/${status.leader}`;
    if (role !== this.lastRole) {
      this.lastRole = role;
      this.logger.info({ role: status.role, leader: status.leader }, 'raft role changed');
    }
    if (this.map.current.epoch !== this.lastEpoch) {
      this.lastEpoch = this.map.current.epoch;
      this.logger.info(
        { cmSet: this.map.cmSet().managers.map((manager) => manager.id) },
        'epoch changed',
      );
      for (const member of this.map.current.members) {
        if (member.raftId !== this.config.raftId)
          this.raftLink.setPeer(member.raftId, member.grpcAddress);
      }
    }
  }

  private addressOf(raftId: number): string | undefined {
    return (
      this.map.current.members.find((member) => member.raftId === raftId)?.grpcAddress ??
      this.config.peers.find((peer) => peer.raftId === raftId)?.grpc
    );
  }

  private every(ms: number, action: () => void): void {
    this.cancels.push(
      this.env.clock.every(ms, () => {
        if (!this.stopped) action();
      }),
    );
  }

  private fatal(error: unknown): void {
    this.logger.fatal(
      { error: error instanceof Error ? error.message : String(error) },
      'the Raft log failed: stopping',
    );
    process.exit(70);
  }
}

function roleName(role: string): RaftRole {
  switch (role) {
    case 'leader':
      return 'leader';
    case 'candidate':
      return 'candidate';
    case 'preCandidate':
      return 'pre-candidate';
    case 'follower':
      return 'follower';
    default:
      return 'stopped';
  }
}
