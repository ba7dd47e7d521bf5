/**
 * A node's Prometheus metrics (prom-client), in a registry of the node's own so that several
 * nodes in one process (tests, the simulator) do not share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class NodeMetrics {
  readonly registry = new Registry();
  readonly raftTerm = new Gauge({
    name: 'tessera_raft_term',
    help: 'Current Raft term',
    registers: [this.registry],
  });
  readonly raftIsLeader = new Gauge({
    name: 'tessera_raft_is_leader',
    help: '1 when this node is the Raft leader',
    registers: [this.registry],
  });
  readonly raftCommitIndex = new Gauge({
    name: 'tessera_raft_commit_index',
    help: 'Highest Raft log index known committed',
    registers: [this.registry],
  });
  readonly raftAppliedIndex = new Gauge({
    name: 'tessera_raft_applied_index',
    help: 'Highest Raft log index applied to the cluster map',
    registers: [this.registry],
  });
  readonly raftReads = new Counter({
    name: 'tessera_raft_reads_total',
    help: 'Linearizable reads this node answered as Raft leader: under its lease, or with a round of heartbeats',
    labelNames: ['how'] as const,
    registers: [this.registry],
  });
  readonly clusterEpoch = new Gauge({
    name: 'tessera_cluster_epoch',
    help: 'Epoch of the cluster map (CM set and placement)',
    registers: [this.registry],
  });
  readonly fragments = new Gauge({
    name: 'tessera_fragments',
    help: 'Fragments held by this node',
    registers: [this.registry],
  });
  readonly fragmentBytes = new Gauge({
    name: 'tessera_fragment_store_bytes',
    help: 'Bytes held by the fragment store',
    registers: [this.registry],
  });
  readonly storeSegments = new Gauge({
    name: 'tessera_store_segments',
    help: 'Segment files of the fragment store (segment store only)',
    registers: [this.registry],
  });
  readonly storeFileBytes = new Gauge({
    name: 'tessera_store_file_bytes',
    help: 'Bytes of the fragment store on disk (segment store only)',
    registers: [this.registry],
  });
  readonly storeLiveBytes = new Gauge({
    name: 'tessera_store_live_bytes',
    help: 'Bytes on disk that are still the newest value of their key (segment store only)',
    registers: [this.registry],
  });
  readonly storeCompactedBytes = new Counter({
    name: 'tessera_store_compacted_bytes_total',
    help: 'Bytes of segment files compacted away (segment store only)',
    registers: [this.registry],
  });
  readonly storeRecordCache = new Counter({
    name: 'tessera_store_record_cache_total',
    help: 'Reads of old bytes by writes, by whether the record cache held them (hit) or the disk was read (miss)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly storeRecordCacheBytes = new Gauge({
    name: 'tessera_store_record_cache_bytes',
    help: 'Bytes of recent records the fragment store keeps in memory for writes over them',
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'tessera_requests_total',
    help: 'gRPC requests served',
    labelNames: ['method', 'outcome'],
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'tessera_request_duration_seconds',
    help: 'gRPC request latency',
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly repairQueueStripes = new Gauge({
    name: 'tessera_repair_queue_stripes',
    help: 'Stripes this node owns that have stale fragments to repair',
    registers: [this.registry],
  });
  readonly repairNodeMarks = new Gauge({
    name: 'tessera_repair_node_marks',
    help: 'Nodes back from down whose fragments owners have not all verified yet (node marks in the map)',
    registers: [this.registry],
  });
  readonly repairBytes = new Counter({
    name: 'tessera_repair_bytes_total',
    help: 'Bytes written by repairs and rebuilds',
    registers: [this.registry],
  });
  readonly repairRateBytes = new Gauge({
    name: 'tessera_repair_rate_bytes_per_second',
    help: 'Repair rate over about the last minute',
    registers: [this.registry],
  });
  readonly repairEtaSeconds = new Gauge({
    name: 'tessera_repair_eta_seconds',
    help: 'Seconds until the repair queue drains at the current rate (-1: unknown)',
    registers: [this.registry],
  });
  readonly scrubStripes = new Counter({
    name: 'tessera_scrub_stripes_total',
    help: 'Stripes scrubbed by this node as their owner',
    registers: [this.registry],
  });
  readonly scrubFindings = new Gauge({
    name: 'tessera_scrub_findings',
    help: 'Scrub findings since the start, by kind (checksum, stale, parity)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly mergedUpdates = new Counter({
    name: 'tessera_cm_merged_updates_total',
    help: 'Updates this node made as an owner that carried several data fragment pieces in one version (writes queued together, or one write over several blocks)',
    registers: [this.registry],
  });
  readonly mergedPieces = new Counter({
    name: 'tessera_cm_merged_pieces_total',
    help: 'Data fragment pieces that those updates carried',
    registers: [this.registry],
  });
  readonly updates = new Counter({
    name: 'tessera_cm_updates_total',
    help: 'Updates this node started as an owner, by rounds: 1 when it knew the old block (data and parity at once), 2 when the data store sent the delta first',
    labelNames: ['rounds'],
    registers: [this.registry],
  });
  readonly recoveries = new Counter({
    name: 'tessera_cm_recoveries_total',
    help: 'Stripe recoveries this node ran as an owner (fence, read, decide, repair)',
    registers: [this.registry],
  });
  readonly knownEmpty = new Counter({
    name: 'tessera_cm_stripes_known_empty_total',
    help: 'Stripes this node took as their owner with no recovery, known never written: owned without a break since their volume was created, and never touched before in this run',
    registers: [this.registry],
  });
  readonly abortsDropped = new Counter({
    name: 'tessera_cm_aborts_dropped_total',
    help: 'Abort records this node dropped from the cluster map as a stripe owner, once spent: no fragment history holds their versions and every store is fenced above them',
    registers: [this.registry],
  });
  readonly historyRollbacks = new Counter({
    name: 'tessera_cm_history_rollbacks_total',
    help: 'Recoveries that settled a stripe only on a second look, reading the fragments that held an update proved never acknowledged (data or parity) as their previous version from history',
    registers: [this.registry],
  });
  readonly degradedReads = new Gauge({
    name: 'tessera_degraded_reads',
    help: 'Reads served by decoding around a missing, stale or corrupt fragment, since the start',
    registers: [this.registry],
  });

  constructor(labels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_process_' });
  }
}
