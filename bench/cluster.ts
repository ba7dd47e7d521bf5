/**
 * npm run bench:cluster — a real 6-node local cluster (6 `tessera node start` processes, 3
 * regions, 127.0.0.1, a temporary directory) written through the client SDK with 16 writes in
 * flight (a pool of 16 concurrent volume.write promises) on a volume RS(4,2) of 64 KiB blocks:
 * new blocks, random 64 KiB and 4 KiB overwrites, reads, reads and writes with one node killed,
 * and the repair queue draining after its restart. Beside them, the floor measured in the same
 * run (raw gRPC between two local processes, divided by what each operation moves), the issue's
 * targets and Ceph's figures, and per workload what the nodes did: gRPC calls per operation by
 * method, Raft entries, CPU. Every process is stopped and the directory removed at the end, on a
 * failure and on Ctrl-C.
 *
 * Environment: BENCH_CLUSTER_TIME_SCALE (default 1) scales every phase's duration (the whole
 * run takes about 2.5 minutes at 1); BENCH_CLUSTER_FROM=dist runs the nodes from bin/tessera.js
 * (dist/, which may be older than the source) instead of the source through tsx;
 * BENCH_CLUSTER_CPU_PROF=DIR writes a CPU profile of every node that stops cleanly into DIR, over
 * its whole life (summarise with `node --import tsx bench/cluster/profile-summary.ts DIR`);
 * BENCH_CLUSTER_KEEP=1 keeps the cluster's directory (its node.log files).
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { connect, type Cluster, type Volume } from '../client/index.js';
import { stripeKey } from '../placement/index.js';
import { ownerNow } from '../node/cm/owned-stripe.js';
import { failAndRebuild, type FailureReport } from './cluster/failure.js';
import { measureGrpcFloor, type GrpcFloor } from './cluster/floor.js';
import { seededRandom } from './cluster/load.js';
import { LocalRun, StopWaiting, waitFor } from './cluster/local-run.js';
import { idle, newBlocks, overwrites, reads, type Workbench } from './cluster/phases.js';
import {
  emitAll,
  printFailure,
  printFigures,
  printFloors,
  printIdle,
  printTargets,
  printWork,
  type Row,
} from './cluster/report.js';
import type { NodeWork } from './cluster/node-metrics.js';
import { readTraffic, remoteShares, updateTraffic, type RemoteShares } from './cluster/traffic.js';

const NODES = 6;
const REGIONS = 3;
const TICK_MS = 100;
const K = 4;
const M = 2;
const BLOCK_BYTES = 64 << 10;
const SMALL_BYTES = 4 << 10;
const INFLIGHT = 16;
const SEED = 20261125;
const VOLUME = 'bench';

const SCALE = Number(process.env.BENCH_CLUSTER_TIME_SCALE ?? 1);
const ms = (base: number): number => Math.max(500, Math.round(base * SCALE));
const PHASE_MS = {
  floorStream: ms(3000),
  floorUnary: ms(2000),
  newBlocks: ms(15_000),
  newBlocksScattered: ms(10_000),
  overwrite: ms(12_000),
  reads: ms(5000),
  idle: ms(3000),
  degradedReads: ms(8000),
  downWrites: ms(8000),
  // The sweep verifies every stripe with a fragment on the restarted node (about 75 a second
  // here): with new blocks going faster since stripes are known empty, 3,000 and more of them.
  rebuildMax: Math.max(10_000, ms(90_000)),
  /** Each workload, untimed, before any is measured (warmUp). */
  warmUp: ms(3000),
};
const READY_MS_MAX = 120_000;
/** Where the scattered new blocks go (past what the stream can reach in its phase). */
const SCATTERED_BLOCK_FIRST = 500_000;
/** Where the warm-up writes go (far from the measured range). */
const WARMUP_STRIPE_FIRST = 1_000_000;
const WARMUP_STRIPES_PER_CM = 4;
/** Where the warm-up's workloads write (past the stripes above). */
const WARMUP_BLOCK_FIRST = (WARMUP_STRIPE_FIRST + 100_000) * K;

async function main(): Promise<void> {
  const profileDir = process.env.BENCH_CLUSTER_CPU_PROF
    ? resolve(process.env.BENCH_CLUSTER_CPU_PROF)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const run = await LocalRun.create({
    nodes: NODES,
    regions: REGIONS,
    tickMs: TICK_MS,
    profileDir,
  });
  let floorChild: ChildProcess | undefined;
  const interrupt = (): void => {
    floorChild?.kill('SIGKILL');
    run.killAllNow();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  process.once('exit', () => run.killAllNow());
  let cluster: Cluster | undefined;
  try {
    console.log(
      `cluster benchmark: ${NODES} nodes in ${REGIONS} regions on 127.0.0.1, RS(${K},${M}) ${BLOCK_BYTES >> 10} KiB blocks, ${INFLIGHT} in flight (a pool of volume.write/read promises), nodes run from the ${LocalRun.codeFrom}; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; in ${run.dir}\n`,
    );
    const floor = await measureGrpcFloor({
      streamMs: PHASE_MS.floorStream,
      unaryMs: PHASE_MS.floorUnary,
      unaryPayloads: [BLOCK_BYTES, SMALL_BYTES],
      inflight: INFLIGHT,
      onChild: (child) => (floorChild = child),
    });
    cluster = await startCluster(run);
    const measured = await measureAll(run, cluster);
    report(measured.rows, floor, measured.failure, measured.idles);
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
    await cluster?.close();
    await run.stopAll();
    run.remove();
  }
}

/** Starts the nodes, waits until they serve, connects and creates the volume; warms it up. */
async function startCluster(run: LocalRun): Promise<Cluster> {
  const started = performance.now();
  run.startAll();
  await waitReady(run);
  console.log(`cluster ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const cluster = await connect({ seeds: run.liveAddresses() });
  const info = await cluster.createVolume(VOLUME, { k: K, m: M, blockBytes: BLOCK_BYTES });
  console.log(`volume ${VOLUME}: write quorum ${info.writeQuorum}; ${info.ruleReason}`);
  await warmUp(run, await cluster.openVolume(VOLUME));
  return cluster;
}

/** Every workload in turn, then the failure; the rows of the report. */
async function measureAll(
  run: LocalRun,
  cluster: Cluster,
): Promise<{ rows: Row[]; failure: FailureReport; idles: [string, NodeWork][] }> {
  const volume = await cluster.openVolume(VOLUME);
  const bench: Workbench = {
    volume,
    admins: new Map(run.layout.nodes.map((node) => [node.id, node.admin])),
    inflight: INFLIGHT,
    random: seededRandom(SEED),
    written: [],
    payloads: Array.from({ length: 17 }, () => randomBytes(BLOCK_BYTES)),
  };
  const say = (what: string): void => console.log(`measuring ${what}…`);
  say('the idle cluster');
  const idleEmpty = await idle(bench, PHASE_MS.idle);
  say('new 64 KiB blocks, a stream in order');
  const fresh = await newBlocks(bench, 0, PHASE_MS.newBlocks, 'stream');
  say('new 64 KiB blocks, scattered');
  const scattered = await newBlocks(
    bench,
    SCATTERED_BLOCK_FIRST,
    PHASE_MS.newBlocksScattered,
    'scattered',
  );
  say('random 64 KiB overwrites');
  const big = await overwrites(bench, BLOCK_BYTES, PHASE_MS.overwrite);
  say('random 4 KiB overwrites');
  const small = await overwrites(bench, SMALL_BYTES, PHASE_MS.overwrite);
  say('64 KiB reads');
  const healthyReads = await reads(bench, PHASE_MS.reads);
  say('the idle cluster, with data');
  const idleFull = await idle(bench, PHASE_MS.idle);
  const shares = await sharesOf(run, bench);
  say('one node killed: degraded reads, writes, restart and rebuild');
  const failure = await failAndRebuild(bench, run, cluster, {
    degradedMs: PHASE_MS.degradedReads,
    downWritesMs: PHASE_MS.downWrites,
    rebuildMsMax: PHASE_MS.rebuildMax,
  });
  const rows: Row[] = [
    {
      name: 'new 64 KiB blocks',
      phase: fresh,
      payloadBytes: BLOCK_BYTES,
      traffic: updateTraffic(shares, K),
      target: { mibPerSecond: 54, p99MsBelow: 50 },
      ceph: '~27 MiB/s, 430 writes/s (new 64 KiB objects)',
    },
    {
      name: 'new 64 KiB blocks, scattered',
      phase: scattered,
      payloadBytes: BLOCK_BYTES,
      traffic: updateTraffic(shares),
    },
    {
      name: 'random 64 KiB overwrites',
      phase: big,
      payloadBytes: BLOCK_BYTES,
      traffic: updateTraffic(shares),
      target: { perSecond: 600, p99MsBelow: 50 },
      ceph: '~300/s, p99 106 ms',
    },
    {
      name: 'random 4 KiB overwrites',
      phase: small,
      payloadBytes: SMALL_BYTES,
      traffic: updateTraffic(shares),
      target: { perSecond: 480, p99MsBelow: 50 },
      ceph: '~240/s, p99 134 ms',
    },
    {
      name: '64 KiB reads',
      phase: healthyReads,
      payloadBytes: BLOCK_BYTES,
      traffic: readTraffic(shares),
    },
    { name: '64 KiB reads, 1 node down', phase: failure.degradedReads, payloadBytes: BLOCK_BYTES },
    {
      name: '64 KiB overwrites, 1 node down',
      phase: failure.downWrites,
      payloadBytes: BLOCK_BYTES,
    },
  ];
  const idles: [string, NodeWork][] = [
    ['idle, empty volume', idleEmpty],
    [`idle, ${bench.written.length} blocks written`, idleFull],
  ];
  return { rows, failure, idles };
}

/** Where the fragments of the stripes written sit relative to their owners (for the floor). */
async function sharesOf(run: LocalRun, bench: Workbench): Promise<RemoteShares> {
  const { map } = await run.view();
  const record = map.volumes.find((candidate) => candidate.name === VOLUME)!;
  const stripes = [...new Set(bench.written.map((block) => Math.floor(block / K)))];
  const shares = remoteShares(map, record, stripes.slice(0, 4096));
  if (shares.sharedNodeStripes > 0)
    console.log(`note: ${shares.sharedNodeStripes} stripes have two fragments on one node`);
  return shares;
}

function report(
  rows: Row[],
  floor: GrpcFloor,
  failure: FailureReport,
  idles: [string, NodeWork][],
): void {
  console.log('');
  printFigures(rows);
  console.log('\nagainst the issue (and Ceph 16 on this machine):\n');
  printTargets(rows);
  console.log(
    `\nthe floor: raw gRPC between two local Node.js processes, one stream of 64 KiB messages ${floor.streamMBps.toFixed(0)} MB/s one way; unary with ${floor.inflight} in flight ${[...floor.unaryCallsPerSecond].map(([bytes, calls]) => `${calls.toFixed(0)} calls/s at ${bytes >> 10} KiB (${floor.unaryCpuMsPerCall.get(bytes)?.toFixed(2) ?? '?'} CPU ms a call, both processes)`).join(', ')}; divided by what each operation moves between processes:\n`,
  );
  printFloors(rows, floor);
  console.log(
    `\nthe same calls through Tessera's pipe (proto/pipe.ts) on its socket, as nodes and the SDK send theirs: ${[...floor.pipeCallsPerSecond].map(([bytes, calls]) => `${calls.toFixed(0)} calls/s at ${bytes >> 10} KiB (${floor.pipeCpuMsPerCall.get(bytes)?.toFixed(2) ?? '?'} CPU ms a call, against ${floor.unaryCpuMsPerCall.get(bytes)?.toFixed(2) ?? '?'} unary)`).join(', ')}`,
  );
  console.log(
    `the same calls as bare frames on one TCP socket (the peer: no gRPC at all): ${[...floor.rawCallsPerSecond].map(([bytes, calls]) => `${calls.toFixed(0)} calls/s at ${bytes >> 10} KiB (${floor.rawCpuMsPerCall.get(bytes)?.toFixed(2) ?? '?'} CPU ms a call)`).join(', ')}`,
  );
  console.log('\none node down and back:\n');
  printFailure(failure);
  console.log(
    '\nwhere the work goes (gRPC calls served by all nodes per operation; a CM calling its own node’s store, and Raft messages, are not counted):\n',
  );
  printWork(rows);
  console.log('\nin the background (no load):\n');
  printIdle(idles);
  if (process.env.BENCH_CLUSTER_CPU_PROF) {
    console.log('\nprofile windows (bench/cluster/profile-summary.ts --window):\n');
    for (const row of rows)
      console.log(`  ${row.name}: ${row.phase.window.fromMicros}:${row.phase.window.toMicros}`);
  }
  console.log('');
  console.log(`load average at the end: ${loadavg()[0]!.toFixed(1)} (${cpus().length} cores)\n`);
  emitAll(rows, floor, failure);
}

/** Every node in the map and up, every CM started (cm_started applied), a leader known. */
async function waitReady(run: LocalRun): Promise<void> {
  await waitFor(
    'every node up in the map with its CM started',
    READY_MS_MAX,
    async () => {
      const crashed = run.crashed();
      if (crashed)
        throw new StopWaiting(`node ${crashed} exited; see ${run.dir}/${crashed}/node.log`);
      const { map, leaderRaftId } = await run.view();
      const ready =
        leaderRaftId !== 0 &&
        map.members.length === NODES &&
        map.members.every((member) => member.state === 'up' && (member.incarnation ?? 0) >= 1);
      return ready ? true : undefined;
    },
    250,
  );
}

/**
 * Writes a few stripes owned by each CM (untimed) until every write lands: every CM serves (its
 * writes stop answering UNAVAILABLE "the consistency manager is starting"). Then runs each
 * workload for a few seconds, untimed, far from the measured blocks, so that the code each one
 * runs is compiled before it is measured (V8 optimises a function only once it is hot; a node
 * just started still compiles at a tenth of the machine's CPU).
 */
async function warmUp(run: LocalRun, volume: Volume): Promise<void> {
  const { map } = await run.view();
  const perOwner = new Map<string, number[]>();
  for (
    let stripe = WARMUP_STRIPE_FIRST;
    perOwner.size < NODES ||
    [...perOwner.values()].some((list) => list.length < WARMUP_STRIPES_PER_CM);
    stripe++
  ) {
    const owner = ownerNow(map, stripeKey(volume.name, stripe));
    if (!owner) continue;
    const list = perOwner.get(owner) ?? [];
    if (list.length < WARMUP_STRIPES_PER_CM) list.push(stripe);
    perOwner.set(owner, list);
  }
  const payload = randomBytes(volume.info.blockBytes);
  const stripes = [...perOwner.values()].flat();
  await Promise.all(stripes.map((stripe) => volume.write(stripe * volume.stripeBytes, payload)));
  console.log('warming up: every workload in turn, untimed…');
  const bench: Workbench = {
    volume,
    admins: new Map(),
    inflight: INFLIGHT,
    random: seededRandom(SEED + 1),
    written: [],
    payloads: Array.from({ length: 17 }, () => randomBytes(volume.info.blockBytes)),
  };
  await newBlocks(bench, WARMUP_BLOCK_FIRST, PHASE_MS.warmUp, 'stream');
  await newBlocks(bench, WARMUP_BLOCK_FIRST + SCATTERED_BLOCK_FIRST, PHASE_MS.warmUp, 'scattered');
  await overwrites(bench, BLOCK_BYTES, PHASE_MS.warmUp);
  await overwrites(bench, SMALL_BYTES, PHASE_MS.warmUp);
  await reads(bench, PHASE_MS.warmUp);
}

await main();
