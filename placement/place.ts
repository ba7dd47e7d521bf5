/**
 * `place`: on which node each of a stripe's k + m fragments lives. Deterministic (a pure
 * function of its inputs and the fixed hashes in hash.ts), weighted (a node's share follows its
 * weight), one fragment per node, never more than the rule's cap in one failure domain, and
 * only on nodes that are up or down (a down node keeps its fragments; draining and out nodes
 * get none). Where the topology has fewer places than fragments, it places what it can and
 * names the fragments left over.
 *
 * Two regimes, chosen per call from the topology and rule alone:
 * - the caps leave room (the rule's places, sum of min(cap, eligible nodes) per domain, exceed
 *   k + m): one weighted race over all eligible nodes with the caps enforced as pairs are taken.
 *   A domain's chance to win is the sum of its nodes' weights, as level-by-level straw2 would
 *   give, but its draw is the best of its nodes' draws, so a change inside one domain cannot
 *   pull fragments onto the unchanged nodes of another.
 * - the caps fix the counts (places <= k + m): every domain gets exactly its places, so which
 *   fragment goes to which domain is an unweighted race over the places (weights cannot change
 *   the counts, so they are kept from reshuffling the fragments), then a weighted race inside
 *   each domain.
 */
import { compileTopology, type CompiledTopology } from './compiled-topology.js';
import { fragmentStream, HASH_SEED, mix32, murmur3 } from './hash.js';
import { clearedUsed, matchFragments, matchSlots, NO_NODE } from './race.js';
import { checkRule, checkScheme, type ErasureScheme, type PlacementRule } from './rule.js';
import type { Topology } from './topology.js';

/** Where one stripe's fragments live. */
export interface Placement {
  /** Fragment index (0…k-1 data, k…k+m-1 parity) to node id; null where none could be given. */
  readonly nodeIds: readonly (string | null)[];
  /** The fragment indexes left without a node, ascending; empty when the stripe is whole. */
  readonly unplaced: readonly number[];
  /** Why fragments are unplaced; null when none are. */
  readonly degradedReason: string | null;
}

/** The stride between the hashes of one domain's places. */
const SLOT_STRIDE = 0x61c88647;

/** Places stripe `stripeKey`'s fragments on `topology` under `rule`. Throws only on a malformed scheme or rule. */
export function place(
  stripeKey: string,
  topology: Topology,
  scheme: ErasureScheme,
  rule: PlacementRule,
): Placement {
  checkScheme(scheme);
  checkRule(rule);
  const compiled = compileTopology(topology);
  const fragments = scheme.k + scheme.m;
  const stripeHash = murmur3(stripeKey, HASH_SEED.stripe);
  const streams = Array.from({ length: fragments }, (_, index) =>
    fragmentStream(stripeHash, index),
  );
  const cap = rule.level === 'node' ? 1 : rule.maxPerDomain;
  const level = compiled.levels[rule.level];
  const places = level.nodesOfDomain.map((nodes) => Math.min(cap, nodes.length));
  const placeCount = places.reduce((sum, count) => sum + count, 0);
  const nodes =
    placeCount > fragments
      ? placeFlat(compiled, streams, rule, cap)
      : placeByFixedCounts(compiled, streams, rule, places);
  return describe(compiled, nodes, rule, placeCount);
}

function placeFlat(
  compiled: CompiledTopology,
  streams: number[],
  rule: PlacementRule,
  cap: number,
): Int32Array {
  const used = clearedUsed(compiled.nodeIds.length);
  if (rule.level === 'node')
    return matchFragments(compiled, streams, compiled.allNodesByClass, used);
  const level = compiled.levels[rule.level];
  const caps = {
    domainOfNode: level.domainOfNode,
    nodesOfDomain: level.nodesOfDomain,
    count: new Array<number>(level.domainIds.length).fill(0),
    cap,
  };
  return matchFragments(compiled, streams, compiled.allNodesByClass, used, caps);
}

function placeByFixedCounts(
  compiled: CompiledTopology,
  streams: number[],
  rule: PlacementRule,
  places: number[],
): Int32Array {
  const level = compiled.levels[rule.level];
  const slotDomains: number[] = [];
  const slotHashes: number[] = [];
  places.forEach((count, domain) => {
    for (let slot = 0; slot < count; slot++) {
      slotDomains.push(domain);
      slotHashes.push(mix32((level.domainHashes[domain] ?? 0) + Math.imul(slot + 1, SLOT_STRIDE)));
    }
  });
  const slotOfFragment = matchSlots(streams, slotHashes);
  const nodes = new Int32Array(streams.length).fill(NO_NODE);
  const used = clearedUsed(compiled.nodeIds.length);
  level.nodesOfDomainByClass.forEach((candidates, domain) => {
    const members: number[] = [];
    slotOfFragment.forEach((slot, fragment) => {
      if (slot !== NO_NODE && slotDomains[slot] === domain) members.push(fragment);
    });
    if (members.length === 0) return;
    const taken = matchFragments(
      compiled,
      members.map((fragment) => streams[fragment] ?? 0),
      candidates,
      used,
    );
    members.forEach((fragment, index) => (nodes[fragment] = taken[index] ?? NO_NODE));
  });
  return nodes;
}

function describe(
  compiled: CompiledTopology,
  nodes: Int32Array,
  rule: PlacementRule,
  placeCount: number,
): Placement {
  const nodeIds: (string | null)[] = [];
  const unplaced: number[] = [];
  nodes.forEach((node, fragment) => {
    if (node === NO_NODE) unplaced.push(fragment);
    nodeIds.push(node === NO_NODE ? null : (compiled.nodeIds[node] ?? null));
  });
  const degradedReason =
    unplaced.length === 0
      ? null
      : `topology version ${compiled.version} has ${placeCount} places under "at most ${rule.maxPerDomain} per ${rule.level}" ` +
        `for ${nodes.length} fragments (${compiled.nodeIds.length} nodes up or down with weight > 0): ` +
        `fragments ${unplaced.join(', ')} are unplaced`;
  return { nodeIds, unplaced, degradedReason };
}
