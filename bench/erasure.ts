/**
 * npm run bench:erasure — the erasure engine's throughput in MB/s of data, for RS(4,2), RS(6,3),
 * RS(10,4) and RS(17,3) with 64 KiB and 1 MiB shards: encode, reconstruct with m data shards
 * missing, and a single-shard parity update; beside them, in the same run, the floors (memcpy of
 * the same bytes, and a SIMD k-to-1 xor of them) and the peer, @ronomon/reed-solomon (a native
 * addon, where it could be built). Then gfMulXor at 64 KiB and 1 MiB.
 *
 * Shards come from allocateShards (the engine's arena), as the speed targets assume. Prints a
 * table, then one JSON line per figure. Single-threaded: one call at a time.
 */
import { createRequire } from 'node:module';
import { gfMulXor, ReedSolomon } from '../erasure/index.js';
import { SimdKernel } from '../erasure/simd-kernel.js';
import { emit, printTable, throughput, throughputAsync, type Throughput } from './measure.js';

interface Ronomon {
  create(k: number, m: number): unknown;
  encode(
    context: unknown,
    sources: number,
    targets: number,
    buffer: Buffer,
    bufferOffset: number,
    bufferSize: number,
    parity: Buffer,
    parityOffset: number,
    paritySize: number,
    callback: (error?: Error) => void,
  ): void;
}

const SCHEMES: [number, number][] = [
  [4, 2],
  [6, 3],
  [10, 4],
  [17, 3],
];
const SIZES = [64 << 10, 1 << 20];
const sizeName = (bytes: number): string =>
  bytes >= 1 << 20 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`;

function loadRonomon(): Ronomon | undefined {
  try {
    return createRequire(import.meta.url)('@ronomon/reed-solomon') as Ronomon;
  } catch (error) {
    console.log(
      `@ronomon/reed-solomon could not be loaded (${(error as Error).message.split('\n')[0]}); going on without the peer.`,
    );
    return undefined;
  }
}

/** The floors for k shards of `size`: memcpy of the k·size bytes, and k-to-1 xor. */
function floors(k: number, size: number): { memcpy: Throughput; xor: Throughput } {
  const source = Buffer.alloc(k * size, 1);
  const target = Buffer.alloc(k * size);
  const memcpy = throughput(k * size, () => void source.copy(target));
  const kernel = new SimdKernel(k * size + (size + 4096) + (1 << 20), 1 << 20, 'simd128');
  const inputs = Array.from({ length: k }, () => kernel.arena.allocateView(size).fill(3));
  const output = kernel.arena.allocateView(size);
  const xor = throughput(k * size, () => kernel.xor(inputs, output));
  return { memcpy, xor };
}

async function ronomonFigures(
  peer: Ronomon,
  k: number,
  m: number,
  size: number,
): Promise<{ encode: Throughput; reconstruct: Throughput; update: Throughput }> {
  const context = peer.create(k, m);
  const buffer = Buffer.alloc(size * k, 5);
  const parity = Buffer.alloc(size * m);
  const all = (from: number, to: number): number =>
    Array.from({ length: to - from }, (_, i) => 1 << (from + i)).reduce((a, b) => a | b, 0);
  const run = (sources: number, targets: number) => (): Promise<void> =>
    new Promise((resolve, reject) =>
      peer.encode(context, sources, targets, buffer, 0, size * k, parity, 0, size * m, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  const encode = await throughputAsync(k * size, run(all(0, k), all(k, k + m)));
  const lost = all(0, m);
  const reconstruct = await throughputAsync(k * size, run(all(0, k + m) & ~lost, lost));
  // No update call: a changed shard means encoding the stripe again; count the shard's bytes.
  const update = await throughputAsync(size, run(all(0, k), all(k, k + m)));
  return { encode, reconstruct, update };
}

async function main(): Promise<void> {
  const peer = loadRonomon();
  const simdKernel = new ReedSolomon(1, 1).kernelName;
  console.log(
    `erasure benchmark: node ${process.version}, fast kernel ${simdKernel}, one thread; MB/s = 10^6 bytes of data a second (median of 7 rounds)\n`,
  );
  const rows: string[][] = [];
  const figure = (
    name: string,
    subject: string,
    value: Throughput,
    extra: Record<string, string | number> = {},
  ): void =>
    emit({
      bench: 'erasure',
      name,
      subject,
      value: Math.round(value.medianMBps),
      best: Math.round(value.bestMBps),
      unit: 'MB/s',
      ...extra,
    });

  for (const [k, m] of SCHEMES) {
    for (const size of SIZES) {
      const shape = `RS(${k},${m}) ${sizeName(size)}`;
      const rs = new ReedSolomon(k, m, { arenaBytes: 2 * (k + m) * (size + 64) + (1 << 20) });
      const portable = new ReedSolomon(k, m, {
        kernel: 'portable',
        arenaBytes: (k + m) * (size + 64) + (1 << 20),
      });
      const shards = rs.allocateShards(size);
      shards.slice(0, k).forEach((shard, index) => shard.fill(index * 37 + 1));
      const plain = portable.allocateShards(size);
      const delta = rs.allocateShards(size)[0]!.fill(0x5c);
      const missing = Array.from({ length: m }, (_, index) => index).filter((index) => index < k);

      const encode = throughput(k * size, () => rs.encode(shards));
      const encodePortable = throughput(k * size, () => portable.encode(plain));
      const reconstruct = throughput(k * size, () => rs.reconstructInto(shards, missing));
      const update = throughput(size, () => rs.updateParity(shards.slice(k), 0, delta, 0));
      const floor = floors(k, size);
      const peerFigures = peer ? await ronomonFigures(peer, k, m, size) : undefined;

      const ratio = (ours: Throughput, theirs?: Throughput): string =>
        theirs ? `${(ours.medianMBps / theirs.medianMBps).toFixed(2)}x` : 'n/a';
      const mbps = (value?: Throughput): string => (value ? value.medianMBps.toFixed(0) : 'n/a');
      rows.push([
        shape,
        'encode',
        mbps(encode),
        mbps(encodePortable),
        mbps(peerFigures?.encode),
        ratio(encode, peerFigures?.encode),
        mbps(floor.memcpy),
        mbps(floor.xor),
      ]);
      rows.push([
        shape,
        `reconstruct ${missing.length} data`,
        mbps(reconstruct),
        '',
        mbps(peerFigures?.reconstruct),
        ratio(reconstruct, peerFigures?.reconstruct),
        '',
        '',
      ]);
      rows.push([
        shape,
        'update 1 shard',
        mbps(update),
        '',
        mbps(peerFigures?.update),
        ratio(update, peerFigures?.update),
        '',
        '',
      ]);

      figure(`encode ${shape}`, 'tessera', encode, { kernel: simdKernel });
      figure(`encode ${shape}`, 'tessera', encodePortable, { kernel: 'portable' });
      figure(`reconstruct ${missing.length} data ${shape}`, 'tessera', reconstruct, {
        kernel: simdKernel,
      });
      figure(`update parity 1 shard ${shape}`, 'tessera', update, { kernel: simdKernel });
      figure(`memcpy ${k}x${sizeName(size)}`, 'floor', floor.memcpy);
      figure(`xor ${k}-to-1 ${sizeName(size)}`, 'floor', floor.xor);
      if (peerFigures) {
        figure(`encode ${shape}`, '@ronomon/reed-solomon', peerFigures.encode);
        figure(
          `reconstruct ${missing.length} data ${shape}`,
          '@ronomon/reed-solomon',
          peerFigures.reconstruct,
        );
        figure(
          `update parity 1 shard ${shape} (re-encode)`,
          '@ronomon/reed-solomon',
          peerFigures.update,
        );
      }
    }
  }

  const gfRows: string[][] = [];
  for (const size of SIZES) {
    const rs = new ReedSolomon(1, 1, { arenaBytes: 2 * size + (1 << 20) });
    const [target, source] = rs.allocateShards(size) as [Uint8Array, Uint8Array];
    source.fill(0x33);
    const arena = throughput(size, () => gfMulXor(target, source, 0x8e));
    const plainTarget = new Uint8Array(size);
    const plainSource = new Uint8Array(size).fill(0x33);
    const staged = throughput(size, () => gfMulXor(plainTarget, plainSource, 0x8e));
    const copyTarget = Buffer.alloc(size);
    const copySource = Buffer.alloc(size, 1);
    const memcpy = throughput(size, () => void copySource.copy(copyTarget));
    gfRows.push([
      `gfMulXor ${sizeName(size)}`,
      arena.medianMBps.toFixed(0),
      staged.medianMBps.toFixed(0),
      memcpy.medianMBps.toFixed(0),
    ]);
    figure(`gfMulXor ${sizeName(size)}`, 'tessera', arena, { kernel: simdKernel, shards: 'arena' });
    figure(`gfMulXor ${sizeName(size)} ordinary arrays`, 'tessera', staged, {
      kernel: simdKernel,
      shards: 'staged',
    });
    figure(`memcpy ${sizeName(size)}`, 'floor', memcpy);
  }

  console.log('');
  printTable(
    [
      'shape',
      'operation',
      `tessera ${simdKernel}`,
      'portable',
      '@ronomon',
      'ratio',
      'memcpy',
      'xor k->1',
    ],
    rows,
  );
  console.log('');
  printTable(['operation', 'arena MB/s', 'ordinary arrays MB/s', 'memcpy MB/s'], gfRows);
}

await main();
