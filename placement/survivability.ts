/**
 * The survivability report: for a topology, a scheme and a rule, which single region, zone or
 * node losses every stripe survives (keeps at least k fragments), and how much capacity stays
 * usable after each loss. "Every stripe" is a guarantee from the rule, not a sample: the most
 * fragments of one stripe a domain can hold under the rule (its cap, or the caps of the rule
 * domains inside it, never more than its eligible nodes or k + m). A sample of stripes is
 * placed as well, to show the worst seen and to measure usable capacity.
 */
import { place } from './place.js';
import type { ErasureScheme, PlacementRule } from './rule.js';
import { ruleSlots } from './rule.js';
import {
  domainOf,
  holdsFragments,
  listNodes,
  withNodeStates,
  type FailureLevel,
  type NodeState,
  type PlacedNode,
  type Topology,
} from './topology.js';
import { stripeKey } from './volume.js';

/** What losing one domain does. */
export interface LossCase {
  readonly level: FailureLevel;
  readonly id: string;
  /** The most fragments of any stripe the rule lets this domain hold: what its loss costs at worst. */
  readonly fragmentsLostMax: number;
  /** fragmentsLostMax <= m: every stripe keeps at least k fragments. */
  readonly everyStripeSurvives: boolean;
  /** The most fragments of one sampled stripe that the loss took. */
  readonly fragmentsLostMaxSeen: number;
  /** Sampled stripes left with fewer than k fragments. */
  readonly sampledStripesLost: number;
  /** Whether new stripes can still be placed whole under the rule after the loss. */
  readonly ruleSatisfiableAfter: boolean;
  /**
   * Raw capacity usable after the loss, as a fraction of the raw capacity before it: how full
   * the cluster can get (in weight units) before the first failure domain of the rule's level
   * fills, with fragments spread as placement spreads them. 0 when the rule can no longer be
   * satisfied (stripes can then only be placed degraded).
   */
  readonly usableCapacityFraction: number;
}

/** The whole report. */
export interface SurvivabilityReport {
  readonly version: number;
  readonly scheme: ErasureScheme;
  readonly rule: PlacementRule;
  readonly sampledStripes: number;
  /** Usable raw capacity with nothing lost, as a fraction of the total weight. */
  readonly usableCapacityFractionIntact: number;
  /** For each level: whether every single loss at that level is survived by every stripe. */
  readonly survivesEverySingleLoss: Readonly<Record<FailureLevel, boolean>>;
  readonly cases: readonly LossCase[];
}

/** Builds the report, placing `sampledStripes` stripes of a probe volume per loss examined. */
export function survivability(
  topology: Topology,
  scheme: ErasureScheme,
  rule: PlacementRule,
  sampledStripes = 1000,
): SurvivabilityReport {
  const nodes = listNodes(topology).filter((placed) => holdsFragments(placed.node));
  const totalWeight = nodes.reduce((sum, placed) => sum + placed.node.weight, 0);
  const intact = samplePlacements(topology, scheme, rule, sampledStripes);
  const cases: LossCase[] = [];
  for (const level of ['region', 'zone', 'node'] as const) {
    for (const [id, members] of groupBy(nodes, level)) {
      cases.push(
        lossCase(topology, scheme, rule, level, id, members, intact, totalWeight, sampledStripes),
      );
    }
  }
  const survives = (level: FailureLevel): boolean =>
    cases.filter((entry) => entry.level === level).every((entry) => entry.everyStripeSurvives);
  return {
    version: topology.version,
    scheme,
    rule,
    sampledStripes,
    usableCapacityFractionIntact: usableFraction(topology, rule, intact, totalWeight),
    survivesEverySingleLoss: {
      region: survives('region'),
      zone: survives('zone'),
      node: survives('node'),
    },
    cases,
  };
}

function lossCase(
  topology: Topology,
  scheme: ErasureScheme,
  rule: PlacementRule,
  level: FailureLevel,
  id: string,
  members: readonly PlacedNode[],
  intact: readonly (readonly (string | null)[])[],
  totalWeight: number,
  sampledStripes: number,
): LossCase {
  const fragmentsLostMax = worstLoss(members, scheme, rule);
  const lostIds = new Set(members.map((placed) => placed.node.id));
  let seen = 0;
  let lost = 0;
  for (const nodeIds of intact) {
    const gone = nodeIds.filter((nodeId) => nodeId !== null && lostIds.has(nodeId)).length;
    const present = nodeIds.filter((nodeId) => nodeId !== null).length - gone;
    seen = Math.max(seen, gone);
    if (present < scheme.k) lost++;
  }
  const after = withNodeStates(
    topology,
    new Map([...lostIds].map((nodeId): [string, NodeState] => [nodeId, 'out'])),
  );
  const satisfiable = ruleSlots(after, rule) >= scheme.k + scheme.m;
  const usable = satisfiable
    ? usableFraction(
        after,
        rule,
        samplePlacements(after, scheme, rule, sampledStripes),
        totalWeight,
      )
    : 0;
  return {
    level,
    id,
    fragmentsLostMax,
    everyStripeSurvives: fragmentsLostMax <= scheme.m,
    fragmentsLostMaxSeen: seen,
    sampledStripesLost: lost,
    ruleSatisfiableAfter: satisfiable,
    usableCapacityFraction: usable,
  };
}

/** The most fragments of one stripe that the rule lets the nodes `members` (one domain) hold. */
function worstLoss(
  members: readonly PlacedNode[],
  scheme: ErasureScheme,
  rule: PlacementRule,
): number {
  const perRuleDomain = new Map<string, number>();
  for (const placed of members) {
    const domain = domainOf(placed, rule.level);
    perRuleDomain.set(domain, (perRuleDomain.get(domain) ?? 0) + 1);
  }
  let worst = 0;
  for (const count of perRuleDomain.values()) worst += Math.min(rule.maxPerDomain, count);
  return Math.min(worst, members.length, scheme.k + scheme.m);
}

function groupBy(nodes: readonly PlacedNode[], level: FailureLevel): Map<string, PlacedNode[]> {
  const groups = new Map<string, PlacedNode[]>();
  for (const placed of nodes) {
    const id = domainOf(placed, level);
    groups.set(id, [...(groups.get(id) ?? []), placed]);
  }
  return groups;
}

const PROBE_VOLUME = 'survivability-probe';

function samplePlacements(
  topology: Topology,
  scheme: ErasureScheme,
  rule: PlacementRule,
  stripes: number,
): (readonly (string | null)[])[] {
  return Array.from(
    { length: stripes },
    (_, stripe) => place(stripeKey(PROBE_VOLUME, stripe), topology, scheme, rule).nodeIds,
  );
}

/**
 * How full the cluster can get, as a fraction of `referenceWeight`, before the first failure
 * domain of the rule's level fills: each domain's load is its share of the sampled fragments,
 * its room its summed weight. Inside a domain fragments follow the weights (within the skew
 * that docs/placement.md measures), so domains, not single nodes, are compared: that keeps the
 * estimate free of per-node sampling noise. At node level the whole topology is one domain.
 */
function usableFraction(
  topology: Topology,
  rule: PlacementRule,
  placements: readonly (readonly (string | null)[])[],
  referenceWeight: number,
): number {
  const domainOfNode = new Map<string, string>();
  const room = new Map<string, number>();
  for (const placed of listNodes(topology)) {
    if (!holdsFragments(placed.node)) continue;
    const domain = rule.level === 'node' ? '' : domainOf(placed, rule.level);
    domainOfNode.set(placed.node.id, domain);
    room.set(domain, (room.get(domain) ?? 0) + placed.node.weight);
  }
  const load = new Map<string, number>();
  let total = 0;
  for (const nodeIds of placements) {
    for (const nodeId of nodeIds) {
      const domain = nodeId === null ? undefined : domainOfNode.get(nodeId);
      if (domain === undefined) continue;
      load.set(domain, (load.get(domain) ?? 0) + 1);
      total++;
    }
  }
  if (total === 0 || referenceWeight === 0) return 0;
  let fill = Infinity;
  for (const [domain, fragments] of load)
    fill = Math.min(fill, (room.get(domain) ?? 0) / (fragments / total));
  return Number.isFinite(fill) ? fill / referenceWeight : 0;
}
