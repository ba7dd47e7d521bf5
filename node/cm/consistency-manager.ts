/**
 * The consistency manager (CM) of one node (DESIGN.md, "The write path" and "Failure and
 * recovery"). Every node runs one and all are active at once: each serves the stripes that the
 * responsibility function gives it in the current epoch, one queue per stripe (updates, repairs
 * and reads of a stripe go one after another; stripes go in parallel), and recovers a stripe on
 * its first access in a new ownership before it serves it. Requests for a stripe it does not own
 * are answered with the owner and the epoch, so the caller can go there.
 */
import { ReedSolomon } from '../../erasure/index.js';
import { stripeKey } from '../../placement/index.js';
import type { ClusterMapState, VolumeRecord } from '../cluster/cluster-map-types.js';
import { fragmentLocations, isAborted } from '../cluster/stripe-records.js';
import { nodeMarkPending, nodeMarksOver } from '../cluster/node-marks.js';
import { compareVersions, mayBeFolded, type Version, type WriterStamp } from '../store/version.js';
import {
  confirmOwnership,
  emptyStats,
  OwnershipLost,
  ViewWrong,
  withApplied,
  type CmContext,
  type CmStats,
} from './cm-context.js';
import { scrubFindings, type ScrubFinding } from './scrub.js';
import { spentAborts } from './spent-aborts.js';
import { BlockCache } from './block-cache.js';
import {
  CmError,
  CmInvalidRequestError,
  NotOwnerError,
  OutcomeUnknownError,
  StripeUnavailableError,
  VolumeNotFoundError,
} from './errors.js';
import { fragmentId, readSettledRange, storeOf } from './fragment-io.js';
import { moveFragments } from './moves.js';
import {
  fragmentNodes,
  knownEmpty,
  movePending,
  newOwnedStripe,
  ownershipEpochOf,
  ownerNow,
  partKey,
  RECENT_PARTS_MAX,
  TouchedStripes,
  type OwnedStripe,
} from './owned-stripe.js';
import type { MapPort, StoreDirectory } from './ports.js';
import { recoverStripe, verifyNodeMarked } from './recovery.js';
import type {
  StripeRead,
  StripeReadResult,
  StripeService,
  StripeWrite,
  StripeWriteResult,
} from './requests.js';
import { checkStripeRequest, piecesOf, type Piece } from './stripe-range.js';
import { oneUpdateCarries, updateFragment, updateStripe, type UpdatePiece } from './update.js';
import { BATCH_WRITES_MAX, groupsOf, type BatchedWrite, type WriteBatch } from './write-batch.js';
import { ConfirmBatcher } from './confirm-batcher.js';
import { MarkBatcher } from './mark-batcher.js';

export interface ConsistencyManagerOptions {
  nodeId: string;
  /** The epoch of this CM's cm_started entry: it owns no stripe from an earlier epoch. */
  startEpoch: number;
  map: MapPort;
  stores: StoreDirectory;
  /** Wall-clock milliseconds, for event times. */
  wallMs: () => number;
  /** Bytes of whole data blocks the owner keeps for one-round updates (default 64 MiB). */
  cacheBytes?: number;
}

const DEFAULT_CACHE_BYTES = 64 << 20;

/** Stripes a repair pass works on at once. */
const REPAIRS_IN_FLIGHT = 8;
/** A move that could not finish is tried again after this many ms. */
const MOVE_RETRY_MS = 1_000;

/** Reports of one sweep of node marks, each after the epoch moved under the one before. */
const SWEEP_REPORT_ROUNDS = 3;

/** Attempts of one piece when the owner's view proves wrong (each after a recovery). */
const VIEW_RETRIES_MAX = 2;

export class ConsistencyManager implements StripeService {
  private readonly stripes = new Map<string, OwnedStripe>();
  private readonly touched = new TouchedStripes();
  private readonly engines = new Map<string, ReedSolomon>();
  private readonly context: CmContext;

  constructor(private readonly options: ConsistencyManagerOptions) {
    const batcher = new ConfirmBatcher(() => options.map.confirm());
    const stats = emptyStats();
    this.context = {
      stats,
      cache: new BlockCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES),
      nodeId: options.nodeId,
      startEpoch: options.startEpoch,
      // Stale marks of concurrent updates share Raft entries (mark-batcher.ts).
      map: new MarkBatcher(options.map, stats).port(),
      stores: options.stores,
      engine: (k, m) => this.engine(k, m),
      confirm: () => batcher.confirm(),
      wallMs: options.wallMs,
    };
  }

  /** The epoch of this CM's start (its cm_started entry). */
  get startEpoch(): number {
    return this.options.startEpoch;
  }

  /** Stripes this CM holds state for (owned, recovered or not). */
  get ownedStripes(): number {
    return this.stripes.size;
  }

  async write(request: StripeWrite): Promise<StripeWriteResult> {
    const { volume, stripe } = this.locate(request.volume, request.offset, request.bytes?.length);
    checkStripeRequest(request);
    const pieces = piecesOf(volume, request.offset, request.bytes.length);
    const { firstPart, parts } = request.writer;
    if (firstPart + pieces.length > parts)
      throw new CmInvalidRequestError(
        'writer.parts',
        `the write covers ${pieces.length} data fragments from part ${firstPart}, so its event has at least ${firstPart + pieces.length} parts, not ${parts}`,
      );
    const owned = this.own(volume, stripe);
    return new Promise((resolve, reject) => {
      const write: BatchedWrite = { request, pieces, resolve, reject };
      const open = owned.openBatch;
      if (
        open &&
        !open.closed &&
        open.tail === owned.tail &&
        open.writes.length < BATCH_WRITES_MAX
      ) {
        open.writes.push(write);
        return;
      }
      const batch: WriteBatch = { writes: [write], tail: null, closed: false };
      owned.openBatch = batch;
      this.queued(owned, (current) => this.runBatch(current, batch)).catch((error: unknown) => {
        // A failure before the batch's turn (the stripe moved, its recovery failed) is every write's.
        batch.closed = true;
        for (const each of batch.writes) each.reject(error);
      });
      batch.tail = owned.tail;
    });
  }

  /**
   * A batch's turn: its writes in groups (write-batch.ts), one after another. A group of more
   * than one piece is one update when the owner knows every old block it changes; otherwise each
   * write goes on its own, one update per data fragment. Settles every write.
   */
  private async runBatch(owned: OwnedStripe, batch: WriteBatch): Promise<void> {
    // Writes that came while the turn waited (behind the stripe's recovery, say) are in; no more.
    batch.closed = true;
    // A retry, or a write with a part this CM settled before, first looks for its earlier landing.
    const alone = (write: BatchedWrite): boolean =>
      write.request.retry ||
      write.pieces.some((_, number) =>
        owned.recent.has(
          partKey(
            write.request.writer.writerId,
            write.request.writer.writerSeq,
            write.request.writer.firstPart + number,
          ),
        ),
      );
    const waiting = [...batch.writes];
    let first = true;
    // As the queue does before each of its tasks: the stripe may have moved, or need a recovery
    // (an update that ended with its outcome unknown leaves it so).
    const ready = async (): Promise<boolean> => {
      if (first) {
        first = false;
        return true;
      }
      try {
        await this.ready(owned);
        return true;
      } catch (error) {
        for (const write of waiting) write.reject(error);
        return false;
      }
    };
    for (const group of groupsOf(batch.writes, alone)) {
      const pieces = group.reduce((sum, write) => sum + write.pieces.length, 0);
      if (pieces > 1 && !alone(group[0]!)) {
        if (!(await ready())) return;
        const sent = await this.writeGroup(owned, group);
        if (sent) {
          waiting.splice(0, group.length);
          continue;
        }
      }
      for (const write of group) {
        if (!(await ready())) return;
        waiting.shift();
        try {
          write.resolve(await this.writeAlone(owned, write.request, write.pieces));
        } catch (error) {
          write.reject(this.translate(owned, error));
        }
      }
    }
  }

  /**
   * The writes of `group` as one update; false (nothing sent) when one update cannot carry them
   * (the owner does not know an old block), so that they go one by one instead.
   */
  private async writeGroup(owned: OwnedStripe, group: readonly BatchedWrite[]): Promise<boolean> {
    const pieces: UpdatePiece[] = [];
    const parts: string[] = [];
    for (const write of group) {
      const { writer } = write.request;
      owned.lastEventTimeMs = Math.max(owned.lastEventTimeMs, writer.eventTimeMs);
      for (const [number, piece] of write.pieces.entries()) {
        const part = writer.firstPart + number;
        parts.push(partKey(writer.writerId, writer.writerSeq, part));
        pieces.push({
          index: piece.index,
          offset: piece.fragmentOffset,
          bytes: write.request.bytes.subarray(
            piece.sourceOffset,
            piece.sourceOffset + piece.length,
          ),
          writer: {
            writerId: writer.writerId,
            writerSeq: writer.writerSeq,
            part,
            parts: writer.parts,
            eventTimeMs: owned.lastEventTimeMs,
          },
        });
      }
    }
    // A part settled before (a writer that sent one event twice) is answered as writeAlone does.
    if (parts.some((part) => owned.recent.has(part))) return false;
    let version: Version;
    for (let attempt = 0; ; attempt++) {
      if (!oneUpdateCarries(this.context, owned, pieces)) return false;
      try {
        version = await updateStripe(this.context, owned, pieces);
        break;
      } catch (error) {
        const retry = error instanceof ViewWrong && !error.applied && attempt < VIEW_RETRIES_MAX;
        let failure = error;
        if (retry) {
          owned.recovered = false;
          try {
            await this.ensureRecovered(owned);
            continue;
          } catch (recoveryError) {
            failure = withApplied(recoveryError, false);
          }
        }
        const translated = this.translate(owned, failure);
        for (const write of group) write.reject(translated);
        return true;
      }
    }
    for (const part of parts) this.remember(owned, part, version);
    for (const write of group)
      write.resolve({
        stripe: owned.stripe,
        pieces: write.pieces.map((piece) => ({ index: piece.index, version })),
      });
    return true;
  }

  /** One write on its own: one update per data fragment it touches, in order. */
  private async writeAlone(
    owned: OwnedStripe,
    request: StripeWrite,
    pieces: readonly Piece[],
  ): Promise<StripeWriteResult> {
    const results: { index: number; version: Version }[] = [];
    let applied = false;
    try {
      for (const [number, piece] of pieces.entries()) {
        const part = request.writer.firstPart + number;
        const version = await this.writePiece(owned, piece, request, part);
        applied = true;
        results.push({ index: piece.index, version });
      }
    } catch (error) {
      if (!applied || (error instanceof CmError && error.code === 'OUTCOME_UNKNOWN')) throw error;
      this.translate(owned, error);
      const reason = error instanceof Error ? error.message : String(error);
      throw new OutcomeUnknownError(`${owned.key}: part of the write landed before: ${reason}`);
    }
    return { stripe: owned.stripe, pieces: results };
  }

  /** Remembers a settled part, for a retry that comes while this CM owns the stripe. */
  private remember(owned: OwnedStripe, key: string, version: Version): void {
    owned.recent.set(key, version);
    if (owned.recent.size > RECENT_PARTS_MAX)
      owned.recent.delete(owned.recent.keys().next().value!);
  }

  async read(request: StripeRead): Promise<StripeReadResult> {
    const { volume, stripe } = this.locate(request.volume, request.offset, request.length);
    const owned = this.own(volume, stripe);
    return this.queued(owned, async (current) => {
      await confirmOwnership(this.context, current, false);
      const out = new Uint8Array(request.length);
      const pieces = piecesOf(volume, request.offset, request.length);
      let degraded = false;
      const engine = this.engine(volume.k, volume.m);
      for (const piece of pieces) {
        const read = await readSettledRange(
          this.context.stores,
          engine,
          current,
          piece.index,
          piece.fragmentOffset,
          piece.length,
        );
        if (!read)
          throw new StripeUnavailableError(
            `${current.key}: fragment ${piece.index} cannot be read and fewer than ${volume.k} others are readable at their settled versions`,
          );
        degraded ||= read.degraded;
        if (read.degraded) this.context.stats.degradedReads += 1;
        out.set(read.bytes, piece.sourceOffset);
      }
      return {
        bytes: out,
        degraded,
        pieces: pieces.map((piece) => ({
          index: piece.index,
          version: current.registry[piece.index]!,
        })),
      };
    });
  }

  /** What this CM has done since it started. */
  get stats(): Readonly<CmStats> {
    return this.context.stats;
  }

  /** The repair queue: stripes this CM owns that the map lists with stale marks. */
  repairQueue(): { volume: VolumeRecord; stripe: number }[] {
    const state = this.options.map.current();
    const queue = new Map<string, { volume: VolumeRecord; stripe: number }>();
    for (const mark of state.marks ?? []) {
      const volume = state.volumes.find((record) => record.name === mark.volume);
      const key = stripeKey(mark.volume, mark.stripe);
      if (volume && ownerNow(state, key) === this.options.nodeId)
        queue.set(key, { volume, stripe: mark.stripe });
    }
    // Stripes settled for reads only (fewer than q fragments were reachable) wait for a repair too.
    for (const owned of this.stripes.values())
      if (owned.recovered && !owned.writable)
        queue.set(owned.key, { volume: owned.volume, stripe: owned.stripe });
    // Closest to data loss first: the stripes with the most marked fragments.
    // (Counted once: the map's marks are scanned per comparison otherwise.)
    const counts = new Map<string, number>();
    for (const mark of state.marks ?? []) {
      const key = stripeKey(mark.volume, mark.stripe);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const marked = (entry: { volume: VolumeRecord; stripe: number }): number =>
      counts.get(stripeKey(entry.volume.name, entry.stripe)) ?? 0;
    return [...queue.values()].sort((a, b) => marked(b) - marked(a));
  }

  /**
   * Repairs stripes of the repair queue, most degraded first, until `stripesMax` were tried or
   * `bytesMax` were written; resolves with what it did. The node calls this in the background.
   */
  async repairMarked(
    stripesMax = 16,
    bytesMax = Infinity,
  ): Promise<{ stripes: number; bytes: number }> {
    let stripes = 0;
    const startBytes = this.context.stats.repairBytes;
    const state = this.options.map.current();
    const up = new Set(state.members.filter((member) => member.state === 'up').map((m) => m.id));
    const marksOf = new Map<string, number[]>();
    for (const mark of state.marks ?? []) {
      const key = stripeKey(mark.volume, mark.stripe);
      const indexes = marksOf.get(key);
      if (indexes) indexes.push(mark.index);
      else marksOf.set(key, [mark.index]);
    }
    // A stripe whose marked fragments all sit on nodes that are not up cannot be repaired yet: it
    // waits for them to come back (or be declared out and rebuilt elsewhere) rather than costing a
    // fence, reads and proposals every pass.
    const repairable = this.repairQueue().filter(({ volume, stripe }) => {
      const key = stripeKey(volume.name, stripe);
      if (this.stripes.get(key)?.writable === false) return true;
      const nodes = fragmentNodes(state, volume, stripe);
      return (marksOf.get(key) ?? []).some(
        (index) => nodes[index] !== null && up.has(nodes[index]!),
      );
    });
    // A few stripes at a time: a repair waits on fences, reads, a write and a Raft entry in turn,
    // so one at a time leaves the disks and the network idle. Each start reserves what the stripe
    // will write against the byte budget (its marked data fragments and every parity, whole: a
    // repair rewrites the parities under its new stamp), and none starts once the reservations
    // reach it: the budget is passed by at most the last stripe started, as before.
    const todo = repairable.slice(0, stripesMax);
    let reserved = 0;
    const worker = async (): Promise<void> => {
      for (let next = todo.shift(); next; next = todo.shift()) {
        if (reserved >= bytesMax) return;
        const { k, m, blockBytes } = next.volume;
        const marked = marksOf.get(stripeKey(next.volume.name, next.stripe)) ?? [];
        reserved += (marked.filter((index) => index < k).length + m) * blockBytes;
        try {
          const owned = this.own(next.volume, next.stripe);
          await this.queued(owned, async (current) => {
            current.recovered = false;
            await this.ensureRecovered(current);
          });
          stripes++;
        } catch {
          // The stripe waits (unreachable fragments) or moved; the next pass tries again.
        }
      }
    };
    await Promise.all(Array.from({ length: REPAIRS_IN_FLIGHT }, worker));
    return { stripes, bytes: this.context.stats.repairBytes - startBytes };
  }

  /**
   * Checks that a stripe this CM owns sits where placement now puts it, and rebuilds it there if
   * not (a fragment on a new node reads as never written and is rewritten by the recovery);
   * resolves true when the stripe had to be recovered.
   */
  async rebuildStripe(volumeName: string, stripe: number): Promise<boolean> {
    const volume = this.options.map.current().volumes.find((record) => record.name === volumeName);
    if (!volume) throw new VolumeNotFoundError(volumeName);
    const owned = this.own(volume, stripe);
    const needed = !owned.recovered || owned.nodeCheck || movePending(owned);
    await this.queued(owned, () => Promise.resolve());
    return needed;
  }

  /**
   * Verifies (or recovers) the stripes of `stripes` that this CM owns and a node's mark covers, a
   * few at once so that their clears share Raft entries; resolves with how many it checked.
   */
  async verifyNodeMarks(stripes: Iterable<{ volume: string; stripe: number }>): Promise<number> {
    const state = this.options.map.current();
    if ((state.nodeMarks ?? []).length === 0) return 0;
    const todo = [...stripes].filter(({ volume: name, stripe }) => {
      const volume = state.volumes.find((record) => record.name === name);
      return (
        volume !== undefined &&
        ownerNow(state, stripeKey(name, stripe)) === this.options.nodeId &&
        nodeMarkPending(state, volume, stripe, fragmentLocations(state, volume, stripe))
      );
    });
    const checked = todo.length;
    const worker = async (): Promise<void> => {
      for (let next = todo.shift(); next; next = todo.shift()) {
        try {
          await this.rebuildStripe(next.volume, next.stripe);
        } catch {
          // It waits, or moved: the mark stays until a later pass finds it cleared.
        }
      }
    };
    await Promise.all(Array.from({ length: REPAIRS_IN_FLIGHT }, worker));
    return checked;
  }

  /**
   * After a pass over every stripe there is (`stripes`, as found on every member's store), tells
   * the map, for each node mark, that every one of them this CM owns now is cleared of it (the
   * mark goes once every CM of the epoch has said so); resolves with how many it reported.
   * Stripes it owns that are not cleared yet are recovered first (which clears them).
   */
  async reportNodeMarksSwept(
    stripes: readonly { volume: string; stripe: number }[],
  ): Promise<number> {
    let reported = 0;
    // A report names the epoch it was made in; when the epoch moves while it is on its way, the
    // stripes are looked at again as this CM owns them in the new one, and it reports again.
    for (let round = 0; round < SWEEP_REPORT_ROUNDS; round++) {
      if ((this.options.map.current().nodeMarks ?? []).length === 0) return reported;
      await this.verifyNodeMarks(stripes);
      const state = this.options.map.current();
      const pending = new Set<string>();
      for (const { volume: name, stripe } of stripes) {
        const volume = state.volumes.find((record) => record.name === name);
        if (!volume || ownerNow(state, stripeKey(name, stripe)) !== this.options.nodeId) continue;
        const sources = fragmentLocations(state, volume, stripe);
        for (const mark of nodeMarksOver(state, volume, stripe, sources)) pending.add(mark.node);
      }
      let epochMoved = false;
      for (const mark of state.nodeMarks ?? []) {
        if (pending.has(mark.node)) continue;
        if (mark.sweptEpoch === state.epoch && mark.swept.includes(this.options.nodeId)) continue;
        const result = await this.options.map
          .propose({
            type: 'node_mark_swept',
            proposer: this.options.nodeId,
            node: mark.node,
            markIndex: mark.index,
            epoch: state.epoch,
          })
          .catch(() => null);
        if (result?.ok) reported++;
        else if (result?.code === 'EPOCH_CHANGED') epochMoved = true;
      }
      if (!epochMoved) return reported;
    }
    return reported;
  }

  /**
   * Drops the stripe's spent abort records from the map (spent-aborts.ts), as its owner and after
   * its recovery if it needs one; resolves with how many were dropped.
   */
  async dropSpentAborts(volumeName: string, stripe: number): Promise<number> {
    const state = this.options.map.current();
    const named = (record: { volume: string; stripe: number }): boolean =>
      record.volume === volumeName && record.stripe === stripe;
    if (!(state.aborts ?? []).some(named)) return 0;
    const volume = state.volumes.find((record) => record.name === volumeName);
    if (!volume) throw new VolumeNotFoundError(volumeName);
    const owned = this.own(volume, stripe);
    return this.queued(owned, async (current) => {
      const spent = await spentAborts(this.context, current, this.options.map.current());
      if (spent.length === 0) return 0;
      const result = await this.options.map
        .propose({
          type: 'drop_aborts',
          proposer: this.options.nodeId,
          ownershipEpoch: current.ownershipEpoch,
          volume: volumeName,
          stripe,
          dropped: spent.map(({ index, above, upTo }) => ({ index, above, upTo })),
        })
        .catch(() => null);
      if (!result?.ok) return 0;
      this.context.stats.abortsDropped += spent.length;
      return spent.length;
    });
  }

  /**
   * Scrubs one stripe this CM owns: verifies every fragment's checksums, versions and the parity,
   * and repairs what it finds (a fragment rewritten whole, parity re-encoded from the data).
   */
  async scrubStripe(
    volumeName: string,
    stripe: number,
  ): Promise<{ findings: ScrubFinding[]; repaired: boolean }> {
    const volume = this.options.map.current().volumes.find((record) => record.name === volumeName);
    if (!volume) throw new VolumeNotFoundError(volumeName);
    const owned = this.own(volume, stripe);
    return this.queued(owned, async (current) => {
      const findings = await scrubFindings(this.context, current);
      if (findings.length === 0) return { findings, repaired: false };
      current.recovered = false;
      await recoverStripe(this.context, current, {
        rewriteParity: findings.some((finding) => finding.kind === 'parity'),
      });
      return { findings, repaired: true };
    });
  }

  private engine(k: number, m: number): ReedSolomon {
    const key = `${k}+${m}`;
    let engine = this.engines.get(key);
    if (!engine) {
      engine = new ReedSolomon(k, m);
      this.engines.set(key, engine);
    }
    return engine;
  }

  /** The volume and stripe of a request's range; a range crossing a stripe is refused. */
  private locate(
    name: string,
    offset: number,
    length: number | undefined,
  ): { volume: VolumeRecord; stripe: number } {
    if (typeof name !== 'string' || name.length === 0)
      throw new CmInvalidRequestError('volume', 'must name a volume');
    const volume = this.options.map.current().volumes.find((record) => record.name === name);
    if (!volume) throw new VolumeNotFoundError(name);
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new CmInvalidRequestError('offset', `must be an integer >= 0, got ${String(offset)}`);
    if (!Number.isSafeInteger(length) || length! < 1)
      throw new CmInvalidRequestError('length', `must be an integer >= 1, got ${String(length)}`);
    const stripeBytes = volume.k * volume.blockBytes;
    const stripe = Math.floor(offset / stripeBytes);
    if (offset + length! > (stripe + 1) * stripeBytes)
      throw new CmInvalidRequestError(
        'length',
        `[${offset}, ${offset + length!}) crosses the end of stripe ${stripe} at ${(stripe + 1) * stripeBytes}; split it per stripe`,
      );
    return { volume, stripe };
  }

  /** This CM's state of the stripe, new when its ownership began or changed; NotOwnerError otherwise. */
  private own(volume: VolumeRecord, stripe: number): OwnedStripe {
    const state = this.options.map.current();
    const key = stripeKey(volume.name, stripe);
    const since = ownershipEpochOf(state, key, this.options.nodeId, this.options.startEpoch);
    if (since === null) {
      this.stripes.delete(key);
      throw new NotOwnerError(ownerNow(state, key), state.epoch, key);
    }
    let owned = this.stripes.get(key);
    if (!owned || owned.ownershipEpoch !== since) {
      owned = newOwnedStripe(state, volume, stripe, since);
      // Its registry, all at version zero, is the settled state: it needs no recovery.
      if (knownEmpty(state, owned, this.touched.firstTouch(volume, stripe))) {
        owned.recovered = true;
        this.context.stats.knownEmpty += 1;
      }
      this.stripes.set(key, owned);
    }
    this.followTopology(state, owned);
    // A node back from down: its fragments of this stripe are verified (or rebuilt) first.
    if (owned.recovered && nodeMarkPending(state, volume, stripe, owned.sources))
      owned.nodeCheck = true;
    return owned;
  }

  /**
   * A placement change (a node out, draining or added) moves fragments: the fragments stay where
   * the map's layout says (sources) until the next recovery copies them and switches it.
   */
  private followTopology(state: Readonly<ClusterMapState>, owned: OwnedStripe): void {
    if (owned.topologyVersion === state.topologyVersion) return;
    owned.topologyVersion = state.topologyVersion;
    owned.nodes = fragmentNodes(state, owned.volume, owned.stripe);
    if (owned.nodes.some((node, index) => node !== null && node !== owned.sources[index]))
      owned.recovered = false;
  }

  /**
   * Runs `task` in the stripe's queue, after everything queued before it. Internal signals become
   * the caller's errors: a lost ownership forgets the stripe (NOT_OWNER when nothing may have
   * landed, OUTCOME_UNKNOWN otherwise).
   */
  private queued<T>(owned: OwnedStripe, task: (current: OwnedStripe) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.ready(owned);
      try {
        return await task(owned);
      } catch (error) {
        throw this.translate(owned, error);
      }
    };
    const result = owned.tail.then(run, run);
    owned.tail = result.catch(() => undefined);
    return result;
  }

  /** Before each task of the stripe's queue: still this CM's stripe, and recovered; the caller's error otherwise. */
  private async ready(owned: OwnedStripe): Promise<void> {
    if (this.stripes.get(owned.key) !== owned) {
      const state = this.options.map.current();
      throw new NotOwnerError(ownerNow(state, owned.key), state.epoch, owned.key);
    }
    try {
      await this.ensureRecovered(owned);
    } catch (error) {
      throw this.translate(owned, withApplied(error, false));
    }
  }

  private translate(owned: OwnedStripe, error: unknown): unknown {
    if (error instanceof OwnershipLost) {
      // Forget the stripe only when the map shows the ownership broken: while it still names this
      // CM since the same epoch, its seqs must go on from where they were (a fresh count would
      // stamp a version twice), so the stripe is only recovered again.
      const state = this.options.map.current();
      const since = ownershipEpochOf(
        state,
        owned.key,
        this.options.nodeId,
        this.options.startEpoch,
      );
      if (since === owned.ownershipEpoch) owned.recovered = false;
      else if (this.stripes.get(owned.key) === owned) this.stripes.delete(owned.key);
      if (error.applied) return new OutcomeUnknownError(error.message);
      if (since === owned.ownershipEpoch) return new StripeUnavailableError(error.message);
      return new NotOwnerError(ownerNow(state, owned.key), state.epoch, owned.key);
    }
    if (error instanceof ViewWrong) {
      owned.recovered = false;
      return error.applied
        ? new OutcomeUnknownError(error.message)
        : new StripeUnavailableError(error.message);
    }
    return error;
  }

  private async ensureRecovered(owned: OwnedStripe): Promise<void> {
    if (owned.recovered && owned.nodeCheck) {
      // The owner knows the settled versions: a fragment there at exactly its version is
      // verified without reading its bytes; anything else is found by a recovery.
      owned.nodeCheck = false;
      if (!(await verifyNodeMarked(this.context, owned))) owned.recovered = false;
    }
    if (owned.recovered) {
      // A move that could not finish (a target that did not answer) is tried again, at most
      // once every MOVE_RETRY_MS, on the stripe's next access or rebuild sweep.
      const now = this.context.wallMs();
      if (!owned.writable || !movePending(owned) || now < owned.moveRetryAtMs) return;
      owned.moveRetryAtMs = now + MOVE_RETRY_MS;
      if (!(await moveFragments(this.context, owned))) return;
    }
    await recoverStripe(this.context, owned, { rewriteParity: owned.rewriteParity });
    owned.rewriteParity = false;
  }

  /** One part: recognised when a retry finds it landed; otherwise applied (re-recovering on a wrong view). */
  private async writePiece(
    owned: OwnedStripe,
    piece: Piece,
    request: StripeWrite,
    part: number,
  ): Promise<Version> {
    const key = partKey(request.writer.writerId, request.writer.writerSeq, part);
    const known = owned.recent.get(key);
    if (known) return known;
    if (request.retry) {
      if (!owned.writable) {
        // Settled for reads only: a version found now may sit on fewer than q fragments, so it
        // cannot be acknowledged yet; the outcome stays open until a recovery reaches q.
        owned.recovered = false;
        throw new StripeUnavailableError(
          `${owned.key}: fewer than the write quorum of its fragments are reachable; the retry's outcome stays unknown`,
        );
      }
      const landed = await this.findLanded(owned, piece.index, request, part);
      if (landed) return landed;
    }
    owned.lastEventTimeMs = Math.max(owned.lastEventTimeMs, request.writer.eventTimeMs);
    const stamp: WriterStamp = {
      writerId: request.writer.writerId,
      writerSeq: request.writer.writerSeq,
      part,
      parts: request.writer.parts,
      eventTimeMs: owned.lastEventTimeMs,
    };
    const bytes = request.bytes.subarray(piece.sourceOffset, piece.sourceOffset + piece.length);
    for (let attempt = 0; ; attempt++) {
      try {
        const version = await updateFragment(
          this.context,
          owned,
          piece.index,
          piece.fragmentOffset,
          bytes,
          stamp,
        );
        this.remember(owned, key, version);
        return version;
      } catch (error) {
        if (!(error instanceof ViewWrong) || error.applied || attempt >= VIEW_RETRIES_MAX)
          throw error;
        owned.recovered = false;
        try {
          await this.ensureRecovered(owned);
        } catch (recoveryError) {
          throw withApplied(recoveryError, false);
        }
      }
    }
  }

  /**
   * Whether a retried part landed: the version that carries it, found in the history of the data
   * fragment or of any parity (a roll-forward from parity rewrites the data fragment under the
   * repair's stamp, so the parities may be the only witnesses), if that version is settled (not
   * above the data fragment's settled version) and recorded as aborted neither for the data
   * fragment nor for any parity. (Every update writes every parity, and a recovery that settles
   * below a version records the aborts of fragments it marks above what it settled: an abort of
   * the version on any of them means the stripe was settled without it, as a recovery's
   * reflectsAbort reads it. Seed 2393: the abort was recorded for the other parity alone.) A part
   * applied again after such an abort shows twice; the later one may be the landed one. Null
   * when every fragment was read and none shows it; OUTCOME_UNKNOWN when one that might could
   * not be read, or when a base names the writer with a sequence at or above the part's, so
   * that the retention sweep may have folded the part into it (mayBeFolded): its version is
   * gone, and with it any way to tell a landed part from a rolled-back one (the abort record may
   * be gone too, spent), so it is neither applied again (that would put its bytes back over every
   * later write: seed 1487 with --retention-ms 0) nor called landed.
   */
  private async findLanded(
    owned: OwnedStripe,
    index: number,
    request: StripeWrite,
    part: number,
  ): Promise<Version | null> {
    const { k, m } = owned.volume;
    const state = this.options.map.current();
    const written = [index, ...Array.from({ length: m }, (_, parity) => k + parity)];
    const abandoned = (version: Version): boolean =>
      written.some((at) => isAborted(state, owned.volume.name, owned.stripe, at, version));
    let unreadable = false;
    let folded = false;
    for (const candidate of written) {
      const store = storeOf(this.context.stores, owned, candidate);
      let history;
      try {
        if (!store) throw new Error('no node');
        history = await store.history(fragmentId(owned, candidate));
      } catch {
        unreadable = true;
        continue;
      }
      // A version that carried several writes' pieces names them all (update.ts updateStripe).
      const carries = (stamp: WriterStamp | null): boolean =>
        stamp?.writerId === request.writer.writerId &&
        stamp.writerSeq === request.writer.writerSeq &&
        stamp.part === part;
      const landed = history.find(
        (item) =>
          (carries(item.writer) || (item.alsoWriters ?? []).some(carries)) &&
          compareVersions(item.version, owned.registry[index]!) <= 0 &&
          !abandoned(item.version),
      );
      if (landed) return landed.version;
      if (history.some((item) => mayBeFolded(item.foldedWriters ?? [], request.writer)))
        folded = true;
    }
    if (unreadable)
      throw new OutcomeUnknownError(
        `${owned.key}: a fragment that would show whether part ${part} landed cannot be read`,
      );
    if (folded)
      throw new OutcomeUnknownError(
        `${owned.key}: part ${part} of write ${request.writer.writerId}:${request.writer.writerSeq} may have been folded into a fragment's base by the retention sweep, which folded that writer's writes up to this sequence or beyond; whether it landed or was rolled back can no longer be told`,
      );
    return null;
  }
}
