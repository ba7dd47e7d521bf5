/**
 * Topologies for the placement tests: regular grids, and the changes a cluster goes through
 * (a node joins, leaves, changes weight or state), each returning a new topology version.
 */
import { validateTopology, type NodeState, type Topology } from '../../placement/index.js';

/** Grid shape: regions × zones per region × nodes per zone, with a weight per node position. */
export interface GridShape {
  readonly regions: number;
  readonly zones: number;
  readonly nodes: number;
  /** Weight of the node at position `index` inside its zone; 1 when absent. */
  readonly weightOf?: (index: number) => number;
}

/** Node `n` of zone `z` of region `r` is `r{r}z{z}n{n}`; zone ids `r{r}z{z}`, region ids `r{r}`. */
export function grid(shape: GridShape, version = 1): Topology {
  return validateTopology({
    version,
    regions: Array.from({ length: shape.regions }, (_, r) => ({
      id: `r${r}`,
      zones: Array.from({ length: shape.zones }, (_, z) => ({
        id: `r${r}z${z}`,
        nodes: Array.from({ length: shape.nodes }, (_, n) => ({
          id: `r${r}z${z}n${n}`,
          weight: shape.weightOf?.(n) ?? 1,
          state: 'up',
        })),
      })),
    })),
  });
}

/** The topology with a node added to zone `zoneId` (version + 1). */
export function join(topology: Topology, zoneId: string, id: string, weight = 1): Topology {
  return validateTopology({
    version: topology.version + 1,
    regions: topology.regions.map((region) => ({
      ...region,
      zones: region.zones.map((zone) =>
        zone.id === zoneId
          ? { ...zone, nodes: [...zone.nodes, { id, weight, state: 'up' }] }
          : zone,
      ),
    })),
  });
}

/** The topology without node `id` (version + 1); a zone or region left empty is dropped. */
export function leave(topology: Topology, id: string): Topology {
  const regions = topology.regions
    .map((region) => ({
      ...region,
      zones: region.zones
        .map((zone) => ({ ...zone, nodes: zone.nodes.filter((node) => node.id !== id) }))
        .filter((zone) => zone.nodes.length > 0),
    }))
    .filter((region) => region.zones.length > 0);
  return validateTopology({ version: topology.version + 1, regions });
}

/** The topology with node `id` changed (version + 1). */
export function update(
  topology: Topology,
  id: string,
  change: { weight?: number; state?: NodeState },
): Topology {
  return validateTopology({
    version: topology.version + 1,
    regions: topology.regions.map((region) => ({
      ...region,
      zones: region.zones.map((zone) => ({
        ...zone,
        nodes: zone.nodes.map((node) => (node.id === id ? { ...node, ...change } : node)),
      })),
    })),
  });
}

/** Stripe keys of a test volume. */
export function key(stripe: number): string {
  return `volume-a/${stripe}`;
}
