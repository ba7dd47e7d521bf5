/**
 * One update of a stripe's data (DESIGN.md, "The write path", steps 1 to 4), run by
 * the stripe's owner from its queue:
 *
 * 1. v' = (ownership epoch, next seq); the new registry names v' for the data fragment and for
 *    every parity fragment.
 * 2. The data range goes to the data fragment's store with the expected version; it returns the
 *    delta (old xor new). Where that store is down or stale, the old range is decoded from k
 *    fragments at exactly the settled versions instead.
 * 3. Every parity store gets the delta, its coefficient, v' and the new registry.
 * 4. Acknowledged once q fragments are consistent with v' (the ones that took it plus the
 *    untouched, unmarked data fragments), after a Raft read has confirmed the ownership and every
 *    fragment that missed it is marked stale at v' through Raft; with q > k, a miss on a node
 *    that the confirmed map lists as down counts as marked without a proposal (its node's mark,
 *    when it comes back, covers it: node-marks.ts).
 *
 * One round of store writes when the owner knows the old block (block-cache.ts): it computes
 * the delta itself and sends data and parity at once; two rounds (data, then parity) otherwise.
 * Several writes of one stripe queued together go as one update (updateStripe): one version for
 * all their data fragments, one parity write per parity fragment.
 */
import type { ClusterMapState } from '../cluster/cluster-map-types.js';
import { digestOf } from '../store/store-requests.js';
import type { Version, WriterStamp } from '../store/version.js';
import {
  confirmOwnership,
  OwnershipLost,
  proposeStripeRecord,
  ViewWrong,
  withApplied,
  type CmContext,
} from './cm-context.js';
import { OutcomeUnknownError, StripeUnavailableError } from './errors.js';
import { crc32c } from '@node-rs/crc32';
import { gfMulXor, xorOf } from '../../erasure/index.js';
import { copyRegistry, decodeRange, fragmentId, storeOf } from './fragment-io.js';
import { markedNow, nextVersion, type OwnedStripe } from './owned-stripe.js';
import { implicitMarks } from '../cluster/node-marks.js';

/** Writes `bytes` at `offset` of data fragment `index`; resolves with the acknowledged version. */
export async function updateFragment(
  context: CmContext,
  stripe: OwnedStripe,
  index: number,
  offset: number,
  bytes: Uint8Array,
  writer: WriterStamp,
): Promise<Version> {
  const { k, m, blockBytes } = stripe.volume;
  checkWritable(stripe);
  const expected = stripe.registry;
  const next = nextVersion(stripe);
  const registry = copyRegistry(expected);
  registry[index] = next;
  for (let parity = k; parity < k + m; parity++) registry[parity] = next;
  const stamp = { blockBytes, next, writer, settled: stripe.settled };
  const parities = (delta: Uint8Array): Promise<ParityResult[]> =>
    writeParities(context, stripe, index, offset, delta, stamp, registry);

  const oldBlock = knownBlock(context, stripe, index);
  let data: DataResult;
  let parityResults: ParityResult[];
  context.stats.updateRounds[oldBlock ? 0 : 1] += 1;
  if (oldBlock) {
    // The common path: the owner knows the old range, so data and parity go out at once.
    const delta = xorOf(oldBlock.subarray(offset, offset + bytes.length), bytes);
    [data, parityResults] = await Promise.all([
      writeDataFragment(context, stripe, index, offset, bytes, stamp, true),
      parities(delta),
    ]);
    // The store's delta (or its CRC32C, across the network) must be the owner's.
    if (deltaDiffers(data, delta)) {
      // A version is stamped once, so this is a bug: never acknowledge, and re-encode parity.
      stripe.rewriteParity = true;
      throw new ViewWrong(
        true,
        `${stripe.key}: fragment ${index}'s store saw another old range than the owner's cache`,
      );
    }
  } else {
    data = await writeDataFragment(context, stripe, index, offset, bytes, stamp);
    let delta = data.delta;
    if (!delta) {
      const old = await decodeRange(
        context.stores,
        context.engine(k, m),
        stripe,
        index,
        offset,
        bytes.length,
        new Set([index]),
      );
      if (!old) {
        if (data.maybeApplied) stripe.recovered = false;
        const message = `${stripe.key}: fragment ${index} is unreachable and fewer than ${k} others can be read to form its delta`;
        if (data.maybeApplied) throw new OutcomeUnknownError(message);
        throw new StripeUnavailableError(message);
      }
      delta = xorOf(old, bytes);
    }
    parityResults = await parities(delta);
  }
  await acknowledge(context, stripe, next, registry, new Map([[index, data.ok]]), parityResults);
  rememberBlock(context, stripe, index, offset, bytes, oldBlock, next);
  return next;
}

/** One data fragment's piece of a write that an update carries. */
export interface UpdatePiece {
  readonly index: number;
  /** Where in the data fragment. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly writer: WriterStamp;
}

/**
 * Whether one update can carry every piece of `pieces`: at most one piece per data fragment, and
 * the owner knows each old block at exactly its settled version (so the parity deltas are the
 * owner's to compute, and data and parity go out in one round).
 */
export function oneUpdateCarries(
  context: CmContext,
  stripe: OwnedStripe,
  pieces: readonly UpdatePiece[],
): boolean {
  const indexes = new Set(pieces.map((piece) => piece.index));
  return (
    indexes.size === pieces.length &&
    pieces.every((piece) => knownBlock(context, stripe, piece.index) !== null)
  );
}

/**
 * Writes several data fragments' pieces of the stripe as one update: one version v' that the
 * registry names for each of those data fragments and every parity, the data writes and one
 * parity delta per parity fragment (the sum of coefficient·delta over the pieces, computed here)
 * at once. Acknowledged, marked and confirmed as one update of one fragment is (step 4): a data
 * fragment that missed it is marked stale at v' like a parity. Each parity record carries every
 * piece's writer stamp, so that a retried part is found in a parity's history after a failover.
 * Only when oneUpdateCarries(pieces). Resolves with v'.
 */
export async function updateStripe(
  context: CmContext,
  stripe: OwnedStripe,
  pieces: readonly UpdatePiece[],
): Promise<Version> {
  const { k, m, blockBytes } = stripe.volume;
  checkWritable(stripe);
  const olds = pieces.map((piece) => knownBlock(context, stripe, piece.index));
  if (pieces.length === 0 || olds.some((old) => old === null))
    throw new Error(`${stripe.key}: updateStripe without every old block known`);
  const next = nextVersion(stripe);
  const registry = copyRegistry(stripe.registry);
  for (const piece of pieces) registry[piece.index] = next;
  for (let parity = k; parity < k + m; parity++) registry[parity] = next;
  const deltas = pieces.map((piece, at) =>
    xorOf(olds[at]!.subarray(piece.offset, piece.offset + piece.bytes.length), piece.bytes),
  );
  const start = Math.min(...pieces.map((piece) => piece.offset));
  const end = Math.max(...pieces.map((piece) => piece.offset + piece.bytes.length));
  const engine = context.engine(k, m);
  const base = { blockBytes, next, settled: stripe.settled };
  const parityWrites = Array.from({ length: m }, (_, parity) => {
    const delta = new Uint8Array(end - start);
    pieces.forEach((piece, at) => {
      const from = piece.offset - start;
      gfMulXor(
        delta.subarray(from, from + piece.bytes.length),
        deltas[at]!,
        engine.coefficient(parity, piece.index),
      );
    });
    return writeParityFragment(context, stripe, k + parity, {
      ...base,
      writer: pieces[0]!.writer,
      alsoWriters: pieces.slice(1).map((piece) => piece.writer),
      fragment: fragmentId(stripe, k + parity),
      expected: stripe.registry[k + parity]!,
      offset: start,
      delta,
      coefficient: 1,
      registry,
      digest: digestOf(delta),
    });
  });
  const dataWrites = pieces.map((piece) =>
    writeDataFragment(
      context,
      stripe,
      piece.index,
      piece.offset,
      piece.bytes,
      { ...base, writer: piece.writer },
      true,
      // Each data fragment keeps the registry too: a recovery that finds only some of them at
      // v' knows which others v' wrote, and does not settle on half an update.
      pieces.length > 1 ? registry : undefined,
    ),
  );
  const [dataOutcomes, parityResults] = await Promise.all([
    Promise.allSettled(dataWrites),
    Promise.all(parityWrites),
  ]);
  // Other pieces may have landed beside a refusal: nothing here is "surely not applied".
  const refused = dataOutcomes.find((outcome) => outcome.status === 'rejected');
  if (refused) throw withApplied(refused.reason, true);
  const data = dataOutcomes.map((outcome) => (outcome as PromiseFulfilledResult<DataResult>).value);
  pieces.forEach((piece, at) => {
    if (deltaDiffers(data[at]!, deltas[at]!)) {
      stripe.rewriteParity = true;
      throw new ViewWrong(
        true,
        `${stripe.key}: fragment ${piece.index}'s store saw another old range than the owner's cache`,
      );
    }
  });
  await acknowledge(
    context,
    stripe,
    next,
    registry,
    new Map(pieces.map((piece, at) => [piece.index, data[at]!.ok])),
    parityResults,
  );
  pieces.forEach((piece, at) =>
    rememberBlock(context, stripe, piece.index, piece.offset, piece.bytes, olds[at]!, next),
  );
  context.stats.updateRounds[0] += 1;
  context.stats.mergedUpdates += 1;
  context.stats.mergedPieces += pieces.length;
  return next;
}

/** Whether a data store's delta (or its CRC32C) is other than the one the owner computed. */
function deltaDiffers(data: DataResult, delta: Uint8Array): boolean {
  return data.delta
    ? !equalBytes(data.delta, delta)
    : data.deltaCrc32c !== undefined && data.deltaCrc32c !== crc32c(delta);
}

/** Writes pause while the last recovery reached fewer than q fragments. */
function checkWritable(stripe: OwnedStripe): void {
  if (stripe.writable) return;
  // Nothing is sent; the next operation recovers again and finds out whether enough are back.
  stripe.recovered = false;
  throw new StripeUnavailableError(
    `${stripe.key}: fewer than the write quorum ${stripe.volume.writeQuorum} of its fragments are reachable; writes pause, reads go on`,
  );
}

/**
 * Step 4 of update v' (registry `registry`), which wrote the data fragments of `dataOk` (true
 * where the store took it) and every parity: at least q fragments consistent with v', the
 * ownership confirmed through Raft, every miss marked; then the owner's view moves to v'.
 */
async function acknowledge(
  context: CmContext,
  stripe: OwnedStripe,
  next: Version,
  registry: Version[],
  dataOk: ReadonlyMap<number, boolean>,
  parityResults: readonly ParityResult[],
): Promise<void> {
  const { k, writeQuorum } = stripe.volume;
  const touchedOk =
    [...dataOk.values()].filter(Boolean).length +
    parityResults.filter((result) => result === 'ok').length;
  if (parityResults.includes('fenced'))
    throw new OwnershipLost(
      true,
      `${stripe.key}: a parity store is fenced at a newer ownership epoch`,
    );
  if (parityResults.includes('ahead'))
    throw new ViewWrong(true, `${stripe.key}: a parity fragment is ahead of the owner's registry`);
  // Untouched data fragments count when unmarked; with q > k one on a node that the map lists as
  // not up, or under its node's mark, counts as marked (DESIGN.md step 4), so an acknowledgement
  // keeps its failure to spare.
  const state = context.map.current();
  const notUp = nodesNotUp(state);
  const implicit = implicitMarks(state, stripe.volume, stripe.stripe, stripe.sources);
  let untouchedOk = 0;
  for (let other = 0; other < k; other++) {
    const down = writeQuorum > k && (notUp.has(stripe.nodes[other] ?? '') || implicit.has(other));
    if (!dataOk.has(other) && !markedNow(stripe, other) && !down && stripe.nodes[other] !== null)
      untouchedOk++;
  }
  if (touchedOk + untouchedOk < writeQuorum) {
    stripe.recovered = false;
    throw new OutcomeUnknownError(
      `${stripe.key}: version ${next.epoch}.${next.seq} reached ${touchedOk + untouchedOk} fragments, fewer than the write quorum ${writeQuorum}`,
    );
  }
  const dataMissed = [...dataOk].flatMap(([index, ok]) => (ok ? [] : [index]));
  if (dataMissed.length > 0) context.stats.degradedWrites += 1;
  const missed = [
    ...dataMissed,
    ...parityResults.flatMap((result, parity) => (result === 'ok' ? [] : [k + parity])),
  ];
  const confirmed = await confirmOwnership(context, stripe, true);
  if (missed.length > 0) {
    // As of the confirmed map: a miss on a node it lists down is marked by the node's mark later.
    const down = implicitMarks(confirmed, stripe.volume, stripe.stripe, stripe.sources);
    const proposed = missed.filter((at) => down.get(at) !== 'down');
    if (proposed.length > 0) await markStale(context, stripe, proposed, next, true);
    for (const at of missed) if (down.get(at) === 'down') stripe.downMisses.add(at);
  }
  stripe.registry = registry;
  stripe.settled = next;
}

/** The nodes the map lists as anything but up. */
function nodesNotUp(state: Readonly<ClusterMapState>): Set<string> {
  return new Set(
    state.members.filter((member) => member.state !== 'up').map((member) => member.id),
  );
}

/** The whole old block of data fragment `index` at its settled version, if the owner knows it. */
function knownBlock(context: CmContext, stripe: OwnedStripe, index: number): Uint8Array | null {
  const version = stripe.registry[index]!;
  if (markedNow(stripe, index)) return null;
  if (version.epoch === 0 && version.seq === 0) return new Uint8Array(stripe.volume.blockBytes);
  return context.cache.get(blockKey(stripe, index), version);
}

/** Caches the block as this update left it, when the owner knows all of it. */
function rememberBlock(
  context: CmContext,
  stripe: OwnedStripe,
  index: number,
  offset: number,
  bytes: Uint8Array,
  oldBlock: Uint8Array | null,
  version: Version,
): void {
  const key = blockKey(stripe, index);
  if (!oldBlock && bytes.length !== stripe.volume.blockBytes) return context.cache.delete(key);
  // The old block changes in place: the cache held it for the version this update replaced, and
  // only the stripe's next update (after this one, in its queue) reads it.
  const block = oldBlock ?? new Uint8Array(stripe.volume.blockBytes);
  block.set(bytes, offset);
  context.cache.set(key, version, block);
}

/** The cache key of a data fragment. */
export function blockKey(stripe: OwnedStripe, index: number): string {
  return `${stripe.key}/${index}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

type ParityResult = 'ok' | 'missed' | 'fenced' | 'ahead';
type DataResult = {
  ok: boolean;
  delta?: Uint8Array;
  deltaCrc32c?: number;
  maybeApplied: boolean;
};

/** Step 3: the delta to every parity fragment, with its coefficient, v' and the new registry. */
function writeParities(
  context: CmContext,
  stripe: OwnedStripe,
  index: number,
  offset: number,
  delta: Uint8Array,
  stamp: StampBase,
  registry: Version[],
): Promise<ParityResult[]> {
  const { k, m } = stripe.volume;
  const engine = context.engine(k, m);
  const digest = digestOf(delta);
  return Promise.all(
    Array.from({ length: m }, (_, parity) =>
      writeParityFragment(context, stripe, k + parity, {
        ...stamp,
        fragment: fragmentId(stripe, k + parity),
        expected: stripe.registry[k + parity]!,
        offset,
        delta,
        coefficient: engine.coefficient(parity, index),
        registry,
        digest,
      }),
    ),
  );
}

/** Marks `indexes` stale at `version` in the map (moving marks up), and in the owner's view. */
export async function markStale(
  context: CmContext,
  stripe: OwnedStripe,
  indexes: readonly number[],
  version: Version,
  applied: boolean,
  abortUpTo?: Version,
): Promise<void> {
  await proposeStripeRecord(
    context,
    stripe,
    {
      type: 'mark_stale',
      proposer: context.nodeId,
      ownershipEpoch: stripe.ownershipEpoch,
      marks: indexes.map((index) => ({
        volume: stripe.volume.name,
        stripe: stripe.stripe,
        index,
        version,
        ...(abortUpTo ? { abortUpTo } : {}),
      })),
    },
    applied,
  );
  context.stats.marks += indexes.length;
  for (const index of indexes) {
    const known = stripe.marks.get(index);
    if (
      !known ||
      known.version.epoch < version.epoch ||
      (known.version.epoch === version.epoch && known.version.seq < version.seq)
    )
      stripe.marks.set(index, { version, ownershipEpoch: stripe.ownershipEpoch });
  }
}

type StampBase = { blockBytes: number; next: Version; writer: WriterStamp; settled: Version };

/** Step 2: the data write. `delta` is present when the store took it. */
async function writeDataFragment(
  context: CmContext,
  stripe: OwnedStripe,
  index: number,
  offset: number,
  bytes: Uint8Array,
  stamp: StampBase,
  /** The owner knows the delta: a CRC32C of the store's is enough to check it. */
  deltaCrcOnly = false,
  /** The update's registry, kept with the version when the update writes several data fragments. */
  registry?: Version[],
): Promise<DataResult> {
  const store = storeOf(context.stores, stripe, index);
  if (!store || markedNow(stripe, index)) return { ok: false, maybeApplied: false };
  let outcome;
  try {
    outcome = await store.writeData({
      ...stamp,
      fragment: fragmentId(stripe, index),
      expected: stripe.registry[index]!,
      offset,
      bytes,
      digest: digestOf(bytes),
      deltaCrcOnly,
      ...(registry ? { registry } : {}),
    });
  } catch {
    return { ok: false, maybeApplied: true };
  }
  if (outcome.ok)
    return {
      ok: true,
      ...(outcome.delta ? { delta: outcome.delta } : {}),
      ...(outcome.deltaCrc32c !== undefined ? { deltaCrc32c: outcome.deltaCrc32c } : {}),
      maybeApplied: true,
    };
  if (outcome.reason === 'fenced')
    throw new OwnershipLost(
      false,
      `${stripe.key}: fragment ${index}'s store is fenced at epoch ${outcome.fenceEpoch}`,
    );
  if (outcome.reason === 'behind') return { ok: false, maybeApplied: false };
  throw new ViewWrong(
    false,
    `${stripe.key}: fragment ${index} refused the write (${outcome.reason})`,
  );
}

/** Step 3 for one parity fragment: 'ok', a miss ('missed'), or a refusal that stops the update. */
async function writeParityFragment(
  context: CmContext,
  stripe: OwnedStripe,
  index: number,
  request: Parameters<import('./ports.js').StorePort['applyParity']>[0],
): Promise<ParityResult> {
  const store = storeOf(context.stores, stripe, index);
  if (!store || markedNow(stripe, index)) return 'missed';
  try {
    const outcome = await store.applyParity(request);
    if (outcome.ok) return 'ok';
    if (outcome.reason === 'fenced') return 'fenced';
    if (outcome.reason === 'behind') return 'missed';
    return 'ahead';
  } catch {
    return 'missed';
  }
}
