/**
 * npm run bench:store — fragment writes a second and MB/s for 64 KiB fragments on LevelDB with
 * fsync, one at a time and with 16 in flight (group commit), against the floor measured in the
 * same run: the same 64 KiB appended to a plain file with an fsync each (one at a time), and
 * with one fsync per 16 (what perfect group commit could reach).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { levelDatabase } from '../node/store/level-backend.js';
import { FragmentStore } from '../node/store/fragment-store.js';
import { digestOf } from '../node/store/store-requests.js';
import { VERSION_ZERO } from '../node/store/version.js';
import { emit, printTable } from './measure.js';

const FRAGMENT_BYTES = 64 << 10;
const DURATION_MS = 3000;

interface Figure {
  name: string;
  writesPerSecond: number;
  medianMs: number;
  p99Ms: number;
  note: string;
}

function summarize(name: string, latencies: number[], seconds: number, note: string): Figure {
  latencies.sort((a, b) => a - b);
  return {
    name,
    writesPerSecond: latencies.length / seconds,
    medianMs: latencies[Math.floor(latencies.length / 2)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    note,
  };
}

async function plainFile(dir: string, perSync: number): Promise<Figure> {
  const file = await open(join(dir, `plain-${perSync}`), 'w');
  const bytes = randomBytes(FRAGMENT_BYTES);
  const latencies: number[] = [];
  const start = performance.now();
  let position = 0;
  while (performance.now() - start < DURATION_MS) {
    const began = performance.now();
    for (let i = 0; i < perSync; i++) {
      await file.write(bytes, 0, FRAGMENT_BYTES, position);
      position += FRAGMENT_BYTES;
    }
    await file.sync();
    const took = performance.now() - began;
    for (let i = 0; i < perSync; i++) latencies.push(took);
  }
  const seconds = (performance.now() - start) / 1000;
  await file.close();
  return summarize(
    perSync === 1 ? 'plain file, fsync each' : `plain file, fsync per ${perSync}`,
    latencies,
    seconds,
    'floor',
  );
}

async function store(dir: string, inFlight: number): Promise<Figure & { perFsync: number }> {
  const db = levelDatabase(join(dir, `store-${inFlight}`));
  const fragments = await FragmentStore.open({ db });
  const bytes = randomBytes(FRAGMENT_BYTES);
  const digest = digestOf(bytes);
  const latencies: number[] = [];
  let stripe = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() - start < DURATION_MS) {
      const began = performance.now();
      const outcome = await fragments.writeData({
        fragment: { volume: 'bench', stripe: stripe++, index: 0 },
        blockBytes: FRAGMENT_BYTES,
        expected: VERSION_ZERO,
        next: { epoch: 1, seq: 1 },
        offset: 0,
        bytes,
        digest,
        writer: { writerId: 'bench', writerSeq: stripe, part: 0, parts: 1, eventTimeMs: stripe },
      });
      if (!outcome.ok) throw new Error(`write refused: ${outcome.reason}`);
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  const { groups, batches } = fragments.commitStats;
  await fragments.close();
  return {
    ...summarize(
      `fragment store, ${inFlight} in flight`,
      latencies,
      seconds,
      `${(batches / groups).toFixed(1)} writes per fsync`,
    ),
    perFsync: batches / groups,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-store-'));
  try {
    console.log(
      `store benchmark: 64 KiB fragments, fsync on every commit, ${DURATION_MS / 1000} s per row, in ${tmpdir()}\n`,
    );
    const figures: Figure[] = [
      await plainFile(dir, 1),
      await plainFile(dir, 16),
      await store(dir, 1),
      await store(dir, 16),
    ];
    const floor = figures[0]!.writesPerSecond;
    printTable(
      ['what', 'writes/s', 'MB/s', 'median ms', 'p99 ms', 'vs plain fsync', 'note'],
      figures.map((figure) => [
        figure.name,
        figure.writesPerSecond.toFixed(0),
        ((figure.writesPerSecond * FRAGMENT_BYTES) / 1e6).toFixed(1),
        figure.medianMs.toFixed(2),
        figure.p99Ms.toFixed(2),
        `${(figure.writesPerSecond / floor).toFixed(2)}x`,
        figure.note,
      ]),
    );
    for (const figure of figures) {
      emit({
        bench: 'store',
        name: `${figure.name} writes`,
        value: Math.round(figure.writesPerSecond),
        unit: 'writes/s',
      });
      emit({
        bench: 'store',
        name: `${figure.name} throughput`,
        value: Number(((figure.writesPerSecond * FRAGMENT_BYTES) / 1e6).toFixed(1)),
        unit: 'MB/s',
      });
      emit({
        bench: 'store',
        name: `${figure.name} latency p50`,
        value: Number(figure.medianMs.toFixed(3)),
        unit: 'ms',
      });
      emit({
        bench: 'store',
        name: `${figure.name} latency p99`,
        value: Number(figure.p99Ms.toFixed(3)),
        unit: 'ms',
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
