/**
 * Placement rules: which topology level is a volume's failure domain, and the most fragments
 * of one stripe that one domain of that level may hold. The default for RS(k, m) keeps a whole
 * region's loss to at most m fragments when the topology has enough regions, then falls back to
 * zones, then to nodes, and says which it got and why. A rule the topology cannot satisfy is
 * refused when the volume is created.
 */
import { RuleError, RuleUnsatisfiableError, SchemeError } from './errors.js';
import {
  domainOf,
  holdsFragments,
  listNodes,
  type FailureLevel,
  type Topology,
} from './topology.js';

/** A Reed-Solomon scheme: k data and m parity fragments per stripe. */
export interface ErasureScheme {
  readonly k: number;
  readonly m: number;
}

/** The most fragments that fit one stripe's placement; far above any useful scheme. */
export const FRAGMENTS_MAX = 255;

/**
 * A volume's placement rule: no domain at `level` holds more than `maxPerDomain` fragments of
 * one stripe. At node level the cap is always 1 (every fragment on a distinct node), which
 * every rule implies anyway.
 */
export interface PlacementRule {
  readonly level: FailureLevel;
  readonly maxPerDomain: number;
}

/** A rule together with the sentence that explains it, for a volume's description. */
export interface RuleChoice {
  readonly rule: PlacementRule;
  readonly reason: string;
}

/** Throws a SchemeError unless 1 <= k, 0 <= m and k + m <= FRAGMENTS_MAX, all integers. */
export function checkScheme(scheme: ErasureScheme): void {
  const { k, m } = scheme;
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > FRAGMENTS_MAX) {
    throw new SchemeError(
      `RS(${k},${m}) is not a scheme placement can serve: need integers k >= 1, m >= 0, k + m <= ${FRAGMENTS_MAX}`,
    );
  }
}

/** Throws a RuleError unless the rule is well formed (whether the topology fits is separate). */
export function checkRule(rule: PlacementRule): void {
  if (rule.level !== 'region' && rule.level !== 'zone' && rule.level !== 'node') {
    throw new RuleError(`unknown failure level "${String(rule.level)}": use region, zone or node`);
  }
  if (!Number.isInteger(rule.maxPerDomain) || rule.maxPerDomain < 1) {
    throw new RuleError(`maxPerDomain must be an integer >= 1, got ${rule.maxPerDomain}`);
  }
  if (rule.level === 'node' && rule.maxPerDomain !== 1) {
    throw new RuleError(
      `at node level the cap is 1 (fragments always go to distinct nodes), got ${rule.maxPerDomain}`,
    );
  }
}

/**
 * Eligible nodes per failure domain at `level` (domains with none are left out), in file
 * order of first appearance.
 */
export function eligibleNodesPerDomain(
  topology: Topology,
  level: FailureLevel,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const placed of listNodes(topology)) {
    if (holdsFragments(placed.node)) {
      const domain = domainOf(placed, level);
      counts.set(domain, (counts.get(domain) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * How many fragments of one stripe the topology can hold under a rule: the sum over domains of
 * min(cap, eligible nodes in the domain). A stripe is fully placeable iff this is >= k + m.
 */
export function ruleSlots(topology: Topology, rule: PlacementRule): number {
  const cap = rule.level === 'node' ? 1 : rule.maxPerDomain;
  let slots = 0;
  for (const count of eligibleNodesPerDomain(topology, rule.level).values())
    slots += Math.min(cap, count);
  return slots;
}

/**
 * The default rule for a scheme on a topology: at most m fragments per region when there are
 * at least ceil((k+m)/m) regions (and they have the nodes to hold them), so that losing a region
 * loses at most m fragments; otherwise the same at zone level; otherwise one fragment per node.
 * Throws RuleUnsatisfiableError when not even the node level fits.
 */
export function defaultRule(topology: Topology, scheme: ErasureScheme): RuleChoice {
  checkScheme(scheme);
  const { k, m } = scheme;
  const fragments = k + m;
  const needed = m === 0 ? Infinity : Math.ceil(fragments / m);
  const notes: string[] = [];
  for (const level of ['region', 'zone'] as const) {
    const domains = eligibleNodesPerDomain(topology, level).size;
    const rule: PlacementRule = { level, maxPerDomain: m };
    if (m > 0 && domains >= needed && ruleSlots(topology, rule) >= fragments) {
      const reason =
        `${level} level, at most ${m} fragments per ${level}: ${domains} ${level}s >= ceil(${fragments}/${m}) = ${needed}, ` +
        `so losing any one ${level} loses at most m = ${m} fragments` +
        (notes.length > 0 ? ` (${notes.join('; ')})` : '');
      return { rule, reason };
    }
    notes.push(describeShortfall(level, domains, needed, m));
  }
  const rule: PlacementRule = { level: 'node', maxPerDomain: 1 };
  const reason = `node level, one fragment per node: ${notes.join('; ')}`;
  assertSatisfiable(topology, scheme, rule);
  return { rule, reason };
}

function describeShortfall(
  level: FailureLevel,
  domains: number,
  needed: number,
  m: number,
): string {
  if (m === 0) return `m = 0 leaves no fragment to lose, so no ${level} loss is survivable`;
  if (domains < needed) return `only ${domains} ${level}s with eligible nodes, ${needed} needed`;
  return `${domains} ${level}s, but too few eligible nodes in them to hold ${m} each`;
}

/**
 * The rule a new volume gets: `requested` if given (checked), else the default. Throws
 * RuleError for a malformed rule and RuleUnsatisfiableError when the topology cannot hold
 * k + m fragments under it: a volume is never created on a rule it would break.
 */
export function chooseVolumeRule(
  topology: Topology,
  scheme: ErasureScheme,
  requested?: PlacementRule,
): RuleChoice {
  checkScheme(scheme);
  if (requested === undefined) return defaultRule(topology, scheme);
  checkRule(requested);
  assertSatisfiable(topology, scheme, requested);
  const lost = Math.min(requested.maxPerDomain, scheme.k + scheme.m);
  const verdict = lost <= scheme.m ? 'at most m' : `up to ${lost}, more than m = ${scheme.m}`;
  const reason = `${requested.level} level, at most ${requested.maxPerDomain} fragments per ${requested.level} as requested: losing one ${requested.level} loses ${verdict} fragments`;
  return { rule: requested, reason };
}

/** Throws RuleUnsatisfiableError unless the topology has room for a whole stripe under `rule`. */
export function assertSatisfiable(
  topology: Topology,
  scheme: ErasureScheme,
  rule: PlacementRule,
): void {
  const slots = ruleSlots(topology, rule);
  const fragments = scheme.k + scheme.m;
  if (slots < fragments) {
    const domains = eligibleNodesPerDomain(topology, rule.level).size;
    const what =
      rule.level === 'node'
        ? `${domains} eligible nodes`
        : `${domains} ${rule.level}s with eligible nodes`;
    throw new RuleUnsatisfiableError(
      slots,
      fragments,
      `topology version ${topology.version} cannot hold RS(${scheme.k},${scheme.m}) under "at most ${rule.maxPerDomain} per ${rule.level}": ` +
        `${what} give ${slots} places for ${fragments} fragments`,
    );
  }
}
