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
  };
  /** This node's scrub passes (over the stripes whose first fragment it holds). */
  scrub?: {
    passes: number;
    running: boolean;
    stripesChecked: number;
    stripesTotal: number;
    findings: Record<string, number>;
    repaired: number;
    skipped: number;
    lastPassEndedMs: number | null;
  };
  ready: boolean;
  /** Why the node is not ready (no leader known, map not caught up, …). */
  notReadyReason: string | null;
}

/** Where the admin server gets the status from (the node runtime, or a test). */
export interface StatusSource {
  status(): Promise<NodeStatus>;
}
