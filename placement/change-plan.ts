/**
 * The change planner: what an operator previews before applying a new topology version. For a
 * volume it places every stripe under both versions and reports which fragments move from
 * where to where, the fraction of data that moves against the ideal (the least any weighted
 * placement must move: the total variation between the two versions' weight shares), what
 * moves between nodes that did not change, and whether every stripe keeps its rule after the
 * move and while it happens.
 */
import { place } from './place.js';
import { moveSafety, keepsRule, type MoveSafety, type NodeLookup } from './rule-check.js';
import { holdsFragments, listNodes, locateNodes, type Topology } from './topology.js';
import { stripeKey, type VolumeLayout } from './volume.js';

/** Fragments that move from one node to another (null: from or to nowhere, i.e. unplaced). */
export interface FragmentMove {
  readonly from: string | null;
  readonly to: string | null;
  readonly fragments: number;
}

/** The preview of one topology change for one volume. */
export interface ChangePlan {
  readonly volume: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** stripes × (k + m). */
  readonly fragments: number;
  readonly movedFragments: number;
  /** movedFragments / fragments. */
  readonly movedFraction: number;
  /** The least fraction any placement following the weights must move. */
  readonly idealFraction: number;
  /** Nodes whose effective weight (0 when draining or out) differs between the versions. */
  readonly changedNodes: readonly string[];
  /** Moved fragments whose source and destination both did not change. */
  readonly movedBetweenUnchangedFragments: number;
  /** Moves grouped by (from, to), most fragments first. */
  readonly moves: readonly FragmentMove[];
  /** Fragments unplaced before and after the change. */
  readonly unplacedBefore: number;
  readonly unplacedAfter: number;
  /** Stripes whose new placement breaks the rule: 0 unless placement has a bug. */
  readonly stripesBreakingRuleAfter: number;
  /** Stripes by how their moves can be carried out within the rule. */
  readonly stripesByMoveSafety: Readonly<Record<MoveSafety, number>>;
}

/** Previews moving `volume` from topology `before` to `after`. */
export function planChange(before: Topology, after: Topology, volume: VolumeLayout): ChangePlan {
  const locate = lookupBoth(before, after);
  const moves = new Map<string, FragmentMove>();
  const safety: Record<MoveSafety, number> = { 'any-order': 0, ordered: 0, 'breaks-rule': 0 };
  const changed = changedNodes(before, after);
  let moved = 0;
  let between = 0;
  let unplacedBefore = 0;
  let unplacedAfter = 0;
  let breaking = 0;
  for (let stripe = 0; stripe < volume.stripes; stripe++) {
    const key = stripeKey(volume.name, stripe);
    const old = place(key, before, volume.scheme, volume.rule);
    const next = place(key, after, volume.scheme, volume.rule);
    unplacedBefore += old.unplaced.length;
    unplacedAfter += next.unplaced.length;
    if (!keepsRule(next.nodeIds, volume.rule, locate)) breaking++;
    old.nodeIds.forEach((from, index) => {
      const to = next.nodeIds[index] ?? null;
      if (from === to) return;
      moved++;
      if (!isChanged(from, changed) && !isChanged(to, changed)) between++;
      const pair = `${from ?? ''}\u0000${to ?? ''}`;
      moves.set(pair, { from, to, fragments: (moves.get(pair)?.fragments ?? 0) + 1 });
    });
    safety[moveSafety(old.nodeIds, next.nodeIds, volume.rule, locate)]++;
  }
  const fragments = volume.stripes * (volume.scheme.k + volume.scheme.m);
  return {
    volume: volume.name,
    fromVersion: before.version,
    toVersion: after.version,
    fragments,
    movedFragments: moved,
    movedFraction: fragments === 0 ? 0 : moved / fragments,
    idealFraction: idealMovedFraction(before, after),
    changedNodes: [...changed],
    movedBetweenUnchangedFragments: between,
    moves: [...moves.values()].sort((a, b) => b.fragments - a.fragments || order(a, b)),
    unplacedBefore,
    unplacedAfter,
    stripesBreakingRuleAfter: breaking,
    stripesByMoveSafety: safety,
  };
}

function isChanged(nodeId: string | null, changed: ReadonlySet<string>): boolean {
  return nodeId === null || changed.has(nodeId);
}

function order(a: FragmentMove, b: FragmentMove): number {
  return `${a.from ?? ''}>${a.to ?? ''}` < `${b.from ?? ''}>${b.to ?? ''}` ? -1 : 1;
}

/** Each node's weight as placement uses it: 0 unless it may hold fragments. */
export function effectiveWeights(topology: Topology): Map<string, number> {
  return new Map(
    listNodes(topology).map(({ node }) => [node.id, holdsFragments(node) ? node.weight : 0]),
  );
}

/** Nodes whose effective weight differs between two topologies (absent counts as 0). */
export function changedNodes(before: Topology, after: Topology): Set<string> {
  const old = effectiveWeights(before);
  const next = effectiveWeights(after);
  const changed = new Set<string>();
  for (const id of new Set([...old.keys(), ...next.keys()])) {
    if ((old.get(id) ?? 0) !== (next.get(id) ?? 0)) changed.add(id);
  }
  return changed;
}

/**
 * The ideal fraction of data to move: half the sum over nodes of |share after - share before|,
 * a node's share being its effective weight over the total. For one node of weight w joining a
 * cluster of total W this is w / (W + w); for one leaving, w / W.
 */
export function idealMovedFraction(before: Topology, after: Topology): number {
  const old = effectiveWeights(before);
  const next = effectiveWeights(after);
  const oldTotal = sum(old.values());
  const nextTotal = sum(next.values());
  if (oldTotal === 0 || nextTotal === 0) return oldTotal === nextTotal ? 0 : 1;
  let distance = 0;
  for (const id of new Set([...old.keys(), ...next.keys()])) {
    distance += Math.abs((next.get(id) ?? 0) / nextTotal - (old.get(id) ?? 0) / oldTotal);
  }
  return distance / 2;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Locates a node in the new topology, or in the old one if it is gone from the new. */
function lookupBoth(before: Topology, after: Topology): NodeLookup {
  const old = locateNodes(before);
  const next = locateNodes(after);
  return (id) => next.get(id) ?? old.get(id);
}
