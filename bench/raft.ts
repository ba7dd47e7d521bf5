/**
 * `npm run bench:raft`: a three-member Raft group in one process, each member on its own
 * durable segment log on this machine's disk. Measures, in the same run, the floor (one small
 * write + fdatasync, what one commit must wait for at least), then commits a second and median
 * and 99th-percentile commit latency with 1 proposer and with 64 concurrent proposers; and, for
 * docs/raft.md, the same synced append on classic-level (LevelDB) beside the segment log.
 * Prints a table and one JSON line per figure.
 */
import { constants } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { encodeKvCommand, encodeRecord } from '../consensus/index.js';
import { LocalGroup } from '../node/raft/local-group.js';
import { SegmentLog } from '../node/raft/segment-log.js';

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const figures: Figure[] = [];
const record = (name: string, value: number, unit: string): void => {
  figures.push({ name, value, unit });
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summarize(samplesMs: number[]): { p50: number; p99: number } {
  samplesMs.sort((a, b) => a - b);
  return { p50: percentile(samplesMs, 50), p99: percentile(samplesMs, 99) };
}

const COMMAND_BYTES = 100;
const command = (proposer: number, n: number): Uint8Array =>
  encodeKvCommand({
    op: 'put',
    key: `key-${proposer}`,
    value: `${n}`.padEnd(COMMAND_BYTES - 40, '.'),
  });

/**
 * The floor: one 100-byte durable append to a plain file, one at a time, done the two ways the
 * platform offers (write then fdatasync; one write on a file opened with O_DSYNC).
 */
async function measureFsync(
  dir: string,
  samples: number,
  dsync: boolean,
): Promise<{ p50: number; p99: number }> {
  const flags =
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (dsync ? constants.O_DSYNC : 0);
  const file = await open(join(dir, `fsync-probe-${dsync}`), flags);
  const bytes = new Uint8Array(COMMAND_BYTES);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i += 1) {
      const started = performance.now();
      await file.write(bytes);
      if (!dsync) await file.datasync();
      if (i >= 20) times.push(performance.now() - started);
    }
  } finally {
    await file.close();
  }
  return summarize(times);
}

/**
 * The floor a three-member group on one disk actually faces: three members write at once, and a
 * commit needs two of the three writes. The p50 of the second completion among three concurrent
 * O_DSYNC writes to three files.
 */
async function measureSharedDiskFloor(
  dir: string,
  samples: number,
): Promise<{ p50: number; p99: number }> {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;
  const files = await Promise.all(
    [0, 1, 2].map((i) => open(join(dir, `shared-probe-${i}`), flags)),
  );
  const bytes = new Uint8Array(COMMAND_BYTES);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i += 1) {
      const started = performance.now();
      const ends: number[] = [];
      await Promise.all(
        files.map((file) => file.write(bytes).then(() => ends.push(performance.now() - started))),
      );
      ends.sort((a, b) => a - b);
      if (i >= 20) times.push(ends[1] ?? NaN);
    }
  } finally {
    await Promise.all(files.map((file) => file.close()));
  }
  return summarize(times);
}

/** The segment log alone: one entry per append, one at a time, then 64 writers at once. */
async function measureSegmentAppend(dir: string, samples: number, writers: number) {
  const log = await SegmentLog.open(join(dir, 'segment-probe'));
  const times: number[] = [];
  let next = 1;
  const appendOne = async (): Promise<void> => {
    const i = next++;
    await log.append({
      hardState: { term: 1, vote: 1, commit: i - 1 },
      entries: [{ index: i, term: 1, type: 'normal', data: command(0, i) }],
      snapshot: undefined,
    });
  };
  try {
    for (let i = 1; i <= samples; i += 1) {
      const started = performance.now();
      await appendOne();
      times.push(performance.now() - started);
    }
    const started = performance.now();
    const until = started + 2000;
    let done = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < until) {
          await appendOne();
          done += 1;
        }
      }),
    );
    return {
      ...summarize(times),
      perSecondConcurrent: done / ((performance.now() - started) / 1000),
    };
  } finally {
    await log.close();
  }
}

/** classic-level: the same record as a synced batch, one at a time and 64 writers at once. */
async function measureClassicLevel(dir: string, samples: number, writers: number) {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'level-probe'), {
    valueEncoding: 'view',
  });
  await db.open();
  const frame = (i: number): Uint8Array =>
    encodeRecord({
      type: 'entries',
      entries: [{ index: i, term: 1, type: 'normal', data: command(0, i) }],
    });
  const key = (i: number): string => `e${String(i).padStart(12, '0')}`;
  const times: number[] = [];
  try {
    for (let i = 1; i <= samples; i += 1) {
      const started = performance.now();
      await db.batch([{ type: 'put', key: key(i), value: frame(i) }], { sync: true });
      times.push(performance.now() - started);
    }
    let next = samples + 1;
    const started = performance.now();
    const until = started + 2000;
    let done = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < until) {
          const i = next++;
          await db.batch([{ type: 'put', key: key(i), value: frame(i) }], { sync: true });
          done += 1;
        }
      }),
    );
    return {
      ...summarize(times),
      perSecondConcurrent: done / ((performance.now() - started) / 1000),
    };
  } finally {
    await db.close();
  }
}

/** `proposers` loops, each proposing and awaiting its commit, for `durationMs`. */
async function measureGroup(dir: string, proposers: number, durationMs: number) {
  const group = await LocalGroup.start({ dir, members: 3, snapshotEvery: 50_000 });
  try {
    await group.elect(1);
    const leader = group.driver(1);
    for (let i = 0; i < 200; i += 1) await leader.propose(command(0, i)); // warm up
    const latencies: number[] = [];
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      Array.from({ length: proposers }, async (_, proposer) => {
        for (let n = 0; performance.now() < until; n += 1) {
          const sent = performance.now();
          await leader.propose(command(proposer, n));
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const syncs = [...group.logs.values()].reduce((sum, log) => sum + log.stats.syncs, 0);
    return {
      perSecond: latencies.length / seconds,
      ...summarize(latencies),
      commits: latencies.length,
      syncs,
    };
  } finally {
    await group.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-raft-'));
  try {
    process.stderr.write(`bench:raft in ${dir}\n`);
    const fdatasync = await measureFsync(dir, 1000, false);
    record('fsync latency p50 (write 100 B + fdatasync)', fdatasync.p50, 'ms');
    record('fsync latency p99 (write 100 B + fdatasync)', fdatasync.p99, 'ms');
    const dsync = await measureFsync(dir, 1000, true);
    record('fsync latency p50 (O_DSYNC write 100 B)', dsync.p50, 'ms');
    record('fsync latency p99 (O_DSYNC write 100 B)', dsync.p99, 'ms');
    const fsync = { p50: Math.min(fdatasync.p50, dsync.p50) };
    record('fsync floor p50 (the faster of the two)', fsync.p50, 'ms');
    const shared = await measureSharedDiskFloor(dir, 1000);
    record('fsync p50 2nd of 3 concurrent (one disk, 3 members)', shared.p50, 'ms');
    const segment = await measureSegmentAppend(dir, 1000, 64);
    record('segment log append p50 1 writer', segment.p50, 'ms');
    record('segment log appends a second 64 writers', segment.perSecondConcurrent, 'ops/s');
    const level = await measureClassicLevel(dir, 1000, 64);
    record('classic-level synced batch p50 1 writer', level.p50, 'ms');
    record('classic-level synced batches a second 64 writers', level.perSecondConcurrent, 'ops/s');
    const one = await measureGroup(join(dir, 'group-1'), 1, 3000);
    record('commits a second 1 proposer', one.perSecond, 'commits/s');
    record('commit latency p50 1 proposer', one.p50, 'ms');
    record('commit latency p99 1 proposer', one.p99, 'ms');
    const many = await measureGroup(join(dir, 'group-64'), 64, 5000);
    record('commits a second 64 proposers', many.perSecond, 'commits/s');
    record('commit latency p50 64 proposers', many.p50, 'ms');
    record('commit latency p99 64 proposers', many.p99, 'ms');
    record(
      'commits per fsync 64 proposers (3 members)',
      (3 * many.commits) / many.syncs,
      'commits/fsync',
    );
    printTable(fsync.p50, one.p50, many.perSecond);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function printTable(fsyncP50: number, oneP50: number, manyPerSecond: number): void {
  const width = Math.max(...figures.map((figure) => figure.name.length));
  const lines = ['', 'raft, 3 members in one process, durable segment logs on local disk', ''];
  for (const figure of figures) {
    const digits = figure.unit === 'ms' ? 3 : 0;
    lines.push(
      `${figure.name.padEnd(width)}  ${figure.value.toFixed(digits).padStart(10)} ${figure.unit}`,
    );
  }
  const latencyRatio = oneP50 / fsyncP50;
  lines.push(
    '',
    `target: 1-proposer p50 ≤ 2 × fsync p50: ${latencyRatio.toFixed(2)} × fsync — ${latencyRatio <= 2 ? 'met' : 'MISSED'}`,
    `target: ≥ 20,000 commits/s with 64 proposers: ${manyPerSecond.toFixed(0)} — ${manyPerSecond >= 20_000 ? 'met' : 'MISSED'}`,
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const figure of figures) {
    process.stdout.write(
      `${JSON.stringify({ bench: 'raft', name: figure.name, value: round(figure.value), unit: figure.unit })}\n`,
    );
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

await main();
