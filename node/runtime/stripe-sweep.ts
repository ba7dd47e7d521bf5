/**
 * An owner's sweeps over every stripe it owns: a rebuild pass whenever the placement topology
 * changes (a node out, draining or added: fragments whose node changed are rebuilt on the nodes
 * placement now names), and a scrub pass every repair.scrubIntervalMs (checksums, versions,
 * parity; repaired where found; and the stripe's spent abort records dropped from the map). A
 * volume has no recorded size, so the stripes are found by listing what every member's store
 * holds; each stripe is checked once per pass, by its owner.
 * Paced to the repair bandwidth share: a stripe of k + m fragments of B bytes is read whole.
 */
import type { Logger } from 'pino';
import type { ClusterMap } from '../cluster/cluster-map.js';
import type { ConsistencyManager } from '../cm/consistency-manager.js';
import { ownerNow } from '../cm/owned-stripe.js';
import type { NodeEnv } from '../env/node-env.js';
import type { FragmentStore } from '../store/fragment-store.js';
import type { FragmentId } from '../store/version.js';

/** Where a kind of pass stands, for metrics and /v1/status. */
export interface SweepProgress {
  passes: number;
  running: boolean;
  /** Stripes of the pass in progress (or the last one) checked so far, of how many. */
  stripesChecked: number;
  stripesTotal: number;
  /** Findings since the start, by kind (scrub: checksum, stale, parity; rebuild: rebuilt). */
  findings: Record<string, number>;
  /** Stripes repaired or rebuilt since the start. */
  repaired: number;
  /** Stripes that could not be checked (they wait, or moved): the next pass tries again. */
  skipped: number;
  lastPassEndedMs: number | null;
  /** The placement topology version the last finished pass started at. */
  topologyVersion: number;
}

export interface StripeSweepOptions {
  nodeId: string;
  map: ClusterMap;
  store: FragmentStore;
  env: NodeEnv;
  logger: Logger;
  bandwidthBytesPerS: number;
  cm(): ConsistencyManager | null;
  stopped(): boolean;
}

/** How long after a rebuild pass another starts while a node mark is left. */
const NODE_MARK_RETRY_MS = 2_000;

function emptyProgress(): SweepProgress {
  return {
    passes: 0,
    running: false,
    stripesChecked: 0,
    stripesTotal: 0,
    findings: {},
    repaired: 0,
    skipped: 0,
    lastPassEndedMs: null,
    topologyVersion: 0,
  };
}

export class StripeSweep {
  readonly scrub = emptyProgress();
  readonly rebuild = emptyProgress();
  /** The topology version and epoch the last rebuild pass started at. */
  private rebuiltAt = '';

  constructor(private readonly options: StripeSweepOptions) {}

  /**
   * Starts a rebuild pass when the topology moved, or stripes changed owner (a new epoch), since
   * the last one: a stripe whose fragments placement moved while another CM owned it is moved by
   * its new owner.
   */
  rebuildIfMoved(): void {
    const { topologyVersion, epoch, nodeMarks } = this.options.map.current;
    const at = `${topologyVersion}/${epoch}`;
    // A node mark still there after this epoch's pass (a stripe waited, a store did not answer)
    // is tried again by another pass, NODE_MARK_RETRY_MS after the last one ended.
    const last = this.rebuild.lastPassEndedMs;
    const retry =
      (nodeMarks ?? []).length > 0 &&
      last !== null &&
      this.options.env.clock.wallMs() - last >= NODE_MARK_RETRY_MS;
    if ((at === this.rebuiltAt && !retry) || this.rebuild.running || !this.options.cm()) return;
    this.rebuiltAt = at;
    void this.pass('rebuild');
  }

  /** Starts a scrub pass when `intervalMs` passed since the last one ended. */
  scrubIfDue(intervalMs: number | null): void {
    if (intervalMs === null || this.scrub.running || !this.options.cm()) return;
    const last = this.scrub.lastPassEndedMs;
    if (last !== null && this.options.env.clock.wallMs() - last < intervalMs) return;
    void this.pass('scrub');
  }

  /** One pass of `kind` over every stripe this node owns now. */
  async pass(kind: 'rebuild' | 'scrub'): Promise<void> {
    const progress = kind === 'scrub' ? this.scrub : this.rebuild;
    if (progress.running) return;
    progress.running = true;
    const topologyVersion = this.options.map.current.topologyVersion;
    try {
      const listed = await this.listStripes();
      const stripes = listed.owned;
      // Stripes under a node's mark first, several at once (their clears share Raft entries).
      if (kind === 'rebuild') await this.options.cm()?.verifyNodeMarks(stripes);
      progress.stripesChecked = 0;
      progress.stripesTotal = stripes.length;
      for (const { volume, stripe } of stripes) {
        const cm = this.options.cm();
        if (!cm || this.options.stopped()) return;
        await this.checkOne(cm, kind, progress, volume, stripe);
        progress.stripesChecked += 1;
        const record = this.options.map.volume(volume);
        const bytes = record ? (record.k + record.m) * record.blockBytes : 0;
        await this.options.env.clock.sleep((1000 * bytes) / this.options.bandwidthBytesPerS);
      }
      // Node marks (node-marks.ts): once a pass that found every stripe there is has verified
      // those this node owns, the map hears so; a mark goes when every CM of the epoch has said so.
      const cm = this.options.cm();
      if (kind === 'rebuild' && listed.complete && cm) await cm.reportNodeMarksSwept(listed.all);
      progress.passes += 1;
      progress.topologyVersion = topologyVersion;
      progress.lastPassEndedMs = this.options.env.clock.wallMs();
    } catch (error) {
      this.options.logger.error({ kind, error: (error as Error).message }, 'sweep pass failed');
    } finally {
      progress.running = false;
    }
  }

  private async checkOne(
    cm: ConsistencyManager,
    kind: 'rebuild' | 'scrub',
    progress: SweepProgress,
    volume: string,
    stripe: number,
  ): Promise<void> {
    try {
      if (kind === 'rebuild') {
        if (await cm.rebuildStripe(volume, stripe)) {
          progress.repaired += 1;
          progress.findings.rebuilt = (progress.findings.rebuilt ?? 0) + 1;
        }
        return;
      }
      const result = await cm.scrubStripe(volume, stripe);
      // A scrubbed stripe's abort records that nothing can read or write again leave the map.
      await cm.dropSpentAborts(volume, stripe);
      for (const finding of result.findings)
        progress.findings[finding.kind] = (progress.findings[finding.kind] ?? 0) + 1;
      if (result.repaired) progress.repaired += 1;
      if (result.findings.length > 0)
        this.options.logger.warn(
          { volume, stripe, findings: result.findings, repaired: result.repaired },
          'scrub found damage',
        );
    } catch (error) {
      progress.skipped += 1;
      this.options.logger.debug(
        { kind, volume, stripe, error: (error as Error).message },
        'sweep skipped a stripe',
      );
    }
  }

  /**
   * The stripes this node owns now, and every stripe found, by listing every member's store (its
   * own directly); `complete` when every member that is not out answered.
   */
  private async listStripes(): Promise<{
    owned: { volume: string; stripe: number }[];
    all: { volume: string; stripe: number }[];
    complete: boolean;
  }> {
    const { map, nodeId, env, store } = this.options;
    const found = new Map<string, { volume: string; stripe: number }>();
    const add = (fragment: FragmentId): void => {
      const key = `${fragment.volume}/${fragment.stripe}`;
      if (found.has(key) || !map.volume(fragment.volume)) return;
      found.set(key, { volume: fragment.volume, stripe: fragment.stripe });
    };
    for await (const item of store.list()) add(item.fragment);
    let complete = true;
    for (const member of map.current.members) {
      if (member.id === nodeId) continue;
      if (member.state === 'down') {
        complete = false;
        continue;
      }
      try {
        for (const item of await env.network.listFragments(member.grpcAddress)) add(item.fragment);
      } catch (error) {
        if (member.state !== 'out') complete = false;
        this.options.logger.debug(
          { member: member.id, error: (error as Error).message },
          'could not list a store',
        );
      }
    }
    const all = [...found.values()].sort((a, b) =>
      a.volume === b.volume ? a.stripe - b.stripe : a.volume < b.volume ? -1 : 1,
    );
    const owned = all.filter(
      ({ volume, stripe }) => ownerNow(map.current, `${volume}/${stripe}`) === nodeId,
    );
    return { owned, all, complete };
  }
}
