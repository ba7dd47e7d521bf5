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
  ready: boolean;
  /** Why the node is not ready (no leader known, map not caught up, …). */
  notReadyReason: string | null;
}

/** Where the admin server gets the status from (the node runtime, or a test). */
export interface StatusSource {
  status(): Promise<NodeStatus>;
}
