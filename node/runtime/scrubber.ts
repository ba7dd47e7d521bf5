/**
 * The node's share of scrubbing: a slow background pass over the stripes whose first fragment
 * this node holds (so that every stripe is scrubbed by one node per pass, without coordination),
 * asking each stripe's owner to scrub it (the owner verifies checksums, versions and parity, and
 * repairs what it finds). Paced to the repair bandwidth share: a stripe of k + m fragments of B
 * bytes is read whole, so the pass waits (k + m)·B / share between stripes.
 */
import type { Logger } from 'pino';
import type { ClusterMap } from '../cluster/cluster-map.js';
import { ownerNow } from '../cm/owned-stripe.js';
import type { StripeScrubResult } from '../cm/requests.js';
import type { Clock } from '../env/node-env.js';
import type { FragmentStore } from '../store/fragment-store.js';

/** Where a scrub pass stands, for metrics and /v1/status. */
export interface ScrubProgress {
  passes: number;
  running: boolean;
  /** Stripes of the pass in progress (or the last one) checked so far, and found so far. */
  stripesChecked: number;
  stripesTotal: number;
  /** Findings since the start, by kind (checksum, stale, parity); repaired stripes. */
  findings: Record<string, number>;
  repaired: number;
  /** Stripes whose owner could not be asked (down, moved): checked in the next pass. */
  skipped: number;
  lastPassEndedMs: number | null;
}

export interface ScrubberOptions {
  nodeId: string;
  map: ClusterMap;
  store: FragmentStore;
  clock: Clock;
  logger: Logger;
  bandwidthBytesPerS: number;
  /** Asks the owner of a stripe to scrub it (this node's own CM, or another node's). */
  scrub(owner: string, volume: string, stripe: number): Promise<StripeScrubResult>;
  stopped(): boolean;
}

export class Scrubber {
  readonly progress: ScrubProgress = {
    passes: 0,
    running: false,
    stripesChecked: 0,
    stripesTotal: 0,
    findings: {},
    repaired: 0,
    skipped: 0,
    lastPassEndedMs: null,
  };

  constructor(private readonly options: ScrubberOptions) {}

  /** Runs one pass unless one is running. */
  async pass(): Promise<void> {
    if (this.progress.running) return;
    this.progress.running = true;
    try {
      const stripes: { volume: string; stripe: number; blockBytes: number }[] = [];
      for await (const item of this.options.store.list())
        if (item.fragment.index === 0)
          stripes.push({
            volume: item.fragment.volume,
            stripe: item.fragment.stripe,
            blockBytes: item.blockBytes,
          });
      this.progress.stripesChecked = 0;
      this.progress.stripesTotal = stripes.length;
      for (const { volume, stripe, blockBytes } of stripes) {
        if (this.options.stopped()) return;
        await this.scrubOne(volume, stripe);
        this.progress.stripesChecked += 1;
        const record = this.options.map.volume(volume);
        const bytes = (record ? record.k + record.m : 1) * blockBytes;
        await this.options.clock.sleep((1000 * bytes) / this.options.bandwidthBytesPerS);
      }
      this.progress.passes += 1;
      this.progress.lastPassEndedMs = this.options.clock.wallMs();
    } finally {
      this.progress.running = false;
    }
  }

  private async scrubOne(volume: string, stripe: number): Promise<void> {
    const owner = ownerNow(this.options.map.current, `${volume}/${stripe}`);
    if (!owner || !this.options.map.volume(volume)) {
      this.progress.skipped += 1;
      return;
    }
    try {
      const result = await this.options.scrub(owner, volume, stripe);
      for (const finding of result.findings)
        this.progress.findings[finding.kind] = (this.progress.findings[finding.kind] ?? 0) + 1;
      if (result.repaired) this.progress.repaired += 1;
      if (result.findings.length > 0)
        this.options.logger.warn(
          { volume, stripe, findings: result.findings, repaired: result.repaired },
          'scrub found damage',
        );
    } catch (error) {
      this.progress.skipped += 1;
      this.options.logger.debug(
        { volume, stripe, error: (error as Error).message },
        'scrub skipped a stripe',
      );
    }
  }
}
