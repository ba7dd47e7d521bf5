/**
 * The cluster map's data and commands: what Raft replicates (DESIGN.md: members with addresses,
 * regions, zones, weights and states; the CM set and its epoch; the topology version; the volume
 * catalog). Plain JSON values, so that a snapshot is the state written out.
 */
import type { NodeState, PlacementRule, Topology } from '../../placement/index.js';
import type { Version } from '../store/version.js';

/** A node of the cluster as the map knows it. */
export interface Member {
  id: string;
  /** Its Raft member number (unique in the cluster, >= 1). */
  raftId: number;
  region: string;
  zone: string;
  weight: number;
  state: NodeState;
  /** host:port of its gRPC services (Raft, fragments, cluster). */
  grpcAddress: string;
  /** host:port of its admin HTTP endpoints. */
  adminAddress: string;
  /**
   * How many times its CM has started (cm_started). A restart is a new epoch, so that the CM
   * takes its stripes with a new ownership epoch and never stamps a version twice.
   */
  incarnation?: number;
}

/** One epoch: the CM set and topology version it was made of, and the log index that made it. */
export interface EpochRecord {
  epoch: number;
  cmSet: string[];
  topologyVersion: number;
  index: number;
}

/** A volume of the catalog. */
export interface VolumeRecord {
  name: string;
  k: number;
  m: number;
  blockBytes: number;
  /** Fragments that must hold a write before it is acknowledged (k ≤ q ≤ k + m). */
  writeQuorum: number;
  rule: PlacementRule;
  /** Why the volume has this rule (which level it got, and why). */
  ruleReason: string;
  createdIndex: number;
  /**
   * The map's epoch when the volume was created. A CM that has owned a stripe since this epoch or
   * an earlier one, in one run of its process, wrote every version the stripe has (docs/cm.md,
   * "A stripe known empty"). (Volumes from before it: unknown, and every stripe is recovered.)
   */
  createdEpoch?: number;
  /**
   * The topology the volume's stripes are laid out by, unless a layout record says otherwise:
   * the map's topology when the volume was created. (Maps from before it: the current one.)
   */
  baseTopology?: Topology;
}

/**
 * Where a stripe's fragments are, when not where placement put them under the volume's base
 * topology: the node holding each fragment's authoritative copy (null: none placed). Switched
 * only by the stripe's owner, after the copies are written and verified (DESIGN.md: "the
 * stripe's owner switches the location").
 */
export interface StripeLayout {
  volume: string;
  stripe: number;
  nodes: (string | null)[];
  ownershipEpoch: number;
  /**
   * The stamp of the move that set it (the owner's version): a set_layout at or below it is
   * refused, so that a switch whose proposal its owner gave up on cannot apply after the owner
   * went on with the old locations. (Kept at the base topology too, for the same reason.)
   */
  stamp?: Version;
}

/**
 * A fragment recorded as stale at `version` (DESIGN.md: "any fragment that missed it is recorded
 * as stale at v'"): left out of every partition and rebuilt whole before it is used. A mark only
 * moves up; `ownershipEpoch` is the marking owner's.
 */
export interface StaleMark {
  volume: string;
  stripe: number;
  index: number;
  version: Version;
  ownershipEpoch: number;
}

/** Versions of one fragment recorded as aborted: every u with above < u ≤ upTo. Never served. */
export interface AbortRecord {
  volume: string;
  stripe: number;
  index: number;
  above: Version;
  upTo: Version;
  ownershipEpoch: number;
}

/**
 * A node back from down, where q > k (DESIGN.md, "The write path" step 4): while it was listed
 * down, an update that missed one of its fragments counted it as marked without a proposal, so
 * every fragment located on it counts as marked, in the entry that listed it back, until the
 * stripe's owner has verified it against (or rebuilt it to) the versions the registries name and
 * cleared the stripe. Dropped once every CM of one epoch has swept its stripes and found them all
 * cleared. Records are replaced, never changed in place.
 */
export interface NodeMark {
  node: string;
  /** The log index of the entry that listed the node back: the mark's identity. */
  index: number;
  /** The stripes (stripeKey) whose fragments on the node their owner has cleared. */
  cleared: string[];
  /** The epoch of the sweeps in `swept` (a sweep of an older epoch counts for nothing). */
  sweptEpoch: number;
  /** CMs that swept every stripe they own in `sweptEpoch` and found each cleared. */
  swept: string[];
}

export interface ClusterMapState {
  members: Member[];
  epoch: number;
  topologyVersion: number;
  /** The newest epochs, oldest first (bounded: EPOCHS_KEPT). */
  epochs: EpochRecord[];
  volumes: VolumeRecord[];
  /** Stale marks, one per fragment at most. */
  marks: StaleMark[];
  aborts: AbortRecord[];
  /** Stripes whose fragments are not where the volume's base topology puts them. */
  layouts?: StripeLayout[];
  /** Nodes back from down whose fragments are not all verified yet (volumes with q > k). */
  nodeMarks?: NodeMark[];
  appliedIndex: number;
}

/** The commands that change the map; one Raft entry each. */
export type ClusterCommand =
  | { type: 'add_member'; member: Omit<Member, 'state'> }
  | { type: 'remove_member'; id: string }
  | { type: 'set_state'; id: string; state: NodeState; reason: string }
  | { type: 'set_states'; changes: { id: string; state: NodeState }[]; reason: string }
  | { type: 'set_weight'; id: string; weight: number }
  | {
      type: 'create_volume';
      name: string;
      k: number;
      m: number;
      blockBytes: number;
      writeQuorum?: number;
      rule?: PlacementRule;
    }
  | { type: 'delete_volume'; name: string }
  /** A node's CM started (or restarted): a new epoch, from which it may own stripes. */
  | { type: 'cm_started'; id: string }
  /**
   * Marks fragments stale (moving a mark already there up); with `abortUpTo`, also records the
   * versions above the mark up to it as aborted (a new owner marking what it did not read).
   * Refused unless `proposer` owned each stripe in every epoch since `ownershipEpoch`.
   */
  | {
      type: 'mark_stale';
      proposer: string;
      ownershipEpoch: number;
      marks: {
        volume: string;
        stripe: number;
        index: number;
        version: Version;
        abortUpTo?: Version;
      }[];
    }
  /** Clears a mark that names exactly this version and ownership epoch, under the same check. */
  | {
      type: 'clear_mark';
      proposer: string;
      ownershipEpoch: number;
      volume: string;
      stripe: number;
      index: number;
      version: Version;
      markEpoch: number;
    }
  /**
   * Switches a stripe's fragment locations (a move), under the same check; refused
   * (LAYOUT_STALE) unless `stamp` is above the stamp of the stripe's layout now.
   */
  | {
      type: 'set_layout';
      proposer: string;
      ownershipEpoch: number;
      volume: string;
      stripe: number;
      nodes: (string | null)[];
      stamp: Version;
    }
  /**
   * Clears a node mark for stripes whose owner verified or rebuilt their fragments on the node (or
   * marked them), under the same check for each; refused whole (MARK_CHANGED) when the node's mark
   * is no longer the one named.
   */
  | {
      type: 'clear_node_mark';
      proposer: string;
      ownershipEpoch: number;
      node: string;
      markIndex: number;
      stripes: { volume: string; stripe: number }[];
    }
  /**
   * A CM swept every stripe it owns in `epoch` and found the node mark cleared for each of them;
   * the mark goes once every CM of the epoch said so. Refused (EPOCH_CHANGED) in another epoch.
   */
  | { type: 'node_mark_swept'; proposer: string; node: string; markIndex: number; epoch: number }
  /** Records versions as aborted (a repair's roll-back), under the same check. */
  | {
      type: 'record_aborts';
      proposer: string;
      ownershipEpoch: number;
      volume: string;
      stripe: number;
      aborted: { index: number; version: Version }[];
    }
  /**
   * Drops abort records of a stripe that are spent (DESIGN.md: the map stays bounded): its owner
   * found that no fragment's history holds a version they name and that every fragment's store
   * is fenced at or above them, so that none can be written again. Names each record as the map
   * holds it; one the map no longer holds is passed over. Under the ownership check.
   */
  | {
      type: 'drop_aborts';
      proposer: string;
      ownershipEpoch: number;
      volume: string;
      stripe: number;
      dropped: { index: number; above: Version; upTo: Version }[];
    };

/** What applying a command gives its proposer. */
export type ClusterResult =
  | { ok: true; epoch: number; topologyVersion: number; volume?: VolumeRecord }
  | { ok: false; code: string; message: string };

/** Epochs kept in the map (older ones fail an ownership check, per DESIGN.md). */
export const EPOCHS_KEPT = 256;
