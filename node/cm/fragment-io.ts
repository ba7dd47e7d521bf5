/**
 * How the owner reaches a stripe's fragments: by node, through the store directory, and the
 * degraded read, which decodes a range of one fragment from k others held at exactly the
 * versions the settled registry names (never from a stale or unexpected version).
 */
import type { ReedSolomon } from '../../erasure/index.js';
import { sameVersion, type FragmentId, type Version } from '../store/version.js';
import { markedNow, type OwnedStripe } from './owned-stripe.js';
import type { StoreDirectory, StorePort } from './ports.js';

/** The fragment id of index `index` of the stripe. */
export function fragmentId(stripe: OwnedStripe, index: number): FragmentId {
  return { volume: stripe.volume.name, stripe: stripe.stripe, index };
}

/** The store of fragment `index`, or null where placement named no node. */
export function storeOf(
  stores: StoreDirectory,
  stripe: OwnedStripe,
  index: number,
): StorePort | null {
  const node = stripe.sources[index] ?? stripe.nodes[index];
  return node ? stores.store(node) : null;
}

/**
 * [offset, offset + length) of fragment `index` as the settled state holds it, read from its
 * store when that fragment is current there, or decoded from k other fragments. Returns null
 * when fewer than k fragments can be read at their settled versions (nothing is guessed).
 */
export async function readSettledRange(
  stores: StoreDirectory,
  engine: ReedSolomon,
  stripe: OwnedStripe,
  index: number,
  offset: number,
  length: number,
  avoid: ReadonlySet<number> = new Set(),
): Promise<{ bytes: Uint8Array; degraded: boolean } | null> {
  if (!avoid.has(index)) {
    const direct = await readAtSettled(stores, stripe, index, offset, length);
    if (direct) return { bytes: direct, degraded: false };
  }
  const bytes = await decodeRange(stores, engine, stripe, index, offset, length, avoid);
  return bytes ? { bytes, degraded: true } : null;
}

/** The range of fragment `index` if its store holds it at exactly the settled version; else null. */
async function readAtSettled(
  stores: StoreDirectory,
  stripe: OwnedStripe,
  index: number,
  offset: number,
  length: number,
): Promise<Uint8Array | null> {
  const store = storeOf(stores, stripe, index);
  if (!store || markedNow(stripe, index)) return null;
  const expected = stripe.registry[index]!;
  try {
    const read = await store.read(
      fragmentId(stripe, index),
      stripe.volume.blockBytes,
      offset,
      length,
    );
    if (sameVersion(read.version, expected)) return read.bytes;
    return null;
  } catch {
    return null;
  }
}

/** Decodes the range of fragment `target` from k others at their settled versions. */
export async function decodeRange(
  stores: StoreDirectory,
  engine: ReedSolomon,
  stripe: OwnedStripe,
  target: number,
  offset: number,
  length: number,
  avoid: ReadonlySet<number> = new Set(),
): Promise<Uint8Array | null> {
  const { k, m } = stripe.volume;
  const candidates = Array.from({ length: k + m }, (_, index) => index).filter(
    (index) => index !== target && !avoid.has(index),
  );
  const reads = await Promise.all(
    candidates.map((index) => readAtSettled(stores, stripe, index, offset, length)),
  );
  const shards: (Uint8Array | null)[] = Array.from({ length: k + m }, () => null);
  let present = 0;
  candidates.forEach((index, at) => {
    const bytes = reads[at];
    if (bytes && present < k) {
      shards[index] = bytes;
      present += 1;
    }
  });
  if (present < k) return null;
  if (length === 0) return new Uint8Array(0);
  return engine.reconstruct(shards)[target]!;
}

/** The versions of a registry as plain objects (the store keeps what it is given). */
export function copyRegistry(registry: readonly Version[]): Version[] {
  return registry.map((version) => ({ epoch: version.epoch, seq: version.seq }));
}
