/**
 * The one seam between a storage node and the world (STYLE.md: "one Env"): its clock, its
 * randomness, its disk and its network. StorageNode reaches the world only through a NodeEnv, so
 * that the cluster simulator can run the very same node on a simulated clock, network and disk.
 * The network is described in the node's own terms (serve these services, send Raft messages,
 * call a peer), not gRPC's, so that a simulated one needs no sockets.
 */
import type { Message, NodeId, Random } from '../../consensus/index.js';
import type { NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import type { RunningAdmin } from '../admin/admin-server.js';
import type { NodeMetrics } from '../admin/metrics.js';
import type { StatusSource } from '../admin/node-status.js';
import type { NodeConfig } from '../config.js';
import type { SegmentLog } from '../raft/segment-log.js';
import type { ClusterServiceBackend } from '../runtime/cluster-service.js';
import type { FragmentStore } from '../store/fragment-store.js';
import type { StorePort } from '../cm/ports.js';
import type { FragmentId } from '../store/version.js';
import type { StripeService } from '../cm/requests.js';

/** Stops a repeating action. */
export type Cancel = () => void;

export interface Clock {
  /** Monotonic milliseconds: timeouts, the failure detector, freshness. */
  nowMs(): number;
  /** Wall-clock milliseconds since the epoch: event times and the retention horizon. */
  wallMs(): number;
  /** Runs `action` every `ms` until cancelled. */
  every(ms: number, action: () => void): Cancel;
  sleep(ms: number): Promise<void>;
}

export interface NodeDisk {
  mkdir(path: string): Promise<void>;
  /** The node's fragment store, on the backend its configuration names. */
  openStore(config: NodeConfig): Promise<FragmentStore>;
  openRaftLog(dir: string): Promise<SegmentLog>;
  /** The JSON value in `path`, or undefined when there is no such file. */
  readJson<T>(path: string): Promise<T | undefined>;
  /** Writes `value` to `path` and makes it durable before resolving. */
  writeJsonDurably(path: string, value: unknown): Promise<void>;
}

/** Where Raft messages go out: to peers by member number; lost messages are fine. */
export interface RaftLink {
  setPeer(id: NodeId, address: string): void;
  send(message: Message): void;
  close(): void;
}

/** Calls on another node's Cluster service. Failures reject (with a RemoteCallError for gRPC). */
export interface ClusterPeer {
  view(deadlineMs: number): Promise<NodeView__Output>;
  propose(
    commandJson: string,
    hops: number,
    deadlineMs: number,
  ): Promise<{ resultJson: string; index: number }>;
  join(memberJson: string, hops: number, deadlineMs: number): Promise<{ epoch: number }>;
  remove(nodeId: string, hops: number, deadlineMs: number): Promise<{ epoch: number }>;
  readIndex(hops: number, deadlineMs: number): Promise<{ index: number }>;
}

/** What a node serves on its address. */
export interface NodeServices {
  store: FragmentStore;
  raft: RaftLink;
  cluster: ClusterServiceBackend;
  /** The node's consistency manager, as writers reach it. */
  volumes: StripeService;
  metrics: NodeMetrics;
}

export interface NodeNetwork {
  /** Serves the node's services on `address` (port 0 picks one); resolves with where. */
  serve(
    address: string,
    services: NodeServices,
  ): Promise<{ address: string; stop(): Promise<void> }>;
  serveAdmin(address: string, source: StatusSource, metrics: NodeMetrics): Promise<RunningAdmin>;
  /** The node's Raft link: `deliver` gets every message of `cluster` addressed to `self`. */
  raft(cluster: string, self: NodeId, deliver: (message: Message) => void): RaftLink;
  peer(address: string): ClusterPeer;
  /** The fragment store served at `address`, as a consistency manager calls it. */
  fragmentStore(address: string): StorePort;
  /** Every fragment the store at `address` holds (for an owner's rebuild and scrub sweeps). */
  listFragments(address: string): Promise<{ fragment: FragmentId; blockBytes: number }[]>;
  /** Closes every peer connection this network opened. */
  close(): void;
}

export interface NodeEnv {
  clock: Clock;
  random: Random;
  disk: NodeDisk;
  network: NodeNetwork;
}
