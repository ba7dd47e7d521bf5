/**
 * Runs a range of Raft simulation seeds and adds up what they did: how many passed, which
 * failed (with the command that replays each), the faults injected and the operations checked.
 */
import { runRaftSeed, type SimOptions, type SimResult } from './raft-sim.js';

/** The totals of a range of seeds. */
export interface SimSummary {
  readonly first: number;
  readonly last: number;
  runs: number;
  passed: number;
  readonly failures: SimResult[];
  wallMs: number;
  simulatedMs: number;
  steps: number;
  checks: number;
  committed: number;
  readonly faults: Record<keyof SimResult['faults'], number>;
  readonly operations: Record<keyof SimResult['operations'], number>;
}

/** Called after each seed: the result and the totals so far. */
export type OnSeed = (result: SimResult, summary: SimSummary) => void;

/** Runs seeds `first`..`last` in order; `now` reads a wall clock in ms for the summary. */
export function runSeeds(
  first: number,
  last: number,
  options: SimOptions,
  now: () => number,
  onSeed?: OnSeed,
): SimSummary {
  const started = now();
  const summary: SimSummary = {
    first,
    last,
    runs: 0,
    passed: 0,
    failures: [],
    wallMs: 0,
    simulatedMs: 0,
    steps: 0,
    checks: 0,
    committed: 0,
    faults: {
      messages: 0,
      dropped: 0,
      duplicated: 0,
      partitions: 0,
      crashes: 0,
      tornWrites: 0,
      restarts: 0,
      clockJumps: 0,
      pauses: 0,
      diskStalls: 0,
      slowDisks: 0,
      membershipChanges: 0,
    },
    operations: {
      issued: 0,
      acknowledgedWrites: 0,
      reads: 0,
      failedCas: 0,
      unknown: 0,
      refused: 0,
      checked: 0,
      leasedReads: 0,
    },
  };
  for (let seed = first; seed <= last; seed += 1) {
    const result = runRaftSeed(seed, options);
    summary.runs += 1;
    if (result.ok) summary.passed += 1;
    else summary.failures.push(result);
    summary.simulatedMs += result.simulatedMs;
    summary.steps += result.steps;
    summary.checks += result.checks;
    summary.committed += result.committed;
    for (const key of Object.keys(summary.faults) as (keyof SimSummary['faults'])[]) {
      summary.faults[key] += result.faults[key];
    }
    for (const key of Object.keys(summary.operations) as (keyof SimSummary['operations'])[]) {
      summary.operations[key] += result.operations[key];
    }
    summary.wallMs = now() - started;
    onSeed?.(result, summary);
  }
  return summary;
}

/** The summary as lines for a terminal. */
export function formatSummary(summary: SimSummary, faultMs: number): string {
  const seconds = summary.wallMs / 1000;
  const f = summary.faults;
  const o = summary.operations;
  const lines = [
    `raft simulation, seeds ${summary.first}..${summary.last}, ${faultMs} ms of faults each`,
    `seeds       ${summary.runs} run, ${summary.passed} passed, ${summary.failures.length} failed, ` +
      `in ${seconds.toFixed(1)} s (${(summary.runs / Math.max(seconds, 1e-9)).toFixed(1)} seeds/s)`,
    `simulated   ${(summary.simulatedMs / 1000).toFixed(0)} s of group time, ${summary.steps} events, ` +
      `${summary.checks} invariant checks, ${summary.committed} entries committed`,
    `faults      ${f.messages} messages: ${f.dropped} dropped, ${f.duplicated} duplicated; ` +
      `${f.partitions} partitions, ${f.crashes} crashes (${f.tornWrites} tearing a record), ${f.restarts} restarts, ` +
      `${f.clockJumps} clock jumps, ${f.pauses} pauses, ` +
      `${f.diskStalls} disk stalls, ${f.slowDisks} slow disks, ${f.membershipChanges} membership changes`,
    `operations  ${o.checked} checked linearizable (${o.acknowledgedWrites} acknowledged writes, ${o.reads} reads (${o.leasedReads} under a lease), ` +
      `${o.unknown} unknown outcomes), ${o.refused} refused and retried`,
  ];
  for (const failure of summary.failures) {
    lines.push(
      `FAILED seed ${failure.seed}: ${failure.error ?? ''}`,
      `  replay: ${failure.replay}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
