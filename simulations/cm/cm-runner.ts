/**
 * Runs a range of consistency-manager simulation seeds and adds up what they did: how many kept
 * every invariant, which did not (each with the command that replays it), the faults injected
 * and the writes and reads checked.
 */
import { CM_DEFAULTS, runCmSeed, type CmRunOptions, type CmRunResult } from './cm-run.js';

export interface CmSummary {
  runs: number;
  readonly failures: { seed: number; violations: string[]; replay: string }[];
  writes: { acked: number; unknown: number; failed: number };
  /** Updates that carried several writer parts at once. */
  mergedUpdates: number;
  historyRollbacks: number;
  /** Stripes taken with no recovery, known never written (even seeds create the volume last). */
  knownEmpty: number;
  /** Abort records the owners dropped from the map as spent. */
  abortsDropped: number;
  reads: number;
  faults: { crashes: number; restarts: number; pauses: number; dropped: number };
  steps: number;
  simulatedMs: number;
  wallMs: number;
}

/** Runs seeds first..last in order; `onSeed` hears each result and the totals so far. */
export async function runCmSeeds(
  first: number,
  last: number,
  options: Omit<CmRunOptions, 'seed'>,
  now: () => number,
  onSeed?: (result: CmRunResult, summary: CmSummary) => void,
): Promise<CmSummary> {
  const started = now();
  const summary: CmSummary = {
    runs: 0,
    failures: [],
    writes: { acked: 0, unknown: 0, failed: 0 },
    mergedUpdates: 0,
    historyRollbacks: 0,
    knownEmpty: 0,
    abortsDropped: 0,
    reads: 0,
    faults: { crashes: 0, restarts: 0, pauses: 0, dropped: 0 },
    steps: 0,
    simulatedMs: 0,
    wallMs: 0,
  };
  for (let seed = first; seed <= last; seed++) {
    const result = await runCmSeed({ ...options, seed });
    summary.runs += 1;
    summary.writes.acked += result.writes.acked;
    summary.writes.unknown += result.writes.unknown;
    summary.writes.failed += result.writes.failed;
    summary.mergedUpdates += result.stats.mergedUpdates;
    summary.historyRollbacks += result.historyRollbacks;
    summary.knownEmpty += result.knownEmpty;
    summary.abortsDropped += result.abortsDropped;
    summary.reads += result.reads;
    summary.faults.crashes += result.stats.crashes;
    summary.faults.restarts += result.stats.restarts;
    summary.faults.pauses += result.stats.pauses;
    summary.faults.dropped += result.stats.dropped;
    summary.steps += result.steps;
    summary.simulatedMs += result.simulatedMs;
    if (result.violations.length > 0)
      summary.failures.push({
        seed,
        violations: result.violations,
        replay: replayCommand(seed, options),
      });
    summary.wallMs = now() - started;
    onSeed?.(result, summary);
  }
  return summary;
}

/** The one command that replays a seed with these options. */
export function replayCommand(seed: number, options: Omit<CmRunOptions, 'seed'>): string {
  const flags = [`--seed ${seed}`];
  if (options.raft) flags.push('--raft');
  if (options.placementChanges === false) flags.push('--no-placement-changes');
  if (options.retentionMs !== undefined) flags.push(`--retention-ms ${options.retentionMs}`);
  if (options.faultMs !== undefined && options.faultMs !== CM_DEFAULTS.faultMs)
    flags.push(`--fault-ms ${options.faultMs}`);
  for (const name of ['k', 'm', 'nodes', 'regions'] as const) {
    const value = options[name];
    if (value !== undefined && value !== CM_DEFAULTS[name]) flags.push(`--${name} ${value}`);
  }
  if (options.writeQuorum !== undefined) flags.push(`--write-quorum ${options.writeQuorum}`);
  return `tessera sim cluster ${flags.join(' ')}`;
}

/** The summary as the command prints it. */
export function formatCmSummary(summary: CmSummary): string {
  const lines = [
    `${summary.runs} seeds: ${summary.runs - summary.failures.length} kept every invariant, ${summary.failures.length} failed`,
    `writes: ${summary.writes.acked} acknowledged, ${summary.writes.unknown} outcome unknown, ${summary.writes.failed} refused; ${summary.reads} reads checked; ${summary.mergedUpdates} updates carried several parts; ${summary.historyRollbacks} recoveries settled by reading fragments from before a disproved version; ${summary.knownEmpty} stripes taken known empty, with no recovery; ${summary.abortsDropped} spent abort records dropped`,
    `faults: ${summary.faults.crashes} crashes, ${summary.faults.restarts} restarts, ${summary.faults.pauses} pauses, ${summary.faults.dropped} messages dropped (plus cuts, isolation and false suspicions)`,
    `${summary.steps} events over ${(summary.simulatedMs / 1000).toFixed(0)} simulated s in ${(summary.wallMs / 1000).toFixed(1)} s`,
  ];
  for (const failure of summary.failures)
    lines.push(
      `seed ${failure.seed} FAILED: ${failure.violations.slice(0, 5).join('; ')}\n  replay: ${failure.replay}`,
    );
  return `${lines.join('\n')}\n`;
}
