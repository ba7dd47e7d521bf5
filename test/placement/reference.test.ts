// Proves that the optimised place() (weight classes, dense scans, lazy greedy matching) gives
// exactly the answers of a plain reference that scores every (fragment, node) pair with the
// documented hashes, sorts them and takes them greedily.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  draw32,
  fragmentStream,
  HASH_SEED,
  mix32,
  murmur3,
  straw2Score,
} from '../../placement/hash.js';
import {
  domainOf,
  holdsFragments,
  listNodes,
  place,
  type ErasureScheme,
  type PlacedNode,
  type PlacementRule,
  type Topology,
} from '../../placement/index.js';
import { ruleArbitrary, schemeArbitrary, topologyArbitrary } from './arbitraries.js';
import { grid, key } from './topologies.js';

/** The stride between the hashes of one domain's places, as documented in place.ts. */
const SLOT_STRIDE = 0x61c88647;

interface Pair {
  fragment: number;
  node: number;
  score: number;
}

/** Takes pairs best first (ties: lower fragment, then lower node) under `allowed`. */
function greedy(pairs: Pair[], allowed: (pair: Pair) => boolean, take: (pair: Pair) => void): void {
  pairs.sort((a, b) => b.score - a.score || a.fragment - b.fragment || a.node - b.node);
  for (const pair of pairs) if (allowed(pair)) take(pair);
}

function referencePlace(
  stripe: string,
  topology: Topology,
  scheme: ErasureScheme,
  rule: PlacementRule,
): (string | null)[] {
  const nodes: PlacedNode[] = listNodes(topology).filter((placed) => holdsFragments(placed.node));
  const fragments = scheme.k + scheme.m;
  const streamHash = murmur3(stripe, HASH_SEED.stripe);
  const streams = Array.from({ length: fragments }, (_, index) =>
    fragmentStream(streamHash, index),
  );
  const cap = rule.level === 'node' ? 1 : rule.maxPerDomain;
  const domainIds = [...new Set(nodes.map((placed) => domainOf(placed, rule.level)))];
  const places = domainIds.map((id) =>
    Math.min(cap, nodes.filter((placed) => domainOf(placed, rule.level) === id).length),
  );
  const result: (number | null)[] = new Array<number | null>(fragments).fill(null);
  const used = new Set<number>();
  const pairScore = (fragment: number, node: number): number =>
    straw2Score(
      draw32(streams[fragment]!, murmur3(nodes[node]!.node.id, HASH_SEED.node)),
      nodes[node]!.node.weight,
    );
  const pairsOver = (fragmentList: number[], nodeList: number[]): Pair[] =>
    fragmentList.flatMap((fragment) =>
      nodeList.map((node) => ({ fragment, node, score: pairScore(fragment, node) })),
    );
  const allNodes = nodes.map((_, index) => index);
  const allFragments = streams.map((_, index) => index);
  if (places.reduce((sum, count) => sum + count, 0) > fragments) {
    const perDomain = new Map<string, number>();
    greedy(
      pairsOver(allFragments, allNodes),
      ({ fragment, node }) =>
        result[fragment] === null &&
        !used.has(node) &&
        (perDomain.get(domainOf(nodes[node]!, rule.level)) ?? 0) < cap,
      ({ fragment, node }) => {
        result[fragment] = node;
        used.add(node);
        const domain = domainOf(nodes[node]!, rule.level);
        perDomain.set(domain, (perDomain.get(domain) ?? 0) + 1);
      },
    );
  } else {
    const slots = domainIds.flatMap((id, domain) =>
      Array.from({ length: places[domain]! }, (_, slot) => ({
        id,
        hash: mix32(murmur3(id, HASH_SEED.domain) + Math.imul(slot + 1, SLOT_STRIDE)),
      })),
    );
    const slotOf = new Map<number, number>();
    const slotTaken = new Set<number>();
    greedy(
      allFragments.flatMap((fragment) =>
        slots.map((slot, node) => ({
          fragment,
          node,
          score: draw32(streams[fragment]!, slot.hash),
        })),
      ),
      ({ fragment, node }) => !slotOf.has(fragment) && !slotTaken.has(node),
      ({ fragment, node }) => {
        slotOf.set(fragment, node);
        slotTaken.add(node);
      },
    );
    for (const id of domainIds) {
      const members = allFragments.filter(
        (fragment) => slotOf.has(fragment) && slots[slotOf.get(fragment)!]!.id === id,
      );
      const domainNodes = allNodes.filter((node) => domainOf(nodes[node]!, rule.level) === id);
      greedy(
        pairsOver(members, domainNodes),
        ({ fragment, node }) => result[fragment] === null && !used.has(node),
        ({ fragment, node }) => {
          result[fragment] = node;
          used.add(node);
        },
      );
    }
  }
  return result.map((node) => (node === null ? null : nodes[node]!.node.id));
}

describe('place() against the plain reference', () => {
  it('agrees on random topologies, schemes and rules', () => {
    fc.assert(
      fc.property(
        topologyArbitrary,
        schemeArbitrary,
        ruleArbitrary,
        fc.nat(100_000),
        (topology, scheme, rule, stripe) => {
          expect(place(key(stripe), topology, scheme, rule).nodeIds).to.deep.equal(
            referencePlace(key(stripe), topology, scheme, rule),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('agrees on a 300-node cluster with three weight classes, RS(10,4), for many stripes', () => {
    const topology = grid({
      regions: 3,
      zones: 10,
      nodes: 10,
      weightOf: (index) => [1, 2, 4][index % 3]!,
    });
    const rule: PlacementRule = { level: 'zone', maxPerDomain: 4 };
    for (let stripe = 0; stripe < 40; stripe++) {
      expect(place(key(stripe), topology, { k: 10, m: 4 }, rule).nodeIds).to.deep.equal(
        referencePlace(key(stripe), topology, { k: 10, m: 4 }, rule),
      );
    }
  });
});
