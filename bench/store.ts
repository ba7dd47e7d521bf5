/**
 * npm run bench:store — fragment writes a second and MB/s with fsync, on the segment store (the
 * default) and on LevelDB: new 64 KiB fragments one at a time and with 16 in flight (group
 * commit), and 64 KiB and 4 KiB overwrites of existing fragments at random with 16 in flight
 * (each reads the old bytes for its delta). The floor, measured in the same run: the same 64 KiB
 * appended to a plain file with an fsync each (one at a time), and with one fsync per 16 (what
 * perfect group commit could reach). Beside each store row, this process's CPU per write. And the
 * same writes to the segment store served by a child process, as a node serves it, through the
 * client a consistency manager uses (the pipe, on its own socket): what the calls add to the
 * store's own work, with both processes' CPU per write (the child runs with a node's heap flags).
 *
 * Environment: BENCH_STORE_MS (default 3000) per row; BENCH_STORE_BACKEND=segments|leveldb runs
 * one backend's rows only.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FragmentClient } from '../node/grpc/fragment-client.js';
import { remoteStore } from '../node/grpc/remote-store.js';
import { STORAGE_NODE_FLAGS } from '../node/runtime/heap-flags.js';
import { FragmentStore, type WriteOutcome } from '../node/store/fragment-store.js';
import { openDatabase, type StoreBackend } from '../node/store/open-database.js';
import { digestOf, type DataWrite } from '../node/store/store-requests.js';
import type { Version } from '../node/store/version.js';
import { emit, ownCpuSeconds, printTable, processCpuSeconds } from './measure.js';

const FRAGMENT_BYTES = 64 << 10;
const DURATION_MS = Number(process.env.BENCH_STORE_MS ?? 3000);
/** Fragments that the overwrite rows write over, at random. */
const OVERWRITTEN_FRAGMENTS = 512;

type Shape = 'new' | 'overwrite';

interface Figure {
  name: string;
  writesPerSecond: number;
  medianMs: number;
  p99Ms: number;
  note: string;
  /** Bytes each write carries. */
  writeBytes: number;
  /** This process's CPU (every thread: the main one, libuv's pool, the kernel) per write. */
  cpuMsPerWrite?: number;
}

function summarize(name: string, latencies: number[], seconds: number, note: string): Figure {
  latencies.sort((a, b) => a - b);
  return {
    name,
    writesPerSecond: latencies.length / seconds,
    medianMs: latencies[Math.floor(latencies.length / 2)] ?? 0,
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    note,
    writeBytes: FRAGMENT_BYTES,
  };
}

async function plainFile(dir: string, perSync: number): Promise<Figure> {
  const file = await open(join(dir, `plain-${perSync}`), 'w');
  const bytes = randomBytes(FRAGMENT_BYTES);
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpuBefore);
  await file.close();
  return {
    ...summarize(
      perSync === 1 ? 'plain file, fsync each' : `plain file, fsync per ${perSync}`,
      latencies,
      seconds,
      'floor',
    ),
    cpuMsPerWrite: (cpu.user + cpu.system) / 1000 / latencies.length,
  };
}

/** Where a row's writes go: a store in this process, or one a child serves over the pipe. */
interface Target {
  writeData(request: DataWrite): Promise<WriteOutcome<object>>;
  /** Groups committed and batches in them; null when the store is in another process. */
  commitStats(): { groups: number; batches: number } | null;
  /** CPU seconds so far: this process's, and the serving child's when there is one. */
  cpuSeconds(): { own: number; server: number | null };
  close(): Promise<void>;
}

async function localTarget(directory: string, backend: StoreBackend): Promise<Target> {
  const fragments = await FragmentStore.open({ db: await openDatabase(backend, directory) });
  return {
    writeData: (request) => fragments.writeData(request),
    commitStats: () => fragments.commitStats,
    cpuSeconds: () => ({ own: ownCpuSeconds(), server: null }),
    close: () => fragments.close(),
  };
}

/**
 * A segment store in a child process, as a node serves it, written through the client a
 * consistency manager uses (remote-store.ts): the delta comes back as its CRC32C, as it does when
 * the owner knows it.
 */
async function remoteTarget(directory: string): Promise<Target> {
  const child = spawn(
    process.execPath,
    [
      // The heap a node runs with (node/runtime/heap-flags.ts), as the cluster benchmark's do.
      ...STORAGE_NODE_FLAGS,
      '--import',
      'tsx',
      fileURLToPath(new URL('./store-server.ts', import.meta.url)),
      directory,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the store server exited (code ${code})`)));
  });
  const client = new FragmentClient(address);
  const port = remoteStore(client);
  return {
    writeData: (request) => port.writeData({ ...request, deltaCrcOnly: true }),
    commitStats: () => null,
    cpuSeconds: () => ({ own: ownCpuSeconds(), server: processCpuSeconds(child.pid) }),
    close: async () => {
      client.close();
      child.stdin?.end();
      await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(0)));
    },
  };
}

async function store(
  dir: string,
  backend: StoreBackend | 'segments over the pipe',
  shape: Shape,
  writeBytes: number,
  inFlight: number,
): Promise<Figure & { perFsync: number | null }> {
  const directory = join(dir, `${backend.replace(/ /g, '-')}-${shape}-${writeBytes}-${inFlight}`);
  const remote = backend === 'segments over the pipe';
  const fragments = remote ? await remoteTarget(directory) : await localTarget(directory, backend);
  const versions = new Map<number, Version>();
  let writerSeq = 0;
  // The writer's digest is the writer's work (the store checks it): computed once per buffer.
  const digests = new WeakMap<Uint8Array, string>();
  const write = async (stripe: number, offset: number, bytes: Uint8Array): Promise<void> => {
    let digest = digests.get(bytes);
    if (!digest) digests.set(bytes, (digest = digestOf(bytes)));
    const expected = versions.get(stripe) ?? { epoch: 0, seq: 0 };
    const next = { epoch: 1, seq: expected.seq + 1 };
    writerSeq++;
    const outcome = await fragments.writeData({
      fragment: { volume: 'bench', stripe, index: 0 },
      blockBytes: FRAGMENT_BYTES,
      expected,
      next,
      offset,
      bytes,
      digest,
      writer: { writerId: 'bench', writerSeq, part: 0, parts: 1, eventTimeMs: writerSeq },
    });
    if (!outcome.ok) throw new Error(`write refused: ${outcome.reason}`);
    versions.set(stripe, next);
  };
  if (shape === 'overwrite')
    for (let stripe = 0; stripe < OVERWRITTEN_FRAGMENTS; stripe++)
      await write(stripe, 0, randomBytes(FRAGMENT_BYTES));
  const before = fragments.commitStats();
  const cpuBefore = fragments.cpuSeconds();
  const bytes = randomBytes(writeBytes);
  const latencies: number[] = [];
  let nextStripe = OVERWRITTEN_FRAGMENTS;
  const start = performance.now();
  // Worker w overwrites only stripes w, w + inFlight, ...: no two writes race for one version.
  const worker = async (w: number): Promise<void> => {
    while (performance.now() - start < DURATION_MS) {
      const began = performance.now();
      if (shape === 'new') await write(nextStripe++, 0, bytes);
      else {
        const slots = Math.floor(OVERWRITTEN_FRAGMENTS / inFlight);
        const stripe = w + inFlight * Math.floor(Math.random() * slots);
        const offset = writeBytes * Math.floor(Math.random() * (FRAGMENT_BYTES / writeBytes));
        await write(stripe, offset, bytes);
      }
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const seconds = (performance.now() - start) / 1000;
  const cpuAfter = fragments.cpuSeconds();
  const after = fragments.commitStats();
  await fragments.close();
  const what = shape === 'new' ? 'new 64 KiB' : `${writeBytes >> 10} KiB overwrites`;
  const msPerWrite = (from: number, to: number): number => (1000 * (to - from)) / latencies.length;
  const ownMs = msPerWrite(cpuBefore.own, cpuAfter.own);
  const serverMs =
    cpuBefore.server === null || cpuAfter.server === null
      ? null
      : msPerWrite(cpuBefore.server, cpuAfter.server);
  const perFsync =
    before && after ? (after.batches - before.batches) / (after.groups - before.groups) : null;
  return {
    ...summarize(
      `${backend}: ${what}, ${inFlight} in flight`,
      latencies,
      seconds,
      perFsync !== null
        ? `${perFsync.toFixed(1)} writes per fsync`
        : `CPU: store's process ${serverMs?.toFixed(3) ?? '?'}, writer's ${ownMs.toFixed(3)}`,
    ),
    perFsync,
    writeBytes,
    ...(remote && serverMs === null ? {} : { cpuMsPerWrite: ownMs + (serverMs ?? 0) }),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-store-'));
  try {
    console.log(
      `store benchmark: 64 KiB fragments, fsync on every commit, ${DURATION_MS / 1000} s per row, in ${tmpdir()}\n`,
    );
    const figures: Figure[] = [await plainFile(dir, 1), await plainFile(dir, 16)];
    const only = process.env.BENCH_STORE_BACKEND;
    for (const backend of (['segments', 'leveldb'] as const).filter(
      (name) => only === undefined || name === only,
    )) {
      figures.push(await store(dir, backend, 'new', FRAGMENT_BYTES, 1));
      figures.push(await store(dir, backend, 'new', FRAGMENT_BYTES, 16));
      figures.push(await store(dir, backend, 'overwrite', FRAGMENT_BYTES, 16));
      figures.push(await store(dir, backend, 'overwrite', 4096, 16));
      if (backend !== 'segments') continue;
      // The same writes to the same store served by another process, as a node's are.
      figures.push(await store(dir, 'segments over the pipe', 'new', FRAGMENT_BYTES, 16));
      figures.push(await store(dir, 'segments over the pipe', 'overwrite', FRAGMENT_BYTES, 16));
      figures.push(await store(dir, 'segments over the pipe', 'overwrite', 4096, 16));
    }
    const floor = figures[0]!.writesPerSecond;
    printTable(
      ['what', 'writes/s', 'MB/s', 'median ms', 'p99 ms', 'vs plain fsync', 'CPU ms/write', 'note'],
      figures.map((figure) => [
        figure.name,
        figure.writesPerSecond.toFixed(0),
        ((figure.writesPerSecond * figure.writeBytes) / 1e6).toFixed(1),
        figure.medianMs.toFixed(2),
        figure.p99Ms.toFixed(2),
        `${(figure.writesPerSecond / floor).toFixed(2)}x`,
        figure.cpuMsPerWrite === undefined ? '' : figure.cpuMsPerWrite.toFixed(3),
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
        value: Number(((figure.writesPerSecond * figure.writeBytes) / 1e6).toFixed(1)),
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
      if (figure.cpuMsPerWrite !== undefined)
        emit({
          bench: 'store',
          name: `${figure.name} CPU per write`,
          value: Number(figure.cpuMsPerWrite.toFixed(3)),
          unit: 'ms',
        });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
