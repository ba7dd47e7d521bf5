/** What a node reports about itself and the cluster on /v1/status and the status page. */

export type RaftRole =
  'leader' | 'follower' | 'candidate' | 'pre-candidate' | 'learner' | 'stopped';

export interface MemberStatus {
  id: string;
  region: string;
  zone: string;
  state: string;
  weight: number;
  grpcAddress: string;
  adminAddress: string;
  /** From the member's own /v1/status, when it answered. */
  role?: RaftRole;
  fragments?: number;
  healthy: boolean;
}

export interface NodeStatus {
  nodeId: string;
  region: string;
  zone: string;
  startedAtMs: number;
  raft: {
    role: RaftRole;
    term: number;
    leader: string | null;
    commitIndex: number;
    appliedIndex: number;
  };
  epoch: number;
  topologyVersion: number;
  members: MemberStatus[];
  volumes: {
    name: string;
    k: number;
    m: number;
    blockBytes: number;
    writeQuorum: number;
    rule: string;
    /**
     * Fragments of each stripe that the current topology has no node for under the volume's rule
     * (0 when every stripe can be whole), and why: such stripes keep fewer fragments than k + m
     * until nodes are added, and say so here rather than waiting silently.
     */
    unplaced: number;
    unplacedReason: string | null;
  }[];
  fragments: { count: number; bytes: number };
  /** This node's repair queue (stripes it owns with stale fragments) and how fast it drains. */
  repair?: {
    queuedStripes: number;
    repairedStripes: number;
    repairedBytes: number;
    rateBytesPerS: number;
    etaS: number | null;
    bandwidthBytesPerS: number;
    /** Nodes back from down whose fragments are not all verified yet (the map's node marks). */
    nodeMarks: string[];
  };
  /** This node's scrub passes and rebuild passes (after topology changes) over the stripes it owns. */
  scrub?: SweepStatus;
  rebuild?: SweepStatus;
  ready: boolean;
  /** Why the node is not ready (no leader known, map not caught up, …). */
  notReadyReason: string | null;
}

/** A sweep over the stripes a node owns. */
export interface SweepStatus {
  passes: number;
  running: boolean;
  stripesChecked: number;
  stripesTotal: number;
  findings: Record<string, number>;
  repaired: number;
  skipped: number;
  lastPassEndedMs: number | null;
  topologyVersion: number;
}

/** Where the admin server gets the status from (the node runtime, or a test). */
export interface StatusSource {
  status(): Promise<NodeStatus>;
}
