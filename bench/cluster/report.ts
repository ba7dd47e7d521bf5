/**
 * The cluster benchmark's output: readable tables, then one JSON line per figure (as the other
 * benchmarks print them).
 */
import { emit, printTable } from '../measure.js';
import type { GrpcFloor } from './floor.js';
import type { FailureReport } from './failure.js';
import { quantile } from './load.js';
import type { NodeWork } from './node-metrics.js';
import type { Phase } from './phases.js';
import type { Traffic } from './traffic.js';

/** A measured workload with what it is held against. */
export interface Row {
  name: string;
  phase: Phase;
  /** Bytes each operation carries. */
  payloadBytes: number;
  traffic?: Traffic;
  /** The target: MiB/s or operations a second, p99 in ms. */
  target?: { mibPerSecond?: number; perSecond?: number; p99MsBelow: number };
  /** Ceph 16 on this machine, as the issue gives it. */
  ceph?: string;
}

const MB = 1e6;
const MIB = 1 << 20;

function rate(row: Row): number {
  return row.phase.load.operations / row.phase.load.seconds;
}

function mbps(row: Row): number {
  return row.phase.load.bytes / row.phase.load.seconds / MB;
}

function p(row: Row, fraction: number): number {
  return quantile(row.phase.load.latenciesMs, fraction);
}

/** The main table: throughput and latency of each workload. */
export function printFigures(rows: readonly Row[]): void {
  printTable(
    ['what (16 in flight)', 'ops', 'ops/s', 'MB/s', 'MiB/s', 'p50 ms', 'p99 ms', 'failed'],
    rows.map((row) => [
      row.name,
      String(row.phase.load.operations),
      rate(row).toFixed(0),
      mbps(row).toFixed(1),
      ((mbps(row) * MB) / MIB).toFixed(1),
      p(row, 0.5).toFixed(1),
      p(row, 0.99).toFixed(1),
      String(row.phase.load.failures),
    ]),
  );
}

/** The targets beside the figures, and Ceph's. */
export function printTargets(rows: readonly Row[]): void {
  const targeted = rows.filter((row) => row.target);
  printTable(
    ['what', 'target', 'measured', 'met', 'Ceph 16 (same machine)'],
    targeted.map((row) => {
      const target = row.target!;
      const measuredText = target.mibPerSecond
        ? `${((mbps(row) * MB) / MIB).toFixed(1)} MiB/s, p99 ${p(row, 0.99).toFixed(0)} ms`
        : `${rate(row).toFixed(0)}/s, p99 ${p(row, 0.99).toFixed(0)} ms`;
      const met =
        (target.mibPerSecond ? (mbps(row) * MB) / MIB >= target.mibPerSecond : true) &&
        (target.perSecond ? rate(row) >= target.perSecond : true) &&
        p(row, 0.99) < target.p99MsBelow;
      return [
        row.name,
        target.mibPerSecond
          ? `>= ${target.mibPerSecond} MiB/s, p99 < ${target.p99MsBelow} ms`
          : `>= ${target.perSecond}/s, p99 < ${target.p99MsBelow} ms`,
        measuredText,
        met ? 'yes' : 'no',
        row.ceph ?? '',
      ];
    }),
  );
}

/** Each workload against the floor: raw gRPC divided by what the operation moves. */
export function printFloors(rows: readonly Row[], floor: GrpcFloor): void {
  printTable(
    [
      'what',
      'bytes moved / byte',
      'stream floor MB/s',
      'measured/floor',
      'gRPC calls / op',
      'unary floor ops/s',
      'measured/floor',
    ],
    rows
      .filter((row) => row.traffic)
      .map((row) => {
        const traffic = row.traffic!;
        const streamFloor = floor.streamMBps / traffic.bytesPerByte;
        const calls = floor.unaryCallsPerSecond.get(row.payloadBytes);
        const callFloor = calls === undefined ? null : calls / traffic.callsPerOperation;
        return [
          row.name,
          traffic.bytesPerByte.toFixed(2),
          streamFloor.toFixed(1),
          (mbps(row) / streamFloor).toFixed(3),
          traffic.callsPerOperation.toFixed(2),
          callFloor === null ? '' : callFloor.toFixed(0),
          callFloor === null ? '' : (rate(row) / callFloor).toFixed(3),
        ];
      }),
  );
  for (const row of rows.filter((candidate) => candidate.traffic))
    console.log(`  ${row.name}: ${row.traffic!.formula}`);
}

/** Calls served per operation by method, CPU and Raft entries per operation, per workload. */
export function printWork(rows: readonly Row[]): void {
  const methods = [
    ...new Set(
      rows.flatMap((row) =>
        [...row.phase.work.calls].filter(([, count]) => count > 0).map(([method]) => method),
      ),
    ),
  ].sort();
  const perOp = (row: Row, value: number): string =>
    row.phase.load.operations === 0 ? '' : (value / row.phase.load.operations).toFixed(2);
  const body: string[][] = [
    ...methods.map((method) => [
      `${method} calls/op`,
      ...rows.map((row) => perOp(row, row.phase.work.calls.get(method) ?? 0)),
    ]),
    ...methods.map((method) => [
      `${method} server ms/call`,
      ...rows.map((row) => {
        const calls = row.phase.work.calls.get(method) ?? 0;
        return calls === 0
          ? ''
          : ((1000 * (row.phase.work.serverSeconds.get(method) ?? 0)) / calls).toFixed(2);
      }),
    ]),
    ['failed calls/op', ...rows.map((row) => perOp(row, sum(row.phase.work.failedCalls)))],
    [
      'pieces carried per merged update',
      ...rows.map((row) => {
        const { updates, pieces } = row.phase.work.merged;
        return updates === 0 ? '' : (pieces / updates).toFixed(2);
      }),
    ],
    ['pieces in merged updates/op', ...rows.map((row) => perOp(row, row.phase.work.merged.pieces))],
    [
      'updates in one round (owner knew the old block)',
      ...rows.map((row) => {
        const [one, two] = row.phase.work.updateRounds;
        return one + two === 0 ? '' : `${((100 * one) / (one + two)).toFixed(0)}%`;
      }),
    ],
    ['stripe recoveries/op', ...rows.map((row) => perOp(row, row.phase.work.recoveries))],
    [
      'stripes known empty/op (no recovery)',
      ...rows.map((row) => perOp(row, row.phase.work.knownEmpty)),
    ],
    ['Raft entries/op', ...rows.map((row) => perOp(row, row.phase.work.raftEntries))],
    [
      'Raft reads under the lease/op',
      ...rows.map((row) => perOp(row, row.phase.work.raftReads.lease)),
    ],
    ['Raft read rounds/op', ...rows.map((row) => perOp(row, row.phase.work.raftReads.round))],
    ['node CPU ms/op', ...rows.map((row) => perOp(row, 1000 * row.phase.work.cpuSeconds))],
    ['client CPU ms/op', ...rows.map((row) => perOp(row, 1000 * row.phase.clientCpuSeconds))],
    [
      'cores busy (nodes+client)',
      ...rows.map((row) =>
        ((row.phase.work.cpuSeconds + row.phase.clientCpuSeconds) / row.phase.load.seconds).toFixed(
          2,
        ),
      ),
    ],
  ];
  printTable(['per operation', ...rows.map((row) => row.name)], body);
}

function sum(map: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}

/** The nodes' CPU and calls a second while nothing is sent to them. */
export function printIdle(idles: readonly [string, NodeWork][]): void {
  printTable(
    ['background', 'node cores busy', 'gRPC calls/s served', 'Raft entries/s'],
    idles.map(([name, work]) => [
      name,
      (work.cpuSeconds / work.seconds).toFixed(2),
      [...work.calls]
        .filter(([, count]) => count > 0)
        .map(([method, count]) => `${method} ${(count / work.seconds).toFixed(1)}`)
        .join(', '),
      (work.raftEntries / work.seconds).toFixed(1),
    ]),
  );
}

/** The failure, the restart and the repair queue. */
export function printFailure(failure: FailureReport): void {
  const { rebuild } = failure;
  const marks = failure.marksAtRestart.data + failure.marksAtRestart.parity;
  const rebuildMBps = rebuildFigure(failure);
  const ms = (value: number | null): string =>
    value === null ? 'not seen' : `${(value / 1000).toFixed(1)} s`;
  printTable(
    ['failure and rebuild', 'value'],
    [
      ['node killed (kill -9, not the Raft leader)', failure.victim],
      ['kill → down in the map', ms(failure.killToDownMs)],
      ['kill → client holds the new map', ms(failure.killToClientMapMs)],
      [
        'stale marks at the restart (data + parity)',
        `${marks} (${failure.marksAtRestart.data} + ${failure.marksAtRestart.parity})`,
      ],
      ['restart → its gRPC answers', ms(rebuild.servingMs)],
      ['restart → its CM started (cm_started applied)', ms(rebuild.cmStartedMs)],
      ['restart → up in the map', ms(rebuild.upMs)],
      ['restart → first mark cleared or stripe verified', ms(rebuild.firstClearedMs)],
      ['restart → no stale mark and no node mark left', ms(rebuild.drainedMs)],
      ['stripes verified or rebuilt under the node mark', String(rebuild.stripesVerified)],
      ['bytes the repairs wrote', `${(rebuild.work.repairBytes / MB).toFixed(1)} MB`],
      [
        'marks left at the end',
        `${rebuild.marksLeft}${rebuild.nodeMarkLeft ? ', and the node mark' : ''}`,
      ],
      ['the restarted node at the end', rebuild.victimExit],
      [
        'rebuild MB/s (bytes the repairs wrote / restart → drained)',
        rebuildMBps.fromRestart === null ? 'not measurable' : rebuildMBps.fromRestart.toFixed(2),
      ],
      [
        'rebuild MB/s (bytes the repairs wrote / first clear → drained)',
        rebuildMBps.drain === null ? 'not measurable' : rebuildMBps.drain.toFixed(2),
      ],
    ],
  );
  if (rebuild.victimLog !== null)
    console.log(`  the restarted node's log ends:\n${rebuild.victimLog.replace(/^/gm, '    ')}`);
  const trail = rebuild.samples
    .filter((_, at) => at % 4 === 0 || at === rebuild.samples.length - 1)
    .map(([atMs, left, verified]) => `${(atMs / 1000).toFixed(1)}s:${left}/${verified}`)
    .join(' ');
  console.log(`  since the restart, stale marks left / stripes cleared of the node mark: ${trail}`);
  const why = unmeasurable(failure);
  if (why) console.log(`  the rebuild figure is not measurable: ${why}`);
  const calls = [...rebuild.work.calls]
    .filter(([, count]) => count > 0)
    .map(([method, count]) => `${method} ${count}`)
    .join(', ');
  console.log(
    `  during the rebuild watch: gRPC calls served ${calls || 'none'}; Raft entries ${rebuild.work.raftEntries}; node CPU ${rebuild.work.cpuSeconds.toFixed(1)} s`,
  );
}

/** Why the rebuild figure could not be taken, or null when it was. */
function unmeasurable(failure: FailureReport): string | null {
  const { rebuild } = failure;
  if (rebuild.work.repairBytes === 0)
    return 'the repairs wrote nothing: no fragment on the node was stale';
  if (rebuild.victimExit !== 'running')
    return `the restarted node ${rebuild.victimExit} (its log is above)`;
  if (rebuild.drainedMs === null)
    return `${rebuild.marksLeft} marks${rebuild.nodeMarkLeft ? ' and the node mark' : ''} were left when the watch ended (${rebuild.upMs === null ? 'the node never came up in the map' : 'the repair queue did not drain in time'})`;
  return null;
}

/** Rebuild MB/s from the restart, and over the drain itself (first to last mark cleared). */
export function rebuildFigure(failure: FailureReport): {
  fromRestart: number | null;
  drain: number | null;
} {
  const { rebuild } = failure;
  const bytes = rebuild.work.repairBytes;
  const fromRestart =
    rebuild.drainedMs === null || bytes === 0 ? null : bytes / (rebuild.drainedMs / 1000) / MB;
  const drainSeconds =
    rebuild.drainedMs === null || rebuild.firstClearedMs === null
      ? 0
      : (rebuild.drainedMs - rebuild.firstClearedMs) / 1000;
  const drain = drainSeconds > 0 && bytes > 0 ? bytes / drainSeconds / MB : null;
  return { fromRestart, drain };
}

/** One JSON line per figure. */
export function emitAll(rows: readonly Row[], floor: GrpcFloor, failure: FailureReport): void {
  const line = (name: string, value: number, unit: string): void =>
    emit({ bench: 'cluster', name, value: Number(value.toFixed(3)), unit });
  line('floor: gRPC stream 64 KiB messages', floor.streamMBps, 'MB/s');
  for (const [payload, calls] of floor.unaryCallsPerSecond) {
    line(`floor: gRPC unary ${payload / 1024} KiB, ${floor.inflight} in flight`, calls, 'calls/s');
    const cpuMs = floor.unaryCpuMsPerCall.get(payload);
    if (cpuMs !== null && cpuMs !== undefined)
      line(`floor: gRPC unary ${payload / 1024} KiB CPU per call`, cpuMs, 'ms');
    const piped = floor.pipeCallsPerSecond.get(payload);
    if (piped !== undefined)
      line(
        `pipe: ${payload / 1024} KiB calls on one stream, ${floor.inflight} in flight`,
        piped,
        'calls/s',
      );
    const pipeCpuMs = floor.pipeCpuMsPerCall.get(payload);
    if (pipeCpuMs !== null && pipeCpuMs !== undefined)
      line(`pipe: ${payload / 1024} KiB CPU per call`, pipeCpuMs, 'ms');
    const bare = floor.rawCallsPerSecond.get(payload);
    if (bare !== undefined)
      line(
        `peer: ${payload / 1024} KiB frames on a TCP socket, ${floor.inflight} in flight`,
        bare,
        'calls/s',
      );
    const rawCpuMs = floor.rawCpuMsPerCall.get(payload);
    if (rawCpuMs !== null && rawCpuMs !== undefined)
      line(`peer: ${payload / 1024} KiB frames on a TCP socket CPU per call`, rawCpuMs, 'ms');
  }
  for (const row of rows) {
    line(`${row.name} throughput`, mbps(row), 'MB/s');
    line(`${row.name} throughput MiB`, (mbps(row) * MB) / MIB, 'MiB/s');
    line(`${row.name} rate`, rate(row), 'ops/s');
    line(`${row.name} latency p50`, p(row, 0.5), 'ms');
    line(`${row.name} latency p99`, p(row, 0.99), 'ms');
    if (row.traffic) {
      const streamFloor = floor.streamMBps / row.traffic.bytesPerByte;
      line(`${row.name} floor`, streamFloor, 'MB/s');
      line(`${row.name} / floor`, mbps(row) / streamFloor, 'ratio');
    }
  }
  const rebuild = rebuildFigure(failure);
  line('kill to down in the map', failure.killToDownMs, 'ms');
  line(
    'stale marks at restart',
    failure.marksAtRestart.data + failure.marksAtRestart.parity,
    'marks',
  );
  if (rebuild.fromRestart !== null) line('rebuild from restart', rebuild.fromRestart, 'MB/s');
  if (rebuild.drain !== null) line('rebuild drain', rebuild.drain, 'MB/s');
  line('marks left after the rebuild watch', failure.rebuild.marksLeft, 'marks');
  line('stripes verified under the node mark', failure.rebuild.stripesVerified, 'stripes');
  line('bytes the repairs wrote', failure.rebuild.work.repairBytes / MB, 'MB');
}
