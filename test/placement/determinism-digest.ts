/**
 * The answers that two processes must agree on: placements under RS(4,2) and RS(10,4) with
 * their default rules, and owners over a CM set, for the first `stripes` stripes.
 */
import { defaultRule, owner, parseTopology, place, type CmSet } from '../../placement/index.js';

/** Placements and owners computed from topology text, as plain data. */
export interface PlacementDigest {
  readonly rs42: (string | null)[][];
  readonly rs104: (string | null)[][];
  readonly owners: (string | null)[];
}

const CM_SET: CmSet = {
  epoch: 3,
  managers: ['cm-a', 'cm-b', 'cm-c', 'cm-d', 'cm-e'].map((id, index) => ({
    id,
    weight: 1 + (index % 3),
    state: 'up',
  })),
};

/** Computes the digest; the same text and count must give the same digest in any process. */
export function placementDigest(topologyText: string, stripes: number): PlacementDigest {
  const topology = parseTopology(topologyText);
  const small = { k: 4, m: 2 };
  const large = { k: 10, m: 4 };
  const smallRule = defaultRule(topology, small).rule;
  const largeRule = { level: 'node' as const, maxPerDomain: 1 };
  const keys = Array.from({ length: stripes }, (_, stripe) => `determinism/${stripe}`);
  return {
    rs42: keys.map((stripeKey) => [...place(stripeKey, topology, small, smallRule).nodeIds]),
    rs104: keys.map((stripeKey) => [...place(stripeKey, topology, large, largeRule).nodeIds]),
    owners: keys.map((stripeKey) => owner(stripeKey, CM_SET)),
  };
}
