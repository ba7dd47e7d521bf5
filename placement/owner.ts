/**
 * The responsibility function: which consistency manager (CM) owns a stripe in an epoch. It is
 * a weighted rendezvous hash of the stripe key over the CMs that are up, and nothing else: the
 * epoch number is deliberately not hashed, so when the CM set changes only the stripes of the
 * CMs that left or joined change owner (the rest keep serving without recovery). It lives in
 * placement/ because nodes and clients must compute the same owner from the same cluster map.
 */
import { HASH_SEED, draw32, murmur3, straw2Score } from './hash.js';

/** One consistency manager as the cluster map lists it. */
export interface ConsistencyManager {
  readonly id: string;
  /** Its share of stripes (> 0); equal weights give equal shares. */
  readonly weight: number;
  readonly state: 'up' | 'down';
}

/** The CM set of one epoch. The epoch is carried for the record; it does not enter the hash. */
export interface CmSet {
  readonly epoch: number;
  readonly managers: readonly ConsistencyManager[];
}

/**
 * The id of the CM that owns `stripeKey`: the up CM with the highest straw2 score
 * ln(u)/weight, u a fixed hash of the stripe key and the CM id (ties to the smaller id).
 * Returns null when no CM is up with a positive weight: an expected outcome, not an error.
 */
export function owner(stripeKey: string, cmSet: CmSet): string | null {
  const stripeHash = murmur3(stripeKey, HASH_SEED.owner);
  let winner: string | null = null;
  let winnerScore = -Infinity;
  for (const manager of cmSet.managers) {
    if (manager.state !== 'up' || !(manager.weight > 0)) continue;
    const score = straw2Score(draw32(stripeHash, managerHash(manager.id)), manager.weight);
    if (score > winnerScore || (score === winnerScore && winner !== null && manager.id < winner)) {
      winner = manager.id;
      winnerScore = score;
    }
  }
  return winner;
}

const managerHashes = new Map<string, number>();
/** The most CM id hashes remembered; a cluster has far fewer CMs. */
const MANAGER_HASHES_MAX = 4096;

function managerHash(id: string): number {
  let hash = managerHashes.get(id);
  if (hash === undefined) {
    hash = murmur3(id, HASH_SEED.owner);
    if (managerHashes.size >= MANAGER_HASHES_MAX) managerHashes.clear();
    managerHashes.set(id, hash);
  }
  return hash;
}

/**
 * The CM set of an epoch as the cluster map records it (the ids of the CMs that are up), every
 * CM of equal weight. The map's ownership check, the CMs and the client SDK all build it here, so
 * that they name the same owner.
 */
export function cmSetOf(epoch: number, ids: readonly string[]): CmSet {
  return { epoch, managers: ids.map((id) => ({ id, weight: 1, state: 'up' as const })) };
}
