/**
 * The rendezvous races that placement is built from. Every (fragment, node) pair of a stripe
 * has a straw2 score ln(u)/weight, u a fixed hash of the fragment's stream and the node's id;
 * fragments take nodes greedily in order of score, best pair first, each node at most once and
 * no failure domain above its cap. Because a pair's score depends on nothing but that fragment
 * and that node, adding, removing or reweighting one node changes only the pairs that involve
 * it: that is where minimal movement comes from.
 */
import type { CompiledTopology } from './compiled-topology.js';
import { draw32, straw2Score } from './hash.js';

/** The caps of one failure level during a race: a domain stops taking nodes at `cap`. */
export interface DomainCaps {
  readonly domainOfNode: Int32Array;
  readonly nodesOfDomain: readonly Int32Array[];
  readonly count: number[];
  readonly cap: number;
}

/** Nothing found: no candidate is free. */
const NONE = -1;

const INT32_MIN = -0x80000000;

/**
 * Scratch arrays reused by every race. Typed arrays above 64 bytes live outside the JS heap
 * and cost about a microsecond each to allocate and free, several times the race itself for a
 * small stripe; placement is synchronous and never re-entered, so one set serves all calls.
 */
const scratch = {
  used: new Uint8Array(0),
  blocked: new Uint8Array(0),
  freeNodes: new Int32Array(0),
  freeHashes: new Int32Array(0),
};

/**
 * A zeroed "taken" flag per node for one placement, shared by the races of that placement:
 * valid until the next call (placement is synchronous and never re-entered).
 */
export function clearedUsed(nodeCount: number): Uint8Array {
  const used = scratchFor(nodeCount).used;
  used.fill(0, 0, nodeCount);
  return used;
}

function scratchFor(nodeCount: number): typeof scratch {
  if (scratch.blocked.length < nodeCount) {
    const size = Math.max(nodeCount, scratch.blocked.length * 2);
    scratch.used = new Uint8Array(size);
    scratch.blocked = new Uint8Array(size);
    scratch.freeNodes = new Int32Array(size);
    scratch.freeHashes = new Int32Array(size);
  }
  return scratch;
}

/** The winning draw of the last `scanFree`, as int32 with the sign bit flipped. */
const scanDraw = new Int32Array(1);

/**
 * The index of the highest draw of `stream` against `hashes[0…count-1]` (ties to the lower
 * index); the draw itself goes to `scanDraw[0]`. A leaf of its own so that the JIT keeps this,
 * the fragments × nodes loop, in registers.
 */
function scanFree(stream: number, hashes: Int32Array, count: number): number {
  let bestDraw = -0x80000000;
  let bestIndex = 0;
  // Descending with >=: ties go to the lower index, and any draw beats the initial value.
  for (let i = count - 1; i >= 0; i--) {
    let x = stream ^ hashes[i]!;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= (x >>> 16) ^ -0x80000000;
    if (x >= bestDraw) {
      bestDraw = x;
      bestIndex = i;
    }
  }
  scanDraw[0] = bestDraw;
  return bestIndex;
}

/**
 * The best free candidate of every stream in `streams`: for each, the node with the highest
 * straw2 score among the candidates (given per weight class, each list ascending) that is not
 * `blocked` (taken, or its domain at its cap), written to `bestNode`/`bestScore` (NONE and
 * -Infinity when none is free). Within a weight class the highest draw has the highest score,
 * so per class the free candidates' hashes are copied into one dense array and `scanFree`
 * compares integers; one logarithm is taken per class and stream. Ties go to the lower node.
 */
function bestFree(
  topology: CompiledTopology,
  streams: readonly number[],
  candidatesByClass: readonly Int32Array[],
  blocked: Uint8Array,
  bestNode: Int32Array,
  bestScore: number[],
): void {
  bestNode.fill(NONE);
  bestScore.fill(-Infinity);
  const { freeNodes, freeHashes } = scratch;
  for (let c = 0; c < candidatesByClass.length; c++) {
    const candidates = candidatesByClass[c]!;
    let freeCount = 0;
    for (let i = 0; i < candidates.length; i++) {
      const node = candidates[i]!;
      if (blocked[node] !== 0) continue;
      freeNodes[freeCount] = node;
      freeHashes[freeCount++] = topology.nodeHashes[node]!;
    }
    if (freeCount === 0) continue;
    const weight = topology.classWeights[c]!;
    for (let f = 0; f < streams.length; f++) {
      const node = freeNodes[scanFree(streams[f]! | 0, freeHashes, freeCount)]!;
      const score = straw2Score((scanDraw[0]! ^ INT32_MIN) >>> 0, weight);
      if (score > bestScore[f]! || (score === bestScore[f]! && node < bestNode[f]!)) {
        bestNode[f] = node;
        bestScore[f] = score;
      }
    }
  }
}

/**
 * Matches fragments to candidate nodes, best (fragment, node) pair first: the unique greedy
 * matching over pair scores. Each fragment caches its best free pair; the fragment whose cached
 * pair is highest takes it if the node is still free and its domain below cap, else looks
 * again (its best can only have got worse, so the result equals the full greedy over all
 * pairs). Returns, per fragment in `streams` order, the node number or NONE when nothing was
 * free. Marks taken nodes in `used` and counts them in `caps`.
 */
export function matchFragments(
  topology: CompiledTopology,
  streams: readonly number[],
  candidatesByClass: readonly Int32Array[],
  used: Uint8Array,
  caps?: DomainCaps,
): Int32Array {
  const count = streams.length;
  const taken = new Int32Array(count).fill(NONE);
  const bestNode = new Int32Array(count);
  const bestScore = new Array<number>(count).fill(-Infinity);
  const rescanNode = new Int32Array(1);
  const rescanScore = [-Infinity];
  const blocked = scratchFor(used.length).blocked;
  blocked.set(used);
  if (caps !== undefined) blockFullDomains(caps, blocked);
  bestFree(topology, streams, candidatesByClass, blocked, bestNode, bestScore);
  for (let remaining = count; remaining > 0;) {
    const f = highestPending(taken, bestNode, bestScore);
    if (f === NONE) break;
    const node = bestNode[f] ?? NONE;
    if (blocked[node] === 0) {
      taken[f] = node;
      used[node] = 1;
      blocked[node] = 1;
      if (caps !== undefined) addToDomain(caps, node, blocked);
      remaining--;
    } else {
      bestFree(topology, [streams[f]!], candidatesByClass, blocked, rescanNode, rescanScore);
      bestNode[f] = rescanNode[0]!;
      bestScore[f] = rescanScore[0]!;
    }
  }
  return taken;
}

function highestPending(
  taken: Int32Array,
  bestNode: Int32Array,
  bestScore: readonly number[],
): number {
  let chosen = NONE;
  let chosenScore = -Infinity;
  for (let f = 0; f < taken.length; f++) {
    if (taken[f] !== NONE || bestNode[f] === NONE) continue;
    const score = bestScore[f] ?? -Infinity;
    if (chosen === NONE || score > chosenScore) {
      chosen = f;
      chosenScore = score;
    }
  }
  return chosen;
}

/**
 * Assigns fragments to `slotHashes` without weights, best (fragment, slot) draw first, each
 * slot once. Used when the rule fixes how many fragments each domain gets, so that weights,
 * which cannot change those counts, cannot reshuffle which fragment goes to which domain
 * either. Returns the slot number per fragment, or NONE where slots ran out.
 */
export function matchSlots(streams: readonly number[], slotHashes: readonly number[]): Int32Array {
  const taken = new Int32Array(streams.length).fill(NONE);
  const slotTaken = new Uint8Array(slotHashes.length);
  const rounds = Math.min(streams.length, slotHashes.length);
  for (let round = 0; round < rounds; round++) {
    let bestFragment = NONE;
    let bestSlot = NONE;
    let bestDraw = -1;
    for (let f = 0; f < streams.length; f++) {
      if (taken[f] !== NONE) continue;
      for (let s = 0; s < slotHashes.length; s++) {
        if (slotTaken[s] === 1) continue;
        const draw = draw32(streams[f] ?? 0, slotHashes[s] ?? 0);
        if (draw > bestDraw) {
          bestDraw = draw;
          bestFragment = f;
          bestSlot = s;
        }
      }
    }
    taken[bestFragment] = bestSlot;
    slotTaken[bestSlot] = 1;
  }
  return taken;
}

/** The node number of "no node": a fragment that could not be placed. */
export { NONE as NO_NODE };

/** Counts a taken node in its domain; when the domain reaches its cap, blocks its other nodes. */
function addToDomain(caps: DomainCaps, node: number, blocked: Uint8Array): void {
  const domain = caps.domainOfNode[node]!;
  caps.count[domain] = caps.count[domain]! + 1;
  if (caps.count[domain] < caps.cap) return;
  for (const member of caps.nodesOfDomain[domain]!) blocked[member] = 1;
}

/** Blocks the nodes of domains already at their cap. */
function blockFullDomains(caps: DomainCaps, blocked: Uint8Array): void {
  caps.count.forEach((count, domain) => {
    if (count >= caps.cap) for (const member of caps.nodesOfDomain[domain]!) blocked[member] = 1;
  });
}
