/**
 * The topology: regions, inside them zones (the seed paper's "clusters"), inside them storage
 * nodes, each with a weight (its share of capacity) and a state. A topology has a version; the
 * cluster map in Raft holds the current one. Values are plain, immutable data so that the same
 * topology can be read from a file, sent over the wire and handed to the pure functions here.
 */

/**
 * The life cycle of a node as placement sees it.
 * - `up`: serving; holds fragments.
 * - `down`: not answering now; still holds its fragments (reads decode around it), so a node
 *   that flaps moves no data.
 * - `draining`: being emptied on purpose; placement gives it nothing, its fragments move away.
 * - `out`: gone; placement gives it nothing.
 */
export type NodeState = 'up' | 'down' | 'draining' | 'out';

/** Every node state, in life-cycle order. */
export const NODE_STATES: readonly NodeState[] = ['up', 'down', 'draining', 'out'];

/** One storage node. `weight` is a non-negative capacity share (any unit, e.g. TiB). */
export interface StorageNode {
  readonly id: string;
  readonly weight: number;
  readonly state: NodeState;
}

/** A zone: nodes that share a failure (a rack, a building, an availability zone). */
export interface Zone {
  readonly id: string;
  readonly nodes: readonly StorageNode[];
}

/** A region: zones that a single disaster can take out together. */
export interface Region {
  readonly id: string;
  readonly zones: readonly Zone[];
}

/** A whole topology at one version. Ids are unique per kind (region, zone, node). */
export interface Topology {
  readonly version: number;
  readonly regions: readonly Region[];
}

/** The levels of the topology, outermost first; a placement rule names one as failure domain. */
export type FailureLevel = 'region' | 'zone' | 'node';

/** Every failure level, outermost first. */
export const FAILURE_LEVELS: readonly FailureLevel[] = ['region', 'zone', 'node'];

/**
 * Whether placement may put fragments on a node: it is up or down (down keeps its fragments)
 * and has a positive weight. Draining and out nodes, and nodes of weight 0, get nothing.
 */
export function holdsFragments(node: StorageNode): boolean {
  return node.weight > 0 && (node.state === 'up' || node.state === 'down');
}

/** A node together with where it sits; what the flat views of a topology list. */
export interface PlacedNode {
  readonly node: StorageNode;
  readonly zoneId: string;
  readonly regionId: string;
}

/** Every node of the topology with its zone and region, in file order. */
export function listNodes(topology: Topology): PlacedNode[] {
  const nodes: PlacedNode[] = [];
  for (const region of topology.regions) {
    for (const zone of region.zones) {
      for (const node of zone.nodes) nodes.push({ node, zoneId: zone.id, regionId: region.id });
    }
  }
  return nodes;
}

/** The id of the failure domain at `level` that contains a placed node. */
export function domainOf(placed: PlacedNode, level: FailureLevel): string {
  if (level === 'region') return placed.regionId;
  if (level === 'zone') return placed.zoneId;
  return placed.node.id;
}

/** The summed weight of the nodes that may hold fragments. */
export function eligibleWeight(topology: Topology): number {
  let total = 0;
  for (const placed of listNodes(topology)) {
    if (holdsFragments(placed.node)) total += placed.node.weight;
  }
  return total;
}

/** Every node by id, with its zone and region. */
export function locateNodes(topology: Topology): Map<string, PlacedNode> {
  return new Map(listNodes(topology).map((placed) => [placed.node.id, placed]));
}

/**
 * A topology with some nodes' state replaced; the input is not changed. Used to ask "what if
 * this region, zone or node were lost" and by tests that walk a topology through changes.
 */
export function withNodeStates(
  topology: Topology,
  changed: ReadonlyMap<string, NodeState>,
  version = topology.version,
): Topology {
  return {
    version,
    regions: topology.regions.map((region) => ({
      id: region.id,
      zones: region.zones.map((zone) => ({
        id: zone.id,
        nodes: zone.nodes.map((node) => {
          const state = changed.get(node.id);
          return state === undefined ? node : { ...node, state };
        }),
      })),
    })),
  };
}
