/**
 * Placement throughput: `place` for RS(10,4) on a 300-node, 3-region topology (and RS(4,2) on
 * 36 nodes), `owner` over 12 CMs, each beside a floor measured in the same run: a plain
 * unweighted rendezvous hash that takes the 14 best of one draw per node (what the simplest
 * placement would cost), and the bare hash draws that per-fragment races need (14 × 300).
 * Prints a table, then one JSON line per figure.
 * Run: npm run bench:placement
 */
import {
  defaultRule,
  mix32,
  murmur3,
  owner,
  place,
  validateTopology,
  type CmSet,
  type ErasureScheme,
  type PlacementRule,
  type Topology,
} from '../placement/index.js';

/** How long each figure is measured, after a warm-up of a quarter of that. */
const MEASURE_MS = 1500;

interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** Calls `operation(i)` for i = 0, 1, … for about MEASURE_MS and returns calls per second. */
function rate(operation: (iteration: number) => number): number {
  let sink = 0;
  const warmUntil = performance.now() + MEASURE_MS / 4;
  for (let i = 0; performance.now() < warmUntil; i++) sink += operation(i);
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    for (let batch = 0; batch < 256; batch++) sink += operation(calls++);
    elapsed = performance.now() - start;
  }
  if (sink === 0.5) process.stdout.write('');
  return (calls / elapsed) * 1000;
}

function grid(
  regions: number,
  zones: number,
  nodes: number,
  weightOf: (index: number) => number,
): Topology {
  return validateTopology({
    version: 1,
    regions: Array.from({ length: regions }, (_, r) => ({
      id: `region-${r}`,
      zones: Array.from({ length: zones }, (_, z) => ({
        id: `zone-${r}-${z}`,
        nodes: Array.from({ length: nodes }, (_, n) => ({
          id: `node-${r}-${z}-${n}`,
          weight: weightOf(n),
          state: 'up',
        })),
      })),
    })),
  });
}

function placeRate(topology: Topology, scheme: ErasureScheme, rule: PlacementRule): number {
  return rate((i) => place(`volume/${i}`, topology, scheme, rule).unplaced.length + 1);
}

/** The floor: one unweighted draw per node, keep the `count` highest (no weights, no rule). */
function plainRendezvousRate(nodeIds: readonly string[], count: number): number {
  const hashes = Int32Array.from(nodeIds, (id) => murmur3(id, 1) | 0);
  const best = new Int32Array(count);
  return rate((i) => {
    const stripe = murmur3(`volume/${i}`, 2) | 0;
    best.fill(-0x80000000);
    for (let n = 0; n < hashes.length; n++) {
      const draw = (mix32(stripe ^ hashes[n]!) ^ 0x80000000) | 0;
      if (draw <= best[count - 1]!) continue;
      let slot = count - 1;
      while (slot > 0 && best[slot - 1]! < draw) {
        best[slot] = best[slot - 1]!;
        slot--;
      }
      best[slot] = draw;
    }
    return best[0]!;
  });
}

/** The floor of per-fragment races: `fragments` × `nodes` bare draws, nothing else. */
function bareDrawsRate(nodes: number, fragments: number): number {
  const hashes = Int32Array.from({ length: nodes }, (_, n) => murmur3(`node-${n}`, 1) | 0);
  return rate((i) => {
    let best = 0;
    for (let f = 0; f < fragments; f++) {
      const stream = mix32(i * 31 + f) | 0;
      for (let n = 0; n < nodes; n++) {
        let x = stream ^ hashes[n]!;
        x ^= x >>> 16;
        x = Math.imul(x, 0x7feb352d);
        x ^= x >>> 15;
        x = Math.imul(x, 0x846ca68b);
        x ^= x >>> 16;
        if (x > best) best = x;
      }
    }
    return best;
  });
}

function main(): void {
  const figures: Figure[] = [];
  const large = grid(3, 10, 10, () => 1);
  const largeMixed = grid(3, 10, 10, (n) => [1, 2, 4][n % 3]!);
  const small = grid(3, 3, 4, () => 1);
  const rs104 = { k: 10, m: 4 };
  const rs42 = { k: 4, m: 2 };
  const largeIds = large.regions.flatMap((region) =>
    region.zones.flatMap((zone) => zone.nodes.map((node) => node.id)),
  );

  const placeLarge = placeRate(large, rs104, defaultRule(large, rs104).rule);
  figures.push({ name: 'place RS(10,4) 300 nodes', value: placeLarge, unit: 'placements/s' });
  const placeMixed = placeRate(largeMixed, rs104, defaultRule(largeMixed, rs104).rule);
  figures.push({
    name: 'place RS(10,4) 300 nodes weights 1/2/4',
    value: placeMixed,
    unit: 'placements/s',
  });
  const plain = plainRendezvousRate(largeIds, 14);
  figures.push({
    name: 'floor: plain rendezvous top-14 of 300 nodes',
    value: plain,
    unit: 'placements/s',
  });
  const bare = bareDrawsRate(300, 14);
  figures.push({ name: 'floor: bare draws 14 x 300', value: bare, unit: 'placements/s' });
  figures.push({
    name: 'place RS(10,4) 300 nodes / plain rendezvous',
    value: placeLarge / plain,
    unit: 'ratio',
  });
  figures.push({
    name: 'place RS(10,4) 300 nodes / bare draws',
    value: placeLarge / bare,
    unit: 'ratio',
  });
  figures.push({
    name: 'place RS(4,2) 36 nodes',
    value: placeRate(small, rs42, defaultRule(small, rs42).rule),
    unit: 'placements/s',
  });
  const cmSet: CmSet = {
    epoch: 1,
    managers: Array.from({ length: 12 }, (_, n) => ({
      id: `cm-${n}`,
      weight: 1,
      state: 'up' as const,
    })),
  };
  figures.push({
    name: 'owner 12 CMs',
    value: rate((i) => (owner(`volume/${i}`, cmSet) === null ? 0 : 1)),
    unit: 'owners/s',
  });

  const width = Math.max(...figures.map((figure) => figure.name.length));
  process.stdout.write(
    `${'figure'.padEnd(width)}  ${'value'.padStart(12)}  unit\n${'-'.repeat(width)}  ${'-'.repeat(12)}  ----\n`,
  );
  for (const figure of figures) {
    const value =
      figure.unit === 'ratio'
        ? figure.value.toFixed(3)
        : Math.round(figure.value).toLocaleString('en-US');
    process.stdout.write(`${figure.name.padEnd(width)}  ${value.padStart(12)}  ${figure.unit}\n`);
  }
  process.stdout.write('\n');
  for (const figure of figures) {
    const value =
      figure.unit === 'ratio' ? Number(figure.value.toFixed(4)) : Math.round(figure.value);
    process.stdout.write(
      `${JSON.stringify({ bench: 'placement', name: figure.name, value, unit: figure.unit })}\n`,
    );
  }
}

main();
