/**
 * The workloads of the cluster benchmark, each a closed loop of `inflight` concurrent SDK calls
 * (a pool of volume.write or volume.read promises, not the journal: the writes are independent
 * and each one's latency is its own), measured together with what the nodes did meanwhile.
 */
import type { Volume } from '../../client/index.js';
import { scrape, workBetween, type NodeWork } from './node-metrics.js';
import { runLoad, type LoadResult } from './load.js';

/** What every phase uses. */
export interface Workbench {
  volume: Volume;
  /** Admin host:port of every node, by id (a node down is skipped by the scrape). */
  admins: ReadonlyMap<string, string>;
  inflight: number;
  random: () => number;
  /** Blocks written so far (the region overwrites and reads pick from). */
  written: number[];
  /** Payloads of a whole block, never changed (the SDK may resend them). */
  payloads: readonly Buffer[];
}

/** A measured phase. */
export interface Phase {
  load: LoadResult;
  work: NodeWork;
  clientCpuSeconds: number;
  /** When it ran, in microseconds of the monotonic clock (the one V8's CPU profiles stamp). */
  window: { fromMicros: number; toMicros: number };
}

/** Now on the monotonic clock, in microseconds. */
function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Blocks per shuffled chunk of the new-block range (64 stripes of RS(4,2)). */
const NEW_CHUNK_BLOCKS = 256;

/** Runs `body` and records the nodes' work and this process's CPU meanwhile. */
export async function measured(bench: Workbench, body: () => Promise<LoadResult>): Promise<Phase> {
  const before = await scrape(bench.admins);
  const cpuBefore = process.cpuUsage();
  const fromMicros = monotonicMicros();
  const load = await body();
  const toMicros = monotonicMicros();
  const cpu = process.cpuUsage(cpuBefore);
  const after = await scrape(bench.admins);
  return {
    load,
    work: workBetween(before, after),
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    window: { fromMicros, toMicros },
  };
}

/** The nodes' work while nothing is sent to them for `durationMs` (Raft ticks, the detector, polls). */
export async function idle(bench: Workbench, durationMs: number): Promise<NodeWork> {
  const before = await scrape(bench.admins);
  await new Promise((done) => setTimeout(done, durationMs));
  return workBetween(before, await scrape(bench.admins));
}

/**
 * Whole blocks never written, from block `firstBlock` on. In a 'stream' one after another, as a
 * writer appending its data sends them: a stripe's 4 blocks are in flight together, and its
 * owner may carry them in one update. 'Scattered': in chunks of 256 blocks (64 stripes), each
 * written in a shuffled order, so the writes in flight fall on different stripes; every stripe of
 * a finished chunk has had its 4 blocks written (its first-access recovery shared by 4).
 */
export function newBlocks(
  bench: Workbench,
  firstBlock: number,
  durationMs: number,
  order: 'stream' | 'scattered',
): Promise<Phase> {
  const blockBytes = bench.volume.info.blockBytes;
  const chunks: number[][] = [];
  const blockOf = (i: number): number => {
    if (order === 'stream') return firstBlock + i;
    const chunk = Math.floor(i / NEW_CHUNK_BLOCKS);
    while (chunks.length <= chunk) chunks.push(shuffled(NEW_CHUNK_BLOCKS, bench.random));
    return firstBlock + chunk * NEW_CHUNK_BLOCKS + chunks[chunk]![i % NEW_CHUNK_BLOCKS]!;
  };
  return measured(bench, () =>
    runLoad({
      inflight: bench.inflight,
      durationMs,
      operation: (i) => {
        const block = blockOf(i);
        const payload = bench.payloads[i % bench.payloads.length]!;
        return {
          bytes: blockBytes,
          run: async () => {
            await bench.volume.write(block * blockBytes, payload);
            bench.written.push(block);
          },
        };
      },
    }),
  );
}

/**
 * Overwrites of `bytes` (a divisor of the block) at random aligned offsets of written blocks, in
 * the working set.
 */
export function overwrites(bench: Workbench, bytes: number, durationMs: number): Promise<Phase> {
  const blockBytes = bench.volume.info.blockBytes;
  const slots = blockBytes / bytes;
  return measured(bench, () =>
    runLoad({
      inflight: bench.inflight,
      durationMs,
      operation: (i) => {
        const block = pick(bench.written, bench.random);
        const slot = Math.floor(bench.random() * slots);
        const payload = bench.payloads[i % bench.payloads.length]!.subarray(0, bytes);
        return {
          bytes,
          run: () => bench.volume.write(block * blockBytes + slot * bytes, payload),
        };
      },
    }),
  );
}

/** Reads of whole written blocks of the working set, at random. */
export function reads(bench: Workbench, durationMs: number): Promise<Phase> {
  const blockBytes = bench.volume.info.blockBytes;
  return measured(bench, () =>
    runLoad({
      inflight: bench.inflight,
      durationMs,
      operation: () => {
        const block = pick(bench.written, bench.random);
        return {
          bytes: blockBytes,
          run: async () => {
            const bytes = await bench.volume.read(block * blockBytes, blockBytes);
            if (bytes.length !== blockBytes) throw new Error(`short read of block ${block}`);
          },
        };
      },
    }),
  );
}

/**
 * The blocks overwrites and reads pick from: the first WORKING_SET_BLOCKS written. A fixed number,
 * so that how much of it the nodes' caches hold (an owner that knows a block's old bytes updates
 * it in one round, docs/cm.md) does not depend on how fast the earlier phases wrote.
 */
export const WORKING_SET_BLOCKS = 8192;

function pick(values: readonly number[], random: () => number): number {
  if (values.length === 0) throw new Error('no block written yet to pick from');
  return values[Math.floor(random() * Math.min(values.length, WORKING_SET_BLOCKS))]!;
}

/** 0…n-1 in a random order (Fisher–Yates). */
function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
