/**
 * One node down and back: kill -9 of a node that is not the Raft leader, the failure detector
 * marking it down (failureDetector.downAfterMs, 2 s in the local cluster's configuration), reads
 * with it down (timed from the moment the client holds the map that says so: the CMs have moved
 * its stripes by then; the first access to each such stripe still pays its recovery), writes
 * with it down (with q > k they propose no marks: the node is listed down), then its restart and
 * the repair: the map's stale marks and the node's mark (its fragments verified, or rebuilt,
 * stripe by stripe) draining, timed from the restart.
 */
import type { Cluster } from '../../client/index.js';
import type { StaleMark } from '../../node/cluster/cluster-map-types.js';
import { waitFor, type LocalRun } from './local-run.js';
import { scrape, workBetween, type NodeWork } from './node-metrics.js';
import { overwrites, reads, type Phase, type Workbench } from './phases.js';

/** What happened around the failure. */
export interface FailureReport {
  victim: string;
  killToDownMs: number;
  /** Kill to the client's map showing the new epoch. */
  killToClientMapMs: number;
  degradedReads: Phase;
  downWrites: Phase;
  marksAtRestart: { data: number; parity: number };
  rebuild: RebuildReport;
}

/** The restart and the repair queue draining; times from the restart, null when not seen. */
export interface RebuildReport {
  servingMs: number | null;
  cmStartedMs: number | null;
  upMs: number | null;
  /** A stale mark cleared, or a stripe cleared from the node's mark. */
  firstClearedMs: number | null;
  /** No stale mark and no node mark left. */
  drainedMs: number | null;
  marksLeft: number;
  /** Whether the node's mark was still in the map at the end. */
  nodeMarkLeft: boolean;
  /** Stripes cleared from the node's mark, the most seen (the mark goes once all are swept). */
  stripesVerified: number;
  /** How the restarted process stands at the end, and its log's tail when it is not running. */
  victimExit: string;
  victimLog: string | null;
  /** Sampled about every 250 ms: [ms since the restart, marks, stripes cleared of the node mark]. */
  samples: [number, number, number][];
  work: NodeWork;
}

const DOWN_WAIT_MS_MAX = 30_000;
const SAMPLE_MS = 250;

/** Kills a node, reads and writes with it down, restarts it and watches the repair. */
export async function failAndRebuild(
  bench: Workbench,
  run: LocalRun,
  cluster: Cluster,
  options: { degradedMs: number; downWritesMs: number; rebuildMsMax: number },
): Promise<FailureReport> {
  const before = await run.view();
  const leader = before.map.members.find((member) => member.raftId === before.leaderRaftId)?.id;
  const victim = [...run.layout.nodes].reverse().find((node) => node.id !== leader)!.id;
  const killedAt = performance.now();
  await run.kill(victim);
  const down = await waitFor(
    `${victim} down in the map`,
    DOWN_WAIT_MS_MAX,
    async () => {
      const view = await run.view();
      return view.map.members.find((member) => member.id === victim)?.state === 'down'
        ? view
        : undefined;
    },
    50,
  );
  const killToDownMs = performance.now() - killedAt;
  await waitFor('the client to hold the new map', DOWN_WAIT_MS_MAX, async () =>
    (await cluster.refreshMap()).epoch >= down.map.epoch ? true : undefined,
  );
  const killToClientMapMs = performance.now() - killedAt;
  const degradedReads = await reads(bench, options.degradedMs);
  const downWrites = await overwrites(bench, bench.volume.info.blockBytes, options.downWritesMs);
  const marks = (await run.view()).map.marks ?? [];
  const k = bench.volume.info.k;
  return {
    victim,
    killToDownMs,
    killToClientMapMs,
    degradedReads,
    downWrites,
    marksAtRestart: {
      data: marks.filter((mark) => mark.index < k).length,
      parity: marks.filter((mark) => mark.index >= k).length,
    },
    rebuild: await restartAndWatch(bench, run, victim, marks, options.rebuildMsMax),
  };
}

async function restartAndWatch(
  bench: Workbench,
  run: LocalRun,
  victim: string,
  marksBefore: readonly StaleMark[],
  rebuildMsMax: number,
): Promise<RebuildReport> {
  const address = run.node(victim).grpc;
  const incarnation = (await run.view()).map.members.find(
    (member) => member.id === victim,
  )?.incarnation;
  const scrapeBefore = await scrape(bench.admins);
  const restartedAt = performance.now();
  run.start(victim);
  const report: Omit<RebuildReport, 'work' | 'victimExit' | 'victimLog'> = {
    servingMs: null,
    cmStartedMs: null,
    upMs: null,
    firstClearedMs: null,
    drainedMs: null,
    marksLeft: marksBefore.length,
    nodeMarkLeft: false,
    stripesVerified: 0,
    samples: [[0, marksBefore.length, 0]],
  };
  while (performance.now() - restartedAt < rebuildMsMax && run.running(victim)) {
    await new Promise((done) => setTimeout(done, SAMPLE_MS));
    const atMs = performance.now() - restartedAt;
    if (report.servingMs === null && (await run.viewAt(address).catch(() => null)))
      report.servingMs = atMs;
    const view = await run.view().catch(() => null);
    if (!view) continue;
    const member = view.map.members.find((candidate) => candidate.id === victim);
    if (report.cmStartedMs === null && (member?.incarnation ?? 0) > (incarnation ?? 0))
      report.cmStartedMs = atMs;
    if (report.upMs === null && member?.state === 'up') report.upMs = atMs;
    report.marksLeft = view.map.marks?.length ?? 0;
    const nodeMark = view.map.nodeMarks?.find((mark) => mark.node === victim);
    report.nodeMarkLeft = nodeMark !== undefined;
    report.stripesVerified = Math.max(report.stripesVerified, nodeMark?.cleared.length ?? 0);
    report.samples.push([Math.round(atMs), report.marksLeft, nodeMark?.cleared.length ?? 0]);
    if (
      report.firstClearedMs === null &&
      (report.marksLeft < marksBefore.length || (nodeMark?.cleared.length ?? 0) > 0)
    )
      report.firstClearedMs = atMs;
    if (report.marksLeft === 0 && !report.nodeMarkLeft && report.upMs !== null) {
      report.drainedMs = atMs;
      break;
    }
  }
  const victimExit = run.exitOf(victim);
  return {
    ...report,
    victimExit,
    victimLog: victimExit === 'running' ? null : run.logTail(victim),
    work: workBetween(scrapeBefore, await scrape(bench.admins)),
  };
}
