/**
 * fast-check generators for the placement properties: random topologies (1–4 regions, 1–3
 * zones each, 1–5 nodes each, mixed weights and states), schemes and rules.
 */
import fc from 'fast-check';
import type { ErasureScheme, NodeState, PlacementRule, Topology } from '../../placement/index.js';

const weight = fc.constantFrom(0, 0.5, 1, 1, 2, 3, 4, 10);
const state = fc.constantFrom<NodeState>('up', 'up', 'up', 'down', 'draining', 'out');

/** A random valid topology; node ids are unique (`n0`, `n1`, …), zones `r{r}z{z}`. */
export const topologyArbitrary: fc.Arbitrary<Topology> = fc
  .array(
    fc.array(fc.array(fc.record({ weight, state }), { minLength: 1, maxLength: 5 }), {
      minLength: 1,
      maxLength: 3,
    }),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((regions) => {
    let nodeNumber = 0;
    return {
      version: 1,
      regions: regions.map((zones, r) => ({
        id: `r${r}`,
        zones: zones.map((nodes, z) => ({
          id: `r${r}z${z}`,
          nodes: nodes.map((fields) => ({ id: `n${nodeNumber++}`, ...fields })),
        })),
      })),
    };
  });

/** A random scheme, k 1–8, m 0–4. */
export const schemeArbitrary: fc.Arbitrary<ErasureScheme> = fc.record({
  k: fc.integer({ min: 1, max: 8 }),
  m: fc.integer({ min: 0, max: 4 }),
});

/** A random well-formed rule (cap 1 at node level). */
export const ruleArbitrary: fc.Arbitrary<PlacementRule> = fc.oneof(
  fc.record({
    level: fc.constantFrom('region' as const, 'zone' as const),
    maxPerDomain: fc.integer({ min: 1, max: 4 }),
  }),
  fc.constant({ level: 'node' as const, maxPerDomain: 1 }),
);
