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
import { randomInt } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { MemoryLevel } from 'memory-level';
import { pino, type Logger } from 'pino';
import type { ClusterClient } from '../../proto/generated/tessera/v1/Cluster.js';
import type { NodeView, NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import { CHANNEL_OPTIONS, clusterProto, fragmentsProto, raftProto } from '../../proto/load.js';
import { serveAdmin, type RunningAdmin } from '../admin/admin-server.js';
import { NodeMetrics } from '../admin/metrics.js';
import type { MemberStatus, NodeStatus, RaftRole } from '../admin/node-status.js';
import { ClusterMap, encodeCommand } from '../cluster/cluster-map.js';
import type { ClusterCommand, ClusterResult, Member } from '../cluster/cluster-map-types.js';
import { RaftTransport } from '../cluster/raft-transport.js';
import type { NodeConfig } from '../config.js';
import { fragmentHandlers } from '../grpc/fragment-service.js';
import { instrument } from '../grpc/instrument.js';
import { stopServer } from '../grpc/server.js';
import { RemoteCallError, unaryCall } from '../grpc/unary-call.js';
import { InvalidRequestError } from '../store/errors.js';
import type { ConfigChange } from '../../consensus/index.js';
import { NotLeaderError, ProposalDroppedError, RaftDriver } from '../raft/raft-driver.js';
import { SegmentLog } from '../raft/segment-log.js';
import { FragmentStore, type Level } from '../store/fragment-store.js';
import { levelDatabase } from '../store/level-backend.js';
import { rocksDatabase } from '../store/rocks-backend.js';
import { sweepRetention } from '../store/retention.js';
import { clusterHandlers, PROPOSAL_HOPS_MAX } from './cluster-service.js';

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
const PEER_VIEW_EVERY_MS = 1000;

interface PeerView {
  view: NodeView__Output | null;
  atMs: number;
}

export class StorageNode {
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  private readonly map = new ClusterMap();
  private driver!: RaftDriver<ClusterResult>;
  private transport!: RaftTransport;
  private store!: FragmentStore;
  private raftLog!: SegmentLog;
  private server!: grpc.Server;
  private admin!: RunningAdmin;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly clients = new Map<string, ClusterClient>();
  private readonly peerViews = new Map<string, PeerView>();
  private readonly aliveSinceMs = new Map<string, number>();
  private readonly downSinceMs = new Map<string, number>();
  private leaderSinceMs: number | undefined;
  private detectorBusy = false;
  private lastRole: string | undefined;
  private lastEpoch = -1;
  private stopped = false;
  readonly startedAtMs = Date.now();
  grpcAddress = '';
  adminAddress = '';

  private constructor(readonly config: NodeConfig) {
    this.metrics = new NodeMetrics({ node: config.id });
    this.logger = pino({
      level: config.log.level,
      base: { node: config.id },
      mixin: () =>
        this.driver ? { term: this.driver.status().term, epoch: this.map.current.epoch } : {},
    });
  }

  /** Opens the node's data and starts serving. */
  static async start(config: NodeConfig, onFatal?: (error: unknown) => void): Promise<StorageNode> {
    const node = new StorageNode(config);
    await node.open(onFatal ?? ((error) => node.fatal(error)));
    return node;
  }

  private async open(onFatal: (error: unknown) => void): Promise<void> {
    const { config } = this;
    await mkdir(config.dataDir, { recursive: true });
    const fragmentsDir = join(config.dataDir, 'fragments');
    const db: Level =
      config.store.backend === 'memory'
        ? new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' })
        : config.store.backend === 'rocksdb'
          ? await rocksDatabase(fragmentsDir)
          : levelDatabase(fragmentsDir);
    this.store = await FragmentStore.open({
      db,
      ...(config.store.quotaBytes === null ? {} : { quotaBytes: config.store.quotaBytes }),
    });
    this.raftLog = await SegmentLog.open(join(config.dataDir, 'raft'));
    this.transport = new RaftTransport(config.cluster, config.raftId, (message) => {
      if (!this.stopped) this.driver.receive(message);
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
        random: { int: (max) => randomInt(max) },
        electionTimeoutTicks: config.raft.electionTicks,
        heartbeatTicks: config.raft.heartbeatTicks,
      },
      log: this.raftLog,
      machine: this.map,
      snapshotEvery: config.raft.snapshotEvery,
      send: (message) => this.transport.send(message),
      onFatal,
    });
    for (const peer of config.peers)
      if (peer.raftId !== config.raftId) this.transport.setPeer(peer.raftId, peer.grpc);

    this.server = new grpc.Server(CHANNEL_OPTIONS);
    this.server.addService(
      fragmentsProto().tessera.v1.Fragments.service,
      instrument(fragmentHandlers(this.store), this.metrics),
    );
    this.server.addService(raftProto().tessera.v1.Raft.service, this.transport.handlers());
    this.server.addService(
      clusterProto().tessera.v1.Cluster.service,
      instrument(
        clusterHandlers({
          propose: (command, hops) => this.propose(command, hops),
          view: () => this.view(),
          join: (member, hops) => this.join(member, hops),
          remove: (nodeId, hops) => this.remove(nodeId, hops),
        }),
        this.metrics,
      ),
    );
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(
        config.listen.grpc,
        grpc.ServerCredentials.createInsecure(),
        (error, bound) => (error ? reject(error) : resolve(bound)),
      ),
    );
    this.grpcAddress = `${config.listen.grpc.slice(0, config.listen.grpc.lastIndexOf(':'))}:${port}`;
    this.admin = await serveAdmin(
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
    for (const timer of this.timers) clearInterval(timer);
    for (const client of this.clients.values()) client.close();
    this.transport.close();
    await Promise.all([stopServer(this.server, 500), this.admin.stop()]);
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
      async (client) => {
        const request = { commandJson: JSON.stringify(command), hops: hops + 1 };
        const reply = await unaryCall<object, { resultJson: string; index: number }>(
          client,
          'Propose',
          request,
          PEER_CALL_DEADLINE_MS * 2,
        );
        return { result: JSON.parse(reply.resultJson) as ClusterResult, index: reply.index };
      },
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
      async (client) =>
        (
          await unaryCall<object, { epoch: number }>(
            client,
            'Join',
            { memberJson: JSON.stringify(member), hops: hops + 1 },
            60_000,
          )
        ).epoch,
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
      async (client) =>
        (
          await unaryCall<object, { epoch: number }>(
            client,
            'Remove',
            { nodeId, hops: hops + 1 },
            60_000,
          )
        ).epoch,
    );
  }

  /** Runs `local` on the leader, or `remote` against it from a follower, retrying while none is known. */
  private async atLeader<T>(
    what: string,
    hops: number,
    local: () => Promise<T>,
    remote: (client: ClusterClient) => Promise<T>,
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
          return await remote(this.client(address));
        } catch (error) {
          if (error instanceof RemoteCallError && error.code === 'INVALID_ARGUMENT')
            throw new InvalidRequestError('request', error.message);
          lastError = `leader ${status.leader} at ${address}: ${(error as Error).message}`;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, PROPOSE_RETRY_MS));
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
      await new Promise((resolve) => setTimeout(resolve, PROPOSE_RETRY_MS));
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
    const file = join(this.config.dataDir, 'raft-bootstrap.json');
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as { voters: number[] }).voters;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (;;) {
      try {
        const view = await unaryCall<object, NodeView__Output>(
          this.client(address),
          'View',
          {},
          PEER_CALL_DEADLINE_MS,
        );
        if (view.bootstrapVoters.length === 0)
          throw new Error(`${address} has no bootstrap configuration to give`);
        const handle = await open(file, 'w');
        await handle.writeFile(JSON.stringify({ voters: view.bootstrapVoters, from: address }));
        await handle.sync();
        await handle.close();
        return view.bootstrapVoters;
      } catch (error) {
        this.logger.warn(
          { through: address, error: (error as Error).message },
          'waiting for the member to join through',
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
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
        const view = await unaryCall<object, NodeView__Output>(
          this.client(address),
          'View',
          {},
          PEER_CALL_DEADLINE_MS,
        );
        for (const peer of (JSON.parse(view.mapJson) as { members: Member[] }).members) {
          if (peer.raftId !== config.raftId) this.transport.setPeer(peer.raftId, peer.grpcAddress);
        }
        const { epoch } = await unaryCall<object, { epoch: number }>(
          this.client(address),
          'Join',
          { memberJson: JSON.stringify(member), hops: 0 },
          60_000,
        );
        this.logger.info({ through: address, epoch }, 'joined the cluster');
        return;
      } catch (error) {
        this.logger.warn(
          { through: address, error: (error as Error).message },
          'could not join yet',
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
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
      })),
      fragments: { count: this.fragmentCount, bytes: this.store.bytesUsed },
      ready: notReady === null,
      notReadyReason: notReady,
    });
  }

  private fragmentCount = 0;

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
    const fresh = peer?.view && Date.now() - peer.atMs < 3 * PEER_VIEW_EVERY_MS;
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
    const now = performance.now();
    this.leaderSinceMs ??= now;
    if (this.detectorBusy) return;
    this.detectorBusy = true;
    try {
      const { downAfterMs, upStableMs, outAfterMs, heartbeatMs } = this.config.failureDetector;
      for (const member of this.map.current.members) {
        if (member.id === this.config.id) continue;
        const heard = this.transport.lastHeardMs(member.raftId);
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
        Date.now() - this.config.store.retentionMs,
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
    this.fragmentCount = await this.countFragments();
    for (const member of this.map.current.members) {
      if (member.id === this.config.id) continue;
      try {
        const view = await unaryCall<object, NodeView__Output>(
          this.client(member.grpcAddress),
          'View',
          {},
          PEER_CALL_DEADLINE_MS,
        );
        this.peerViews.set(member.id, { view, atMs: Date.now() });
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

  /** Metrics and log lines for what changed since the last tick. */
  private observe(): void {
    const status = this.driver.status();
    this.metrics.raftTerm.set(status.term);
    this.metrics.raftIsLeader.set(status.role === 'leader' ? 1 : 0);
    this.metrics.raftCommitIndex.set(status.commit);
    this.metrics.raftAppliedIndex.set(status.applied);
    this.metrics.clusterEpoch.set(this.map.current.epoch);
    this.metrics.fragments.set(this.fragmentCount);
    this.metrics.fragmentBytes.set(this.store.bytesUsed);
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
          this.transport.setPeer(member.raftId, member.grpcAddress);
      }
    }
  }

  private addressOf(raftId: number): string | undefined {
    return (
      this.map.current.members.find((member) => member.raftId === raftId)?.grpcAddress ??
      this.config.peers.find((peer) => peer.raftId === raftId)?.grpc
    );
  }

  private client(address: string): ClusterClient {
    let client = this.clients.get(address);
    if (!client) {
      const Client = clusterProto().tessera.v1.Cluster;
      client = new Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      this.clients.set(address, client);
    }
    return client;
  }

  private every(ms: number, action: () => void): void {
    this.timers.push(
      setInterval(() => {
        if (!this.stopped) action();
      }, ms),
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
