/**
 * Where a storage node runs its consistency manager: it records the CM's start in the map
 * (cm_started, a new epoch, so that a restarted CM takes its stripes with a new ownership epoch),
 * gives the CM its ports (the node's own store directly, other nodes' stores over gRPC, the map
 * with Raft reads through the leader), serves writers through the Volumes service (UNAVAILABLE
 * until the CM has started), and drains the repair queue (the map's stale marks) in the
 * background.
 */
import { ApplyWaiters } from './apply-waiters.js';
import type { Logger } from 'pino';
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
} from '../cluster/cluster-map-types.js';
import type { ClusterMap } from '../cluster/cluster-map.js';
import { ConsistencyManager } from '../cm/consistency-manager.js';
import { StripeUnavailableError } from '../cm/errors.js';
import type { MapPort, StoreDirectory, StorePort } from '../cm/ports.js';
import type { StripeRead, StripeService, StripeWrite } from '../cm/requests.js';
import type { NodeEnv } from '../env/node-env.js';
import { localStore } from '../grpc/remote-store.js';
import type { FragmentStore } from '../store/fragment-store.js';
import type { NodeMetrics } from '../admin/metrics.js';
import type { StripeScrubResult } from '../cm/requests.js';
import { StripeSweep } from './stripe-sweep.js';
import type { Counter } from 'prom-client';
import type { CmStats } from '../cm/cm-context.js';

/** The CM's counts that the node's metrics carry as counters. */
type CountedStat = keyof Pick<
  CmStats,
  | 'repairBytes'
  | 'scrubbedStripes'
  | 'mergedUpdates'
  | 'mergedPieces'
  | 'historyRollbacks'
  | 'recoveries'
  | 'knownEmpty'
  | 'abortsDropped'
>;

export interface CmHostOptions {
  nodeId: string;
  map: ClusterMap;
  store: FragmentStore;
  env: NodeEnv;
  logger: Logger;
  propose(command: ClusterCommand): Promise<{ result: ClusterResult }>;
  /** A read index confirmed by the Raft leader. */
  readIndex(): Promise<number>;
  stopped(): boolean;
  /** Bytes a second that repair and scrub may move beside client traffic. */
  bandwidthBytesPerS: number;
  /** Between scrub passes; null never scrubs. */
  scrubIntervalMs: number | null;
  metrics: NodeMetrics;
}

/** Where the repair queue stands, for metrics, /v1/status and the status page. */
export interface RepairProgress {
  /** Stripes this node owns that the map lists with stale marks. */
  queuedStripes: number;
  repairedStripes: number;
  repairedBytes: number;
  /** Bytes a second over the last minute or so (0 when idle). */
  rateBytesPerS: number;
  /** Seconds until the queue drains at that rate (null when idle or unknown). */
  etaS: number | null;
  bandwidthBytesPerS: number;
  /** Nodes back from down whose fragments are not all verified yet (the map's node marks). */
  nodeMarks: string[];
}

/** How often the background repair looks at the map's stale marks. */
const REPAIR_EVERY_MS = 1_000;
/** How long a Raft read may wait for this node to apply the index the leader gave. */
const APPLY_WAIT_MS_MAX = 5_000;

export class CmHost implements StripeService {
  private cm: ConsistencyManager | null = null;
  private starting = false;
  private repairing = false;
  private lastTickMs: number | null = null;
  private rateBytesPerS = 0;
  private repairedStripes = 0;
  /** The CM's counts as the metrics have them so far. */
  private reported: Partial<Record<CountedStat, number>> = {};
  private reportedRounds: number[] = [];
  readonly sweep: StripeSweep;

  /** Raft reads waiting for this node to apply an index. */
  private readonly applyWaiters: ApplyWaiters;

  constructor(private readonly options: CmHostOptions) {
    this.applyWaiters = new ApplyWaiters(
      (ms, action) => void options.env.clock.sleep(ms).then(action),
      APPLY_WAIT_MS_MAX,
      'this node',
    );
    this.sweep = new StripeSweep({
      nodeId: options.nodeId,
      map: options.map,
      store: options.store,
      env: options.env,
      logger: options.logger,
      bandwidthBytesPerS: options.bandwidthBytesPerS,
      cm: () => this.cm,
      stopped: () => options.stopped(),
    });
  }

  scrub(volume: string, stripe: number): Promise<StripeScrubResult> {
    return this.running().scrubStripe(volume, stripe);
  }

  /** The repair queue and how fast it drains. */
  repairProgress(): RepairProgress {
    const queued = this.cm?.repairQueue() ?? [];
    const bytesPerStripe = queued.reduce(
      (sum, { volume }) => sum + (volume.k + volume.m) * volume.blockBytes,
      0,
    );
    return {
      queuedStripes: queued.length,
      repairedStripes: this.repairedStripes,
      repairedBytes: this.cm?.stats.repairBytes ?? 0,
      rateBytesPerS: Math.round(this.rateBytesPerS),
      etaS:
        queued.length === 0
          ? 0
          : this.rateBytesPerS > 0
            ? Math.ceil(bytesPerStripe / this.rateBytesPerS)
            : null,
      bandwidthBytesPerS: this.options.bandwidthBytesPerS,
      nodeMarks: (this.options.map.current.nodeMarks ?? []).map((mark) => mark.node),
    };
  }

  /** The CM, once started. */
  get manager(): ConsistencyManager | null {
    return this.cm;
  }

  write(request: StripeWrite) {
    return this.running().write(request);
  }

  read(request: StripeRead) {
    return this.running().read(request);
  }

  /** Starts the CM once this node is in the map: proposes cm_started, retried until it lands. */
  async start(): Promise<void> {
    if (this.cm || this.starting) return;
    const { nodeId, map } = this.options;
    if (!map.member(nodeId)) return;
    this.starting = true;
    try {
      const { result } = await this.options.propose({ type: 'cm_started', id: nodeId });
      if (!result.ok) {
        this.options.logger.warn({ result }, 'the map refused cm_started');
        return;
      }
      this.cm = new ConsistencyManager({
        nodeId,
        startEpoch: result.epoch,
        map: this.mapPort(),
        stores: this.directory(),
        wallMs: () => this.options.env.clock.wallMs(),
      });
      this.options.logger.info({ startEpoch: result.epoch }, 'consistency manager started');
    } catch (error) {
      this.options.logger.warn({ error: (error as Error).message }, 'could not start the CM yet');
    } finally {
      this.starting = false;
    }
  }

  /**
   * One background step: start the CM if it is not; else repair queued stripes within the
   * bandwidth share earned since the last step, and publish the progress.
   */
  async tick(): Promise<void> {
    if (!this.cm) return this.start();
    if (this.repairing) return;
    this.repairing = true;
    const now = this.options.env.clock.nowMs();
    const elapsedMs = Math.min(
      Math.max(now - (this.lastTickMs ?? now - REPAIR_EVERY_MS), 1),
      2 * REPAIR_EVERY_MS,
    );
    this.lastTickMs = now;
    try {
      const done = await this.cm.repairMarked(
        64,
        (this.options.bandwidthBytesPerS * elapsedMs) / 1000,
      );
      this.repairedStripes += done.stripes;
      const seconds = Math.max(this.options.env.clock.nowMs() - now, elapsedMs) / 1000;
      // An exponential average over about a minute of one-second steps.
      this.rateBytesPerS += (done.bytes / seconds - this.rateBytesPerS) * 0.05;
      if (done.bytes === 0 && this.cm.repairQueue().length === 0) this.rateBytesPerS = 0;
    } finally {
      this.repairing = false;
      this.publish();
    }
  }

  /** Starts the sweeps that are due: a rebuild after a topology change, a scrub on its interval. */
  sweepIfDue(): void {
    this.sweep.rebuildIfMoved();
    this.sweep.scrubIfDue(this.options.scrubIntervalMs);
  }

  private publish(): void {
    const metrics = this.options.metrics;
    const progress = this.repairProgress();
    metrics.repairQueueStripes.set(progress.queuedStripes);
    metrics.repairNodeMarks.set(progress.nodeMarks.length);
    metrics.repairRateBytes.set(progress.rateBytesPerS);
    metrics.repairEtaSeconds.set(progress.etaS ?? -1);
    const stats = this.cm?.stats;
    if (stats) {
      const counters: Record<CountedStat, Counter> = {
        repairBytes: metrics.repairBytes,
        scrubbedStripes: metrics.scrubStripes,
        mergedUpdates: metrics.mergedUpdates,
        mergedPieces: metrics.mergedPieces,
        historyRollbacks: metrics.historyRollbacks,
        recoveries: metrics.recoveries,
        knownEmpty: metrics.knownEmpty,
        abortsDropped: metrics.abortsDropped,
      };
      for (const [stat, counter] of Object.entries(counters) as [CountedStat, Counter][]) {
        counter.inc(stats[stat] - (this.reported[stat] ?? 0));
        this.reported[stat] = stats[stat];
      }
      stats.updateRounds.forEach((count, at) => {
        const rounds = `${at + 1}`;
        metrics.updates.labels(rounds).inc(count - (this.reportedRounds[at] ?? 0));
        this.reportedRounds[at] = count;
      });
      for (const [kind, count] of Object.entries(stats.scrubFindings))
        metrics.scrubFindings.labels(kind).set(count);
      metrics.degradedReads.set(stats.degradedReads);
    }
  }

  static readonly tickMs = REPAIR_EVERY_MS;

  /** The node applied the map through `index` (the Raft driver calls this for every entry). */
  applied(index: number): void {
    this.applyWaiters.applied(index);
  }

  private running(): ConsistencyManager {
    if (!this.cm)
      throw new StripeUnavailableError(
        `${this.options.nodeId}: the consistency manager is starting; retry`,
      );
    return this.cm;
  }

  private mapPort(): MapPort {
    const { map } = this.options;
    return {
      current: () => map.current,
      confirm: async (): Promise<Readonly<ClusterMapState>> => {
        const index = await this.options.readIndex();
        if (map.current.appliedIndex < index) await this.applyWaiters.wait(index);
        return map.current;
      },
      propose: async (command) => (await this.options.propose(command)).result,
    };
  }

  private directory(): StoreDirectory {
    const own = localStore(this.options.store);
    const { map, nodeId, env } = this.options;
    return {
      store: (id): StorePort => {
        if (id === nodeId) return own;
        const member = map.member(id);
        if (!member) return unreachable(id);
        return env.network.fragmentStore(member.grpcAddress);
      },
    };
  }
}

/** A store port for a node the map does not list: every call fails. */
function unreachable(id: string): StorePort {
  const fail = (): Promise<never> => Promise.reject(new Error(`node ${id} is not in the map`));
  return {
    writeData: fail,
    applyParity: fail,
    writeWhole: fail,
    read: fail,
    readVersion: fail,
    history: fail,
    fence: fail,
    exportHistory: fail,
    importHistory: fail,
    deleteFragment: fail,
  };
}
