/**
 * Retention: a sweep over every fragment of a store that folds history older than the window
 * into the fragment's base (only settled versions fold; see FragmentStore.fold). The node runs
 * it every `store.retentionSweepMs` when `store.retentionMs` is set, with its progress in the
 * log. Each fragment folds under its stripe's lock, so the sweep runs beside writes.
 */
import type { FragmentStore } from './fragment-store.js';

export interface SweepReport {
  fragments: number;
  versionsFolded: number;
}

/** Folds, in every fragment, the versions whose event time is before `horizonMs`. */
export async function sweepRetention(
  store: FragmentStore,
  horizonMs: number,
  stopped: () => boolean = () => false,
): Promise<SweepReport> {
  const report: SweepReport = { fragments: 0, versionsFolded: 0 };
  const fragments: { fragment: Parameters<FragmentStore['fold']>[0]; blockBytes: number }[] = [];
  for await (const { fragment, blockBytes } of store.list())
    fragments.push({ fragment, blockBytes });
  for (const { fragment, blockBytes } of fragments) {
    if (stopped()) break;
    report.fragments++;
    report.versionsFolded += await store.fold(fragment, blockBytes, horizonMs);
  }
  return report;
}
