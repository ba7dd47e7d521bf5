/**
 * Checking a stripe's fragments against its rule: no two fragments on one node, no failure
 * domain above its cap. Used after placement (a postcondition that tests and the change
 * planner verify) and for the states a stripe passes through while its fragments move.
 */
import type { PlacementRule } from './rule.js';
import { domainOf, type PlacedNode } from './topology.js';

/** Finds where a node sits; undefined for an id the topology does not know. */
export type NodeLookup = (nodeId: string) => PlacedNode | undefined;

/**
 * Whether fragments at `nodeIds` (null = unplaced, ignored) keep the rule: every node at most
 * once and every domain of the rule's level at most `maxPerDomain` times. An unknown node
 * breaks the rule.
 */
export function keepsRule(
  nodeIds: readonly (string | null)[],
  rule: PlacementRule,
  locate: NodeLookup,
): boolean {
  const perNode = new Map<string, number>();
  const perDomain = new Map<string, number>();
  for (const id of nodeIds) {
    if (id === null) continue;
    const placed = locate(id);
    if (placed === undefined) return false;
    const onNode = (perNode.get(id) ?? 0) + 1;
    const domain = domainOf(placed, rule.level);
    const inDomain = (perDomain.get(domain) ?? 0) + 1;
    if (onNode > 1 || inDomain > rule.maxPerDomain) return false;
    perNode.set(id, onNode);
    perDomain.set(domain, inDomain);
  }
  return true;
}

/** How a stripe's moves can be carried out without ever breaking its rule. */
export type MoveSafety = 'any-order' | 'ordered' | 'breaks-rule';

/**
 * Classifies the move of one stripe from `before` to `after` (fragment index to node): safe in
 * any order (every mix of old and new locations keeps the rule), safe in some order (moving
 * one fragment at a time, a greedy order keeps it), or not without breaking the rule for a
 * while. A fragment switches location atomically, once its new copy is written.
 */
export function moveSafety(
  before: readonly (string | null)[],
  after: readonly (string | null)[],
  rule: PlacementRule,
  locate: NodeLookup,
): MoveSafety {
  const moving = before.flatMap((from, index) => (from !== after[index] ? [index] : []));
  if (moving.length === 0 || worstMixKeepsRule(before, after, moving, rule, locate))
    return 'any-order';
  const current = [...before];
  const pending = new Set(moving);
  while (pending.size > 0) {
    const next = [...pending].find((index) => {
      const trial = [...current];
      trial[index] = after[index] ?? null;
      return keepsRule(trial, rule, locate);
    });
    if (next === undefined) return 'breaks-rule';
    current[next] = after[next] ?? null;
    pending.delete(next);
  }
  return 'ordered';
}

/** True when even the worst mix (each moving fragment counted at both ends) keeps the rule. */
function worstMixKeepsRule(
  before: readonly (string | null)[],
  after: readonly (string | null)[],
  moving: readonly number[],
  rule: PlacementRule,
  locate: NodeLookup,
): boolean {
  const perNode = new Map<string, number>();
  const perDomain = new Map<string, number>();
  const count = (id: string | null, seenDomains: Set<string>, seenNodes: Set<string>): boolean => {
    if (id === null) return true;
    const placed = locate(id);
    if (placed === undefined) return false;
    const domain = domainOf(placed, rule.level);
    if (!seenNodes.has(id)) perNode.set(id, (perNode.get(id) ?? 0) + 1);
    if (!seenDomains.has(domain)) perDomain.set(domain, (perDomain.get(domain) ?? 0) + 1);
    seenNodes.add(id);
    seenDomains.add(domain);
    return true;
  };
  const isMoving = new Set(moving);
  for (let index = 0; index < before.length; index++) {
    const ends = isMoving.has(index)
      ? [before[index] ?? null, after[index] ?? null]
      : [before[index] ?? null];
    const domains = new Set<string>();
    const nodes = new Set<string>();
    for (const id of ends) if (!count(id, domains, nodes)) return false;
  }
  for (const value of perNode.values()) if (value > 1) return false;
  for (const value of perDomain.values()) if (value > rule.maxPerDomain) return false;
  return true;
}
