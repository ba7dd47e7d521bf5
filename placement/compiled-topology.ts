/**
 * A topology flattened into typed arrays for the placement loop: only the nodes that may hold
 * fragments, their id hashes, weights grouped into classes (so that a race over nodes of equal
 * weight compares integers and takes one logarithm per class), and for each failure level the
 * domain of every node. Compiled once per topology object and cached: topologies are immutable.
 */
import { HASH_SEED, murmur3 } from './hash.js';
import {
  domainOf,
  holdsFragments,
  listNodes,
  type FailureLevel,
  type Topology,
} from './topology.js';

/** The failure domains of one level, numbered 0…count-1 in file order. */
export interface CompiledLevel {
  readonly domainIds: readonly string[];
  readonly domainHashes: readonly number[];
  /** For each eligible node, the number of its domain. */
  readonly domainOfNode: Int32Array;
  /** For each domain, its eligible nodes (numbers into the node arrays), ascending. */
  readonly nodesOfDomain: readonly Int32Array[];
  /** For each domain, its eligible nodes split by weight class: the candidates of a race. */
  readonly nodesOfDomainByClass: readonly (readonly Int32Array[])[];
}

/** The flattened, eligible-only view of one topology. */
export interface CompiledTopology {
  readonly version: number;
  readonly nodeIds: readonly string[];
  /** Node id hashes as int32 bit patterns (the placement loop stays in int32). */
  readonly nodeHashes: Int32Array;
  readonly weights: Float64Array;
  /** For each node, the index of its weight in `classWeights`. */
  readonly weightClass: Int32Array;
  /** The distinct node weights. */
  readonly classWeights: readonly number[];
  readonly levels: Readonly<Record<FailureLevel, CompiledLevel>>;
  /** Every eligible node split by weight class: the candidates of a flat race. */
  readonly allNodesByClass: readonly Int32Array[];
}

const cache = new WeakMap<Topology, CompiledTopology>();

/** The compiled view of a topology, built on first use and cached per topology object. */
export function compileTopology(topology: Topology): CompiledTopology {
  const cached = cache.get(topology);
  if (cached !== undefined) return cached;
  const compiled = build(topology);
  cache.set(topology, compiled);
  return compiled;
}

function build(topology: Topology): CompiledTopology {
  const eligible = listNodes(topology).filter((placed) => holdsFragments(placed.node));
  const classWeights: number[] = [];
  const weightClass = new Int32Array(eligible.length);
  eligible.forEach((placed, index) => {
    let weightIndex = classWeights.indexOf(placed.node.weight);
    if (weightIndex < 0) weightIndex = classWeights.push(placed.node.weight) - 1;
    weightClass[index] = weightIndex;
  });
  const levelOf = (level: FailureLevel): CompiledLevel => {
    const numbers = new Map<string, number>();
    const domainOfNode = new Int32Array(eligible.length);
    const members: number[][] = [];
    eligible.forEach((placed, index) => {
      const id = domainOf(placed, level);
      let number = numbers.get(id);
      if (number === undefined) {
        number = numbers.size;
        numbers.set(id, number);
        members.push([]);
      }
      domainOfNode[index] = number;
      members[number]?.push(index);
    });
    const domainIds = [...numbers.keys()];
    return {
      domainIds,
      domainHashes: domainIds.map((id) => murmur3(id, HASH_SEED.domain)),
      domainOfNode,
      nodesOfDomain: members.map((list) => Int32Array.from(list)),
      nodesOfDomainByClass: members.map((list) => byClass(list, weightClass, classWeights.length)),
    };
  };
  return {
    version: topology.version,
    nodeIds: eligible.map((placed) => placed.node.id),
    nodeHashes: Int32Array.from(eligible, (placed) => murmur3(placed.node.id, HASH_SEED.node) | 0),
    weights: Float64Array.from(eligible, (placed) => placed.node.weight),
    weightClass,
    classWeights,
    levels: { region: levelOf('region'), zone: levelOf('zone'), node: levelOf('node') },
    allNodesByClass: byClass([...eligible.keys()], weightClass, classWeights.length),
  };
}

/** Splits ascending node numbers into one ascending list per weight class. */
function byClass(
  nodes: readonly number[],
  weightClass: Int32Array,
  classCount: number,
): Int32Array[] {
  return Array.from({ length: classCount }, (_, c) =>
    Int32Array.from(nodes.filter((node) => weightClass[node] === c)),
  );
}
