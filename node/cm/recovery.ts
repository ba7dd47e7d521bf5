/**
 * Recovery of one stripe by its owner (DESIGN.md, "Failure and recovery", "A new owner"): fence
 * every store with the ownership epoch, read the marks and aborts through Raft, read every
 * fragment that a fenced store holds, decide the newest state (stripe-check.ts), and repair:
 * mark what was not read (and roll back what is ahead, recording the abort) before the first
 * write, rewrite what is not consistent under a new stamp, mark what the repair missed, clear
 * the marks of what it rebuilt, confirm ownership. Until a state can be decided the stripe waits.
 */
import { fragmentLocations, isAborted } from '../cluster/stripe-records.js';
import { digestOf } from '../store/store-requests.js';
import type { HistoryEntry } from '../store/fragment-store.js';
import { compareVersions, sameVersion, type Version } from '../store/version.js';
import type { ClusterMapState, NodeMark } from '../cluster/cluster-map-types.js';
import {
  confirmOwnership,
  OwnershipLost,
  proposeStripeRecord,
  settleRecordsInDoubt,
  ViewWrong,
  type CmContext,
} from './cm-context.js';
import { StripeUnavailableError } from './errors.js';
import { copyRegistry, fragmentId } from './fragment-io.js';
import { markedNow, marksOf, newestOf, nextVersion, type OwnedStripe } from './owned-stripe.js';
import { checkStripe, type FragmentView, type StripeDecision } from './stripe-check.js';
import { implicitMarks, nodeMarksOver } from '../cluster/node-marks.js';
import { moveFragments, proposeLayout } from './moves.js';
import { blockKey, markStale } from './update.js';

/** A fragment as read during recovery: its view for the check, its bytes and its store's version. */
interface FragmentState {
  view: FragmentView;
  /** The bytes of the view's version (stepped back over aborted versions). */
  bytes?: Uint8Array;
  /** The version its store holds now (the expected version of a rewrite). */
  actual?: Version;
  /** True when the store's current version is aborted: it must be rewritten. */
  steppedBack: boolean;
  /** The version of a fragment whose bytes fail their checksum (unusable, rewritten whole). */
  corrupt?: Version;
  /** The node it was read from. */
  node?: string;
}

const REPAIR_WRITER = { writerId: 'tessera-repair', writerSeq: 0, part: 0, parts: 1 };

/**
 * Recovers the stripe, then moves the fragments that placement now puts elsewhere; throws
 * StripeUnavailableError when it must wait, OwnershipLost, ViewWrong.
 */
export async function recoverStripe(
  context: CmContext,
  stripe: OwnedStripe,
  options: { rewriteParity?: boolean } = {},
): Promise<void> {
  // The layout as applied here: every switch an earlier owner made committed before this
  // ownership's epoch, and this owner's own switches are applied before their proposals resolve.
  // One whose proposal failed may still come: the layout as it stands is set again, under a
  // newer stamp, so that the map refuses it if it does.
  if (stripe.layoutInDoubt) {
    const nodes = fragmentLocations(context.map.current(), stripe.volume, stripe.stripe);
    await proposeLayout(context, stripe, nodes, nextVersion(stripe));
  }
  stripe.sources = fragmentLocations(context.map.current(), stripe.volume, stripe.stripe);
  await settleStripe(context, stripe, options);
  if (!stripe.recovered || !stripe.writable) return;
  // A fragment switched to its new node while its old one cannot be read is marked: rebuild it.
  if (await moveFragments(context, stripe)) await settleStripe(context, stripe, {});
}

/** Fences, reads, decides and repairs the stripe where its layout puts it. */
async function settleStripe(
  context: CmContext,
  stripe: OwnedStripe,
  options: { rewriteParity?: boolean },
): Promise<void> {
  const { k, m, writeQuorum } = stripe.volume;
  context.stats.recoveries += 1;
  // First what an earlier attempt proposed without learning the outcome: applied late, after
  // this recovery decided, a mark's aborts could undo what it keeps (seed 6784 of RS(4,2)).
  await settleRecordsInDoubt(context, stripe);
  if (options.rewriteParity)
    for (let index = 0; index < k; index++) context.cache.delete(blockKey(stripe, index));
  const fenced = await fenceStores(context, stripe);
  const state = await confirmOwnership(context, stripe, false);
  stripe.marks = marksOf(state, stripe.volume.name, stripe.stripe);
  stripe.downMisses = new Set();
  stripe.nodeCheck = false;
  // With q > k, a fragment on a node listed down, or under its node's mark, may have missed
  // acknowledged updates that no mark names (node-marks.ts). Where every fragment was read, the
  // holders of the newest update that reached q were read too, and their registries show it
  // stale: it is decided with, except as evidence that a version was never acknowledged.
  // Otherwise it is decided without, as if not read, then verified against the decided state.
  const implicit = implicitMarks(state, stripe.volume, stripe.stripe, stripe.sources);
  let fragments = await Promise.all(
    fenced.map((node, index) => readAtLocation(context, stripe, state, index, node)),
  );
  const allRead = fragments.every((fragment) => fragment.view.read);
  const check = (read: readonly FragmentState[]): StripeDecision =>
    checkStripe({
      k,
      m,
      fragments: read.map((fragment, index) =>
        implicit.has(index) && !allRead ? { index, read: false } : fragment.view,
      ),
      marks: new Map([...stripe.marks].map(([index, mark]) => [index, mark.version])),
      unsure: new Set(implicit.keys()),
      writeQuorum,
    });
  let checked = check(fragments);
  if (checked.kind === 'wait' && checked.disproved) {
    const second = await secondLook(context, stripe, state, fragments, checked.disproved, check);
    if (second) ({ fragments, checked } = second);
  }
  if (checked.kind === 'wait') {
    stripe.recovered = false;
    throw new StripeUnavailableError(`${stripe.key} is waiting for recovery: ${checked.reason}`);
  }
  const decision = allRead ? checked : verifyImplicit(checked, fragments, implicit.keys(), k);
  const nodeMarks = nodeMarksOver(state, stripe.volume, stripe.stripe, stripe.sources);
  const rewrite = new Set(decision.rewrite);
  fragments.forEach((fragment, index) => {
    // Rewritten too: a fragment stepped back over aborted versions, one whose checksum failed,
    // and (a scrub that found parity not matching the data) every parity read.
    if (fragment.steppedBack || fragment.corrupt) rewrite.add(index);
    if (options.rewriteParity && decision.from === 'data' && index >= k && fragment.view.read)
      rewrite.add(index);
  });
  const parityVersions = decision.members
    .filter((index) => index >= k)
    .map((index) => fragments[index]!.view.version!);
  // Members that carry a mark hold exactly its version, which the settled registry names: verified.
  const verified = decision.members.filter(
    (index) => stripe.marks.has(index) && !rewrite.has(index),
  );
  if (rewrite.size === 0 && decision.unread.length === 0) {
    stripe.writable = true;
    if (verified.length > 0 || nodeMarks.length > 0) {
      await clearMarks(context, stripe, verified, false);
      await clearNodeMarks(context, stripe, nodeMarks, false);
      await confirmOwnership(context, stripe, false);
    }
    stripe.registry = [
      ...decision.dataVersions,
      ...fragments.slice(k).map((fragment) => fragment.view.version!),
    ];
    stripe.settled = newestOf(stripe.registry);
    stripe.recovered = true;
    for (let index = 0; index < k; index++)
      context.cache.set(
        blockKey(stripe, index),
        decision.dataVersions[index]!,
        fragments[index]!.bytes!,
      );
    return;
  }
  const reachable = fragments.filter((fragment) => fragment.view.read || fragment.corrupt).length;
  if (reachable < writeQuorum) {
    // The state is decided but a repair could not reach q: serve reads from the decided state
    // (decoded around what is not at it) and pause writes, writing nothing, until a recovery
    // reaches q. ("Reads go on, degraded; writes pause", DESIGN.md.)
    const unusable = { epoch: 2 ** 32, seq: 0 };
    const exact = new Set(decision.members.filter((index) => !rewrite.has(index)));
    stripe.registry = [
      ...decision.dataVersions,
      ...fragments
        .slice(k)
        .map((fragment, parity) => (exact.has(k + parity) ? fragment.view.version! : unusable)),
    ];
    stripe.settled = newestOf(decision.dataVersions);
    stripe.recovered = true;
    stripe.writable = false;
    return;
  }
  stripe.writable = true;
  const shards = settledShards(context, stripe, fragments, decision.members);
  const toMark = [...decision.unread, ...decision.rolledBack];
  if (toMark.length > 0) {
    const abortUpTo = { epoch: stripe.ownershipEpoch, seq: stripe.seqIssued };
    const parityState = newestOf([...parityVersions, ...decision.dataVersions]);
    for (const index of toMark) {
      const version = index < k ? decision.dataVersions[index]! : parityState;
      await markStale(
        context,
        stripe,
        [index],
        version,
        false,
        compareVersions(abortUpTo, version) > 0 ? abortUpTo : undefined,
      );
    }
  }
  if (decision.disproved.length > 0) {
    // Parity versions proved never acknowledged are passed over: recorded as aborted (for the
    // data fragments they named) before the repair's first write, so no history serves them.
    await proposeStripeRecord(
      context,
      stripe,
      {
        type: 'record_aborts',
        proposer: context.nodeId,
        ownershipEpoch: stripe.ownershipEpoch,
        volume: stripe.volume.name,
        stripe: stripe.stripe,
        aborted: decision.disproved.map(({ index, version }) => ({ index, version })),
      },
      false,
    );
  }
  await repairWrites(
    context,
    stripe,
    fragments,
    shards,
    rewrite,
    decision.dataVersions,
    writeQuorum,
    verified,
  );
  // Every fragment under a node's mark is now verified, rebuilt, or marked stale on its own.
  await clearNodeMarks(context, stripe, nodeMarks, true);
}

type Settled = Extract<StripeDecision, { kind: 'settled' }>;

/**
 * The decision taken without the implicitly marked fragments, with each of them that was read
 * and holds exactly the decided version put back as a member (a data fragment at the version the
 * settled registry names; a parity at the version and registry of a parity member: a version is
 * stamped once, so its bytes are the decided state's). Any other stays as not read (marked at the
 * settled version before the repair, with what an earlier owner issued above it recorded as
 * aborted, so that no retry or history takes a version the decision passed over) and is rewritten.
 * (The simulator's seed 1436: a parity left at an update short of q, hidden under its node's mark,
 * was rewritten without the abort, and a retry of that update found it in the parity's history
 * and was acknowledged.)
 */
function verifyImplicit(
  decision: Settled,
  fragments: readonly FragmentState[],
  implicit: Iterable<number>,
  k: number,
): Settled {
  const members = [...decision.members];
  const rewrite = [...decision.rewrite];
  const putBack = new Set<number>();
  for (const index of implicit) {
    const { view } = fragments[index]!;
    if (!view.read) continue;
    const twin =
      index < k
        ? sameVersion(view.version!, decision.dataVersions[index]!)
          ? index
          : undefined
        : decision.members.find(
            (member) =>
              member >= k &&
              sameVersion(fragments[member]!.view.version!, view.version!) &&
              !view.reflectsAbort,
          );
    rewrite.push(index);
    if (twin === undefined) continue;
    putBack.add(index);
    members.push(index);
    // Verified: rewritten only where its twin is (a parity of the same data at an older version).
    if (twin === index || !decision.rewrite.includes(twin)) rewrite.pop();
  }
  return {
    ...decision,
    members,
    rewrite,
    unread: decision.unread.filter((index) => !putBack.has(index)),
  };
}

/**
 * Verifies a recovered stripe's fragments under a node's mark against the settled versions the
 * owner holds: each is fenced at the owner's (epoch, highest seq), as a recovery would, and must
 * be at exactly its settled version (a version is stamped once, so its bytes are the settled
 * ones); then the stripe is cleared from the mark. Resolves false when one is not (or cannot be
 * asked): a recovery then reads, decides and rebuilds.
 */
export async function verifyNodeMarked(context: CmContext, stripe: OwnedStripe): Promise<boolean> {
  const state = context.map.current();
  const implicit = implicitMarks(state, stripe.volume, stripe.stripe, stripe.sources);
  const marks: NodeMark[] = [];
  for (const [index, reason] of implicit) {
    if (reason === 'down') continue;
    if (!stripe.writable || markedNow(stripe, index)) return false;
    const node = stripe.sources[index]!;
    const store = context.stores.store(node);
    let version: Version;
    try {
      const now = await store.fence(
        stripe.volume.name,
        stripe.stripe,
        stripe.ownershipEpoch,
        stripe.seqIssued,
      );
      if (now > stripe.ownershipEpoch)
        throw new OwnershipLost(
          false,
          `${stripe.key} is fenced at epoch ${now}, above ${stripe.ownershipEpoch}`,
        );
      version = (await store.read(fragmentId(stripe, index), stripe.volume.blockBytes, 0, 0))
        .version;
    } catch (error) {
      if (error instanceof OwnershipLost) throw error;
      return false;
    }
    if (!sameVersion(version, stripe.registry[index]!)) return false;
    if (!marks.includes(reason)) marks.push(reason);
  }
  await clearNodeMarks(context, stripe, marks, false);
  return true;
}

/** Clears this stripe from each node's mark that covered it (only the owner may). */
async function clearNodeMarks(
  context: CmContext,
  stripe: OwnedStripe,
  marks: readonly NodeMark[],
  applied: boolean,
): Promise<void> {
  for (const mark of marks)
    await proposeStripeRecord(
      context,
      stripe,
      {
        type: 'clear_node_mark',
        proposer: context.nodeId,
        ownershipEpoch: stripe.ownershipEpoch,
        node: mark.node,
        markIndex: mark.index,
        stripes: [{ volume: stripe.volume.name, stripe: stripe.stripe }],
      },
      applied,
    );
}

/** Clears the marks of fragments rebuilt, or verified at the settled version (only the owner may). */
async function clearMarks(
  context: CmContext,
  stripe: OwnedStripe,
  indexes: Iterable<number>,
  applied: boolean,
): Promise<void> {
  for (const index of indexes) {
    const mark = stripe.marks.get(index);
    if (!mark) continue;
    await proposeStripeRecord(
      context,
      stripe,
      {
        type: 'clear_mark',
        proposer: context.nodeId,
        ownershipEpoch: stripe.ownershipEpoch,
        volume: stripe.volume.name,
        stripe: stripe.stripe,
        index,
        version: mark.version,
        markEpoch: mark.ownershipEpoch,
      },
      applied,
    );
    stripe.marks.delete(index);
  }
}

/**
 * Fences the store at each fragment's location (and nowhere else: a copy elsewhere may be old,
 * or empty, and read as the fragment it would lose acknowledged writes); resolves with, per
 * fragment, its location if that store acknowledged (a fence newer than the owner's loses the
 * stripe).
 */
async function fenceStores(context: CmContext, stripe: OwnedStripe): Promise<(string | null)[]> {
  const nodes = [...new Set(stripe.sources.filter((node): node is string => node !== null))];
  const fenced = new Set<string>();
  await Promise.all(
    nodes.map(async (node) => {
      let now: number;
      try {
        // (epoch, highest seq issued): shuts out the stripe's earlier owners, and this owner's
        // own writes from before this recovery that may still be on their way.
        now = await context.stores
          .store(node)
          .fence(stripe.volume.name, stripe.stripe, stripe.ownershipEpoch, stripe.seqIssued);
      } catch {
        return;
      }
      if (now > stripe.ownershipEpoch)
        throw new OwnershipLost(
          false,
          `${stripe.key} is fenced at epoch ${now}, above ${stripe.ownershipEpoch}`,
        );
      fenced.add(node);
    }),
  );
  return stripe.sources.map((node) => (node !== null && fenced.has(node) ? node : null));
}

/**
 * The second look of a stripe that must wait: every fragment that holds a version the check
 * proved never acknowledged (`disproved`) is read again from its history, from before it, as if
 * it were aborted, and the stripe checked again. A data fragment may hold part of such an update
 * (seeds 254 and 1700 of RS(4,2)); a parity's earlier version may be the only holder of an
 * acknowledged update that a fragment missed (seed 1909). Resolves with the fragments so read
 * and the decision, its disproved versions recorded aborted by the caller, when it settles;
 * with undefined, recording nothing, otherwise (seed 208: a version recorded aborted on a guess
 * left a stripe waiting for ever), and when a fragment cannot be read again (a fragment that
 * may have missed updates unmarked would then be taken as read).
 */
async function secondLook(
  context: CmContext,
  stripe: OwnedStripe,
  state: Readonly<ClusterMapState>,
  fragments: FragmentState[],
  disproved: readonly { index: number; version: Version }[],
  check: (read: readonly FragmentState[]) => StripeDecision,
): Promise<{ fragments: FragmentState[]; checked: StripeDecision } | undefined> {
  const { k } = stripe.volume;
  const held = (fragment: FragmentState, index: number): boolean =>
    fragment.view.read &&
    disproved.some(
      (entry) =>
        (index >= k || entry.index === index) && sameVersion(entry.version, fragment.view.version!),
    );
  if (!fragments.some(held)) return undefined;
  const again = await Promise.all(
    fragments.map((fragment, index) =>
      held(fragment, index)
        ? readAtLocation(context, stripe, state, index, fragment.node ?? null, disproved)
        : Promise.resolve(fragment),
    ),
  );
  const readAgain = again.every(
    (fragment, index) =>
      !held(fragments[index]!, index) || (fragment.view.read && !fragment.corrupt),
  );
  const checked = readAgain ? check(again) : undefined;
  if (checked?.kind !== 'settled') return undefined;
  context.stats.historyRollbacks += 1;
  const known = (entry: { index: number; version: Version }): boolean =>
    checked.disproved.some(
      (other) => other.index === entry.index && sameVersion(other.version, entry.version),
    );
  return {
    fragments: again,
    checked: {
      ...checked,
      disproved: [...checked.disproved, ...disproved.filter((e) => !known(e))],
    },
  };
}

/** Reads fragment `index` at its location, if that store acknowledged the fence. */
async function readAtLocation(
  context: CmContext,
  stripe: OwnedStripe,
  state: Readonly<ClusterMapState>,
  index: number,
  node: string | null,
  passOver: readonly { index: number; version: Version }[] = [],
): Promise<FragmentState> {
  if (node === null) return unread(index);
  const read = { ...(await readFragment(context, stripe, state, index, node, passOver)), node };
  return read.view.read || read.corrupt ? read : unread(index);
}

function unread(index: number): FragmentState {
  return { view: { index, read: false }, steppedBack: false };
}

/**
 * Reads a whole fragment. A fragment at a version recorded as aborted, or in `passOver` (versions
 * proved never acknowledged, for a second look), is read as its newest earlier version that is
 * neither, from its history (DESIGN.md: it holds its newest earlier version): a data fragment
 * with that version's bytes, a parity with its bytes and the registry it was written with. So is
 * a parity whose registry names such a version. Where history cannot tell (folded into a base,
 * damaged, no registry), a data fragment counts as not read and a parity is kept as read and
 * flagged as reflecting an abort (the check then never uses it).
 */
async function readFragment(
  context: CmContext,
  stripe: OwnedStripe,
  state: Readonly<ClusterMapState>,
  index: number,
  node: string,
  passOver: readonly { index: number; version: Version }[],
): Promise<FragmentState> {
  const store = context.stores.store(node);
  const id = fragmentId(stripe, index);
  const { blockBytes, k, name } = stripe.volume;
  const width = stripe.nodes.length;
  try {
    const read = await store.read(id, blockBytes, 0, blockBytes);
    const passedOver = (at: number, version: Version): boolean =>
      isAborted(state, name, stripe.stripe, at, version) ||
      passOver.some((entry) => entry.index === at && sameVersion(entry.version, version));
    // A version this fragment must not be read at: passed over for its own index, or for a
    // parity, for any index (every update writes every parity); or, for a parity, one whose
    // registry names a passed-over version.
    const skipped = (version: Version, registry: readonly Version[] | null | undefined): boolean =>
      passedOver(index, version) ||
      (index >= k &&
        (passOver.some((entry) => sameVersion(entry.version, version)) ||
          (registry ?? []).some((named, at) => passedOver(at, named))));
    // A parity never written names every fragment as never written (all zeros encode to zeros).
    if (index >= k && !read.registry && isZero(read.version)) read.registry = zeroRegistry(stripe);
    if (!skipped(read.version, read.registry))
      return {
        view: {
          index,
          read: true,
          version: read.version,
          // A parity's registry; a data fragment's when an update wrote several (updateStripe).
          ...(read.registry
            ? {
                registry: read.registry,
                reflectsAbort: read.registry.some((named, at) => passedOver(at, named)),
              }
            : {}),
        },
        bytes: read.bytes,
        actual: read.version,
        steppedBack: false,
      };
    const earlier = earlierEntry(await store.history(id), read.version, (entry) =>
      skipped(entry.version, entry.registry),
    );
    const unknown = (): FragmentState =>
      index < k
        ? unread(index)
        : {
            view: {
              index,
              read: true,
              version: read.version,
              registry: read.registry,
              reflectsAbort: true,
            },
            bytes: read.bytes,
            actual: read.version,
            steppedBack: false,
          };
    if (earlier === 'unknown') return unknown();
    const registry =
      earlier?.registry ?? (index >= k && !earlier ? zeroRegistry(stripe) : undefined);
    if (index >= k && registry?.length !== width) return unknown();
    const version = earlier?.version ?? VERSION_ZERO;
    return {
      view: {
        index,
        read: true,
        version,
        ...(registry
          ? { registry, reflectsAbort: registry.some((named, at) => passedOver(at, named)) }
          : {}),
      },
      bytes: earlier
        ? await store.readVersion(id, blockBytes, version, 0, blockBytes)
        : new Uint8Array(blockBytes),
      actual: read.version,
      steppedBack: true,
    };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'STORE_CHECKSUM') return unread(index);
    // The store answers but the bytes fail their checksum: its version (from history) is what a
    // rewrite must expect; the fragment itself counts as not read.
    try {
      const history = await store.history(id);
      const newest = history[history.length - 1];
      return newest ? { ...unread(index), corrupt: newest.version } : unread(index);
    } catch {
      return unread(index);
    }
  }
}

/**
 * The newest entry of `history` below `below` that `skip` does not pass over: null when there is
 * none and the fragment was never written before; 'unknown' when the walk meets a version whose
 * record cannot tell (a damaged one, or the base that folded older ones: nothing below it is kept).
 */
function earlierEntry(
  history: readonly HistoryEntry[],
  below: Version,
  skip: (entry: HistoryEntry) => boolean,
): HistoryEntry | null | 'unknown' {
  const older = history
    .filter((entry) => compareVersions(entry.version, below) < 0)
    .sort((a, b) => compareVersions(b.version, a.version));
  for (const entry of older) {
    if (entry.kind === 'damaged') return 'unknown';
    if (!skip(entry)) return entry;
    if (entry.kind === 'base') return 'unknown';
  }
  return history.some((entry) => entry.kind === 'base' || entry.kind === 'damaged')
    ? 'unknown'
    : null;
}

const VERSION_ZERO: Version = { epoch: 0, seq: 0 };

function isZero(version: Version): boolean {
  return sameVersion(version, VERSION_ZERO);
}

/** The registry of a stripe never written: every fragment at 0.0. */
function zeroRegistry(stripe: OwnedStripe): Version[] {
  return Array.from({ length: stripe.nodes.length }, () => VERSION_ZERO);
}

/** The k + m fragments of the settled state, decoded from its members where needed. */
function settledShards(
  context: CmContext,
  stripe: OwnedStripe,
  fragments: readonly FragmentState[],
  members: readonly number[],
): Uint8Array[] {
  const { k, m } = stripe.volume;
  const memberSet = new Set(members);
  const shards = fragments.map((fragment, index) =>
    memberSet.has(index) ? fragment.bytes! : null,
  );
  const data = context.engine(k, m).reconstruct(shards).slice(0, k);
  const full = [
    ...data,
    ...Array.from({ length: m }, () => new Uint8Array(stripe.volume.blockBytes)),
  ];
  context.engine(k, m).encode(full);
  return full;
}

/** The repair: rewrites data that is not current and every readable parity under one new stamp. */
async function repairWrites(
  context: CmContext,
  stripe: OwnedStripe,
  fragments: readonly FragmentState[],
  shards: readonly Uint8Array[],
  rewrite: ReadonlySet<number>,
  dataVersions: readonly Version[],
  writeQuorum: number,
  verified: readonly number[],
): Promise<void> {
  const { k, m, blockBytes } = stripe.volume;
  const next = nextVersion(stripe);
  const registry = copyRegistry(dataVersions);
  for (const index of rewrite) if (index < k) registry[index] = next;
  for (let parity = k; parity < k + m; parity++) registry[parity] = next;
  const targets = fragments.flatMap((fragment, index) =>
    (fragment.view.read || fragment.corrupt) && (index >= k || rewrite.has(index)) ? [index] : [],
  );
  const results = await Promise.all(
    targets.map(async (index) => {
      const fragment = fragments[index]!;
      const store = context.stores.store(stripe.sources[index]!);
      try {
        const outcome = await store.writeWhole({
          fragment: fragmentId(stripe, index),
          blockBytes,
          expected: fragment.actual ?? fragment.corrupt!,
          next,
          writer: { ...REPAIR_WRITER, eventTimeMs: stripe.lastEventTimeMs },
          settled: stripe.settled,
          bytes: shards[index]!,
          registry: index >= k ? registry : null,
          digest: digestOf(shards[index]!),
        });
        return outcome.ok ? 'ok' : outcome.reason;
      } catch {
        return 'missed';
      }
    }),
  );
  if (results.includes('fenced'))
    throw new OwnershipLost(true, `${stripe.key}: fenced during its repair`);
  if (results.includes('ahead') || results.includes('stamp_conflict'))
    throw new ViewWrong(true, `${stripe.key}: a fragment moved during its repair`);
  const written = new Set(targets.filter((_, at) => results[at] === 'ok'));
  context.stats.repairs += 1;
  context.stats.repairBytes += written.size * blockBytes;
  const untouched = fragments.filter(
    (fragment, index) =>
      index < k &&
      !rewrite.has(index) &&
      fragment.view.read &&
      (!stripe.marks.has(index) || verified.includes(index)) &&
      sameVersion(fragment.view.version!, dataVersions[index]!),
  ).length;
  const missed = Array.from({ length: k + m }, (_, index) => index).filter(
    (index) => !written.has(index) && (index >= k || rewrite.has(index)),
  );
  if (written.size + untouched < writeQuorum) {
    stripe.recovered = false;
    throw new StripeUnavailableError(
      `${stripe.key}: its repair reached ${written.size + untouched} fragments, fewer than the write quorum ${writeQuorum}`,
    );
  }
  if (missed.length > 0) await markStale(context, stripe, missed, next, true);
  // Verified data members keep their version; verified parities were rewritten (or missed and re-marked).
  await clearMarks(context, stripe, [...written, ...verified.filter((index) => index < k)], true);
  await confirmOwnership(context, stripe, true);
  stripe.registry = registry;
  stripe.settled = next;
  stripe.recovered = true;
  for (let index = 0; index < k; index++)
    context.cache.set(blockKey(stripe, index), registry[index]!, shards[index]!);
}
