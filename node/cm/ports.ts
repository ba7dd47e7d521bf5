/**
 * What a consistency manager needs from the world, as two ports: the fragment stores of the
 * stripe's nodes (local or over gRPC) and the Raft-replicated cluster map. The node wires the
 * real ones; the cluster simulator wires simulated ones, so the CM runs unchanged in both.
 */
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
} from '../cluster/cluster-map-types.js';
import type {
  FragmentExport,
  FragmentRead,
  HistoryEntry,
  WriteOutcome,
} from '../store/fragment-store.js';
import type { DataWrite, ParityWrite, WholeWrite } from '../store/store-requests.js';
import type { FragmentId, Version } from '../store/version.js';

/**
 * One node's fragment store as the CM calls it. Every method rejects when the node cannot be
 * reached or fails; a refusal the protocol expects (behind, ahead, fenced) is a resolved outcome.
 */
export interface StorePort {
  /**
   * With `deltaCrcOnly` a store across the network may answer with the delta's CRC32C instead
   * of the delta (the caller knows it and only checks it); one on this node sends the delta.
   */
  writeData(
    request: DataWrite & { deltaCrcOnly?: boolean },
  ): Promise<WriteOutcome<{ delta?: Uint8Array; deltaCrc32c?: number }>>;
  applyParity(request: ParityWrite): Promise<WriteOutcome<object>>;
  writeWhole(request: WholeWrite): Promise<WriteOutcome<object>>;
  read(
    fragment: FragmentId,
    blockBytes: number,
    offset: number,
    length: number,
  ): Promise<FragmentRead>;
  readVersion(
    fragment: FragmentId,
    blockBytes: number,
    version: Version,
    offset: number,
    length: number,
  ): Promise<Uint8Array>;
  history(fragment: FragmentId): Promise<HistoryEntry[]>;
  /**
   * Fences the stripe durably at (`epoch`, `seq`): writes stamped at or below it are refused from
   * then on. Resolves with the fence's epoch now in force.
   */
  fence(volume: string, stripe: number, epoch: number, seq?: number): Promise<number>;
  /** The fragment's history as stored, without the versions in `skip` (and what reads from them). */
  exportHistory(
    fragment: FragmentId,
    blockBytes: number,
    skip?: readonly Version[],
  ): Promise<FragmentExport>;
  /** Writes an exported history where the fragment has no version yet (a move's target). */
  importHistory(
    fragment: FragmentId,
    blockBytes: number,
    history: FragmentExport,
    ownershipEpoch: number,
  ): Promise<WriteOutcome<object>>;
  /** Deletes a moved fragment's source, at exactly `expected`, unless fenced above `stamp`. */
  deleteFragment(
    fragment: FragmentId,
    blockBytes: number,
    expected: Version,
    stamp: Version,
  ): Promise<WriteOutcome<object>>;
}

/** The stores of the cluster, by node id. */
export interface StoreDirectory {
  store(nodeId: string): StorePort;
}

/** The cluster map as a CM reads and changes it. */
export interface MapPort {
  /** The newest map this node has applied (committed, possibly behind the leader). */
  current(): Readonly<ClusterMapState>;
  /**
   * A linearizable read (Raft ReadIndex): resolves with a map at least as new as every entry
   * committed before the call. Rejects when no quorum answers.
   */
  confirm(): Promise<Readonly<ClusterMapState>>;
  /** Proposes a command and resolves with its result once applied here. */
  propose(command: ClusterCommand): Promise<ClusterResult>;
}
