/**
 * The placement layer: the topology (regions ▸ zones ▸ nodes, with weights and states), the
 * placement rule of a volume, the deterministic weighted placement of a stripe's fragments,
 * the responsibility function (which CM owns a stripe), the change planner and the
 * survivability report. A pure library: no I/O, no clock, no randomness; nodes and clients get
 * the same answers from the same inputs.
 */
export {
  NODE_STATES,
  FAILURE_LEVELS,
  holdsFragments,
  listNodes,
  locateNodes,
  domainOf,
  eligibleWeight,
  withNodeStates,
  type NodeState,
  type StorageNode,
  type Zone,
  type Region,
  type Topology,
  type FailureLevel,
  type PlacedNode,
} from './topology.js';
export { parseTopology, validateTopology, type LineLookup } from './topology-file.js';
export {
  FRAGMENTS_MAX,
  checkScheme,
  checkRule,
  defaultRule,
  chooseVolumeRule,
  assertSatisfiable,
  ruleSlots,
  eligibleNodesPerDomain,
  type ErasureScheme,
  type PlacementRule,
  type RuleChoice,
} from './rule.js';
export { place, type Placement } from './place.js';
export { owner, cmSetOf, type CmSet, type ConsistencyManager } from './owner.js';
export { keepsRule, moveSafety, type MoveSafety, type NodeLookup } from './rule-check.js';
export {
  planChange,
  changedNodes,
  effectiveWeights,
  idealMovedFraction,
  type ChangePlan,
  type FragmentMove,
} from './change-plan.js';
export { survivability, type SurvivabilityReport, type LossCase } from './survivability.js';
export { stripeKey, type VolumeLayout } from './volume.js';
export { murmur3, mix32 } from './hash.js';
export {
  PlacementError,
  TopologyError,
  TopologySyntaxError,
  TopologyUnknownKeyError,
  TopologyMissingKeyError,
  TopologyValueError,
  TopologyDuplicateIdError,
  TopologyEmptyError,
  SchemeError,
  RuleError,
  RuleUnsatisfiableError,
} from './errors.js';
