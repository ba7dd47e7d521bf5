/**
 * The bytes each kind of operation moves between processes, and the gRPC calls it makes, from
 * what the code sends (node/cm/update.ts, recovery.ts, fragment-io.ts; node/grpc/remote-store.ts),
 * with the real placement and ownership functions over the cluster's map. A CM reaches its own
 * node's store without gRPC (cm-host.ts), so a fragment on the owner's node moves nothing.
 *
 * An update of B bytes of one data fragment (updateFragment): client → owner B (Volumes.Write);
 * owner → data store B (WriteData; the owner knows the old range, from its cache or as zeros for
 * a block never written, so the store sends back only the delta's CRC32C); owner → each parity
 * store the delta B (ApplyParity); plus a Raft read (ReadIndex under the leader's lease, shared by
 * every update waiting at that moment) and small replies. A stripe never written needs no
 * recovery when its owner has owned it since the volume was created (owned-stripe.ts,
 * knownEmpty), as here: the volume is created on the running cluster.
 * A read of B bytes of one fragment: the fragment's store → owner B, owner → client B.
 */
import { stripeKey } from '../../placement/index.js';
import type { ClusterMapState, VolumeRecord } from '../../node/cluster/cluster-map-types.js';
import { fragmentNodes, ownerNow } from '../../node/cm/owned-stripe.js';

/** Over the stripes sampled, the mean of how many fragments live away from the stripe's owner. */
export interface RemoteShares {
  /** A data fragment (averaged over the k of them): 0…1. */
  data: number;
  /** The parity fragments: 0…m. */
  parities: number;
  /** Stripes whose k+m fragments do not sit on k+m distinct nodes (expected 0 with 6 nodes). */
  sharedNodeStripes: number;
}

/** What one operation moves: bytes between processes per payload byte, and gRPC calls. */
export interface Traffic {
  bytesPerByte: number;
  callsPerOperation: number;
  /** How the bytes are made up, for the table. */
  formula: string;
}

/** Samples `stripes` stripes of `volume` for the remote shares. */
export function remoteShares(
  map: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripes: readonly number[],
): RemoteShares {
  const { k, m } = volume;
  let data = 0;
  let parities = 0;
  let sharedNodeStripes = 0;
  for (const stripe of stripes) {
    const owner = ownerNow(map, stripeKey(volume.name, stripe));
    const nodes = fragmentNodes(map, volume, stripe);
    if (new Set(nodes).size !== k + m) sharedNodeStripes++;
    const remote = nodes.map((node) => (node !== owner ? 1 : 0));
    data += remote.slice(0, k).reduce((sum: number, one) => sum + one, 0) / k;
    parities += remote.slice(k).reduce((sum: number, one) => sum + one, 0);
  }
  const n = Math.max(1, stripes.length);
  return { data: data / n, parities: parities / n, sharedNodeStripes };
}

/**
 * An update of one data fragment; with `perUpdate` writes carried by each update, one parity
 * write per parity for them all (k for a stream of new blocks: the design's floor for new
 * stripes, encoded in one go).
 */
export function updateTraffic(shares: RemoteShares, perUpdate = 1): Traffic {
  const parities = shares.parities / perUpdate;
  const formula =
    `1 client→owner + ${shares.data.toFixed(2)} data + ${parities.toFixed(2)} parity` +
    (perUpdate > 1 ? ` (${shares.parities.toFixed(2)} per update of ${perUpdate} blocks)` : '');
  return {
    bytesPerByte: 1 + shares.data + parities,
    callsPerOperation: 1 + shares.data + parities,
    formula,
  };
}

/** A read of `bytes` of one data fragment whose store answers at the settled version. */
export function readTraffic(shares: RemoteShares): Traffic {
  return {
    bytesPerByte: 1 + shares.data,
    callsPerOperation: 1 + shares.data,
    formula: `1 owner→client + ${shares.data.toFixed(2)} store→owner`,
  };
}
