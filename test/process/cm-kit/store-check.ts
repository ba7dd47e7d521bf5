/**
 * Checks the stripes of a stopped cluster on disk: each node's fragment store is opened from its
 * data directory after its process has exited, and for every stripe the k + m fragments (on the
 * nodes placement gives them in the final map) must be at the versions that the newest parity's
 * registry names, with parity equal to the Reed-Solomon encoding of the data. Where the volume's
 * bytes as read through the SDK are given, the data fragments must hold exactly them.
 */
import { join } from 'node:path';
import { ReedSolomon } from '../../../erasure/index.js';
import type { ClusterMapState, VolumeRecord } from '../../../node/cluster/cluster-map-types.js';
import { fragmentLocations } from '../../../node/cluster/stripe-records.js';
import { FragmentStore, type FragmentRead } from '../../../node/store/fragment-store.js';
import { openDatabase } from '../../../node/store/open-database.js';
import { compareVersions, formatVersion, sameVersion } from '../../../node/store/version.js';

/** What was found of one stripe. */
export interface StripeReport {
  readonly stripe: number;
  /** The node of each fragment (null: placement gave it none). */
  readonly nodes: readonly (string | null)[];
  /** Each fragment's version as "epoch.seq" (null where it has no node). */
  readonly versions: readonly (string | null)[];
  /** Each parity fragment's registry as "epoch.seq …" (null for data, or where it has no node). */
  readonly registries: readonly (string | null)[];
  /** Each fragment's bytes (null where it has no node). */
  readonly fragments: readonly (Uint8Array | null)[];
  readonly problems: readonly string[];
}

/**
 * Opens every node's store under `dataDirOf(node)` (the processes must have exited), checks
 * stripes 0…stripes-1 of `volume` against the placement of `map`, and closes the stores.
 * `stripeBytes(stripe)`, when it gives bytes, is the stripe's content as read through the SDK.
 */
export async function checkStoredStripes(
  map: ClusterMapState,
  volume: VolumeRecord,
  stripes: number,
  dataDirOf: (node: string) => string,
  stripeBytes: (stripe: number) => Uint8Array | undefined = () => undefined,
): Promise<StripeReport[]> {
  const stores = new Map<string, FragmentStore>();
  try {
    for (const member of map.members) {
      if (member.state === 'out') continue;
      stores.set(
        member.id,
        await FragmentStore.open({
          db: await openDatabase('segments', join(dataDirOf(member.id), 'fragments')),
          sync: false,
        }),
      );
    }
    const engine = new ReedSolomon(volume.k, volume.m);
    const reports: StripeReport[] = [];
    for (let stripe = 0; stripe < stripes; stripe++)
      reports.push(await checkStripe(map, volume, stripe, stores, engine, stripeBytes(stripe)));
    return reports;
  } finally {
    for (const store of stores.values()) await store.close();
  }
}

async function checkStripe(
  map: ClusterMapState,
  volume: VolumeRecord,
  stripe: number,
  stores: ReadonlyMap<string, FragmentStore>,
  engine: ReedSolomon,
  content: Uint8Array | undefined,
): Promise<StripeReport> {
  const { k, blockBytes } = volume;
  const nodes = fragmentLocations(map, volume, stripe);
  const problems: string[] = [];
  const reads: (FragmentRead | null)[] = [];
  for (const [index, node] of nodes.entries()) {
    const store = node === null ? undefined : stores.get(node);
    if (!store) {
      problems.push(`fragment ${index} has no node to live on (placement: ${node ?? 'none'})`);
      reads.push(null);
      continue;
    }
    reads.push(await store.read({ volume: volume.name, stripe, index }, blockBytes));
  }
  const versions = reads.map((read) => (read ? formatVersion(read.version) : null));
  const fragments = reads.map((read) => (read ? Uint8Array.from(read.bytes) : null));
  const registries = reads.map((read, index) =>
    read && index >= k ? (read.registry ?? []).map(formatVersion).join(' ') : null,
  );
  const parities = reads.slice(k).filter((read): read is FragmentRead => read !== null);
  const newest = parities.reduce<FragmentRead | null>(
    (best, read) => (!best || compareVersions(read.version, best.version) > 0 ? read : best),
    null,
  );
  if (!newest) {
    // With every parity unplaced (a topology too small for the rule) there is no registry to
    // check the placed data fragments against; the caller checks what they decode to.
    if (nodes.slice(k).some((node) => node !== null))
      problems.push('no parity fragment can be read');
    return { stripe, nodes, versions, registries, fragments, problems };
  }
  const registry = newest.registry;
  const never = newest.version.epoch === 0 && newest.version.seq === 0;
  if (!registry && !never)
    problems.push(`its newest parity (${formatVersion(newest.version)}) has no registry`);
  reads.forEach((read, index) => {
    if (!read) return;
    const named = registry?.[index] ?? { epoch: 0, seq: 0 };
    if (!sameVersion(read.version, named))
      problems.push(
        `fragment ${index} on ${nodes[index]} is at ${formatVersion(read.version)}; the newest parity's registry names ${formatVersion(named)}`,
      );
  });
  if (reads.every((read) => read !== null)) {
    if (!engine.verify(reads.map((read) => Uint8Array.from(read.bytes))))
      problems.push('parity is not the Reed-Solomon encoding of the data');
  }
  if (content) {
    for (let index = 0; index < k; index++) {
      const read = reads[index];
      const expected = content.subarray(index * blockBytes, (index + 1) * blockBytes);
      if (read && !Buffer.from(read.bytes).equals(Buffer.from(expected)))
        problems.push(`data fragment ${index} on ${nodes[index]} differs from what the SDK read`);
    }
  }
  return { stripe, nodes, versions, registries, fragments, problems };
}
