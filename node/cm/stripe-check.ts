/**
 * The consistency check of one stripe (DESIGN.md, "Failure and recovery"): from what a new (or
 * recovering) owner managed to read, after fencing, and the stale marks and recorded aborts it
 * read through Raft, decide which state of the stripe is the newest one that may have been
 * acknowledged, or that no decision is possible yet. Pure: no I/O, the same answer everywhere.
 *
 * The rules, as the design gives them:
 * - A fragment's expected version is the newest of its own version, the versions the usable
 *   parity registries name for it, and its stale mark. Below it, or marked, it is stale.
 * - When every data fragment was read and none is stale, the data are the newest state: parity
 *   is re-encoded from them (roll forward from the data), whatever q is.
 * - Otherwise the newest partition among the unmarked parity fragments read (the parities at
 *   version p with the data fragments at exactly the versions p's registry names) is the newest
 *   state if it has at least k members; a data fragment ahead of it is rolled back, on the
 *   positive evidence of that parity. With no unmarked parity read, or a newest partition of
 *   fewer than k members, an acknowledged newer state could hide in what was not read: wait.
 *
 * Beyond the page (found by the simulator once one update could write several data fragments):
 * - A partition of fewer than k members is passed over when a fragment it must have reached
 *   shows, unmarked, that it never got it (the page's rule for passing over), or when every
 *   fragment was read and fewer than q hold it.
 * - When every parity left is passed over, or may have missed updates unmarked (unsure), the
 *   data are the newest state if they are all read and current without those parities, and not
 *   below anything their registries name apart from the disproved versions (seeds 480, 1622).
 * - A stripe that must wait names the versions it proved never acknowledged: the parity versions
 *   passed over, and every data fragment's version that a fragment it must have reached
 *   disproves. The owner reads the fragments that hold one from before it (their history) and
 *   checks again; it records them aborted only if that settles (seeds 254, 1700 and 1909 of
 *   RS(4,2), 164 with q = k: with k > 2, a data fragment can hold part of an update of several
 *   data fragments that fewer than k fragments took, which can be neither rolled forward nor
 *   kept, and the parities that took it may hold an acknowledged update only in their history).
 */
import { compareVersions, sameVersion, type Version } from '../store/version.js';

/** One fragment as the owner saw it while recovering. */
export interface FragmentView {
  readonly index: number;
  /** Read from a store that acknowledged the owner's fence (a fragment not read is unknown). */
  readonly read: boolean;
  /** Its version (after aborted versions were stepped back over); present when read. */
  readonly version?: Version;
  /**
   * Its registry, when read: a parity's; a data fragment's when its version is an update that
   * wrote several data fragments (it names the others that update wrote).
   */
  readonly registry?: readonly Version[] | null;
  /** True when a parity reflects an aborted update (its version or a version its registry names). */
  readonly reflectsAbort?: boolean;
}

/** What the check decides. */
export type StripeDecision =
  | {
      readonly kind: 'settled';
      /** How the state was found: every data fragment current, or the newest parity partition. */
      readonly from: 'data' | 'partition';
      /** The version of each data fragment in the settled state (index 0…k-1). */
      readonly dataVersions: readonly Version[];
      /** Fragments whose bytes are the settled state's (a decode may use them). */
      readonly members: readonly number[];
      /** Data fragments read at a version newer than the settled one: rolled back (aborted). */
      readonly rolledBack: readonly number[];
      /** Fragments that must be rewritten (stale, rolled back, behind, or parity not matching). */
      readonly rewrite: readonly number[];
      /** Fragments not read: marked stale at the settled version before any write. */
      readonly unread: readonly number[];
      /** Versions proved never acknowledged and passed over: recorded as aborted before any write. */
      readonly disproved: readonly { index: number; version: Version }[];
    }
  | {
      readonly kind: 'wait';
      readonly reason: string;
      /**
       * Versions proved never acknowledged on the way to waiting. A data fragment read at one of
       * them may be read again from before it, and the stripe checked again: nothing is recorded
       * unless that settles (a data fragment holding part of an update of several data fragments
       * that fewer than k fragments took can be neither rolled forward nor kept).
       */
      readonly disproved?: readonly { index: number; version: Version }[];
    };

export interface StripeCheckInput {
  readonly k: number;
  readonly m: number;
  readonly fragments: readonly FragmentView[];
  /** Stale marks by fragment index. */
  readonly marks: ReadonlyMap<number, Version>;
  /**
   * Fragments that may have missed acknowledged updates that no mark names (a node listed down,
   * or under its node's mark, where q > k): used as read, but never as evidence that a version
   * was not acknowledged.
   */
  readonly unsure?: ReadonlySet<number>;
  /** The write quorum q: with every fragment read, fewer holders than q disprove a version. */
  readonly writeQuorum?: number;
}

/** Stands for "not written by this update" in a registry made up for a one-fragment update. */
const NEVER: Version = { epoch: 0, seq: 0 };

/** Decides the stripe's newest state from what was read; see the file comment for the rules. */
export function checkStripe(input: StripeCheckInput): StripeDecision {
  const { k, m, fragments, marks } = input;
  // A fragment marked stale at M is stale while it is below M. One read at M or above (at a
  // version not recorded as aborted: those were stepped back over, or flagged, when read) holds
  // that version's bytes, since a version is stamped once: it may be verified against a
  // registry and used. (Versions above a mark that an older owner issued are recorded as aborted
  // with the mark, so they never get here.)
  const marked = (view: FragmentView): boolean => {
    const mark = marks.get(view.index);
    return mark !== undefined && !(view.read && compareVersions(view.version!, mark) >= 0);
  };
  if (fragments.length !== k + m)
    throw new Error(`checkStripe: ${fragments.length} views for RS(${k},${m})`);
  /** True when a fragment that update `version` (with `named`) wrote shows it never got it, unmarked. */
  const neverAcknowledged = (version: Version, named: readonly Version[]): boolean =>
    fragments.some((view) => {
      const reached = view.index >= k || sameVersion(named[view.index]!, version);
      const mark = marks.get(view.index);
      return (
        reached &&
        view.read &&
        !input.unsure?.has(view.index) &&
        compareVersions(view.version!, version) < 0 &&
        (mark === undefined || compareVersions(mark, version) < 0)
      );
    });
  // With every fragment read, the fragments that were consistent with an acknowledged update
  // when it was acknowledged are all still there: a parity at its version (none is newer than
  // the newest usable one but marked or aborted ones, counted too), and a data fragment at the
  // version its registry names, or newer. Fewer than q of them prove it never was acknowledged,
  // whatever was missed without a mark.
  const allRead = fragments.every((view) => view.read);
  const tooFewHolders = (version: Version, named: readonly Version[]): boolean =>
    input.writeQuorum !== undefined &&
    allRead &&
    fragments.filter((view) =>
      view.index >= k
        ? compareVersions(view.version!, version) >= 0
        : compareVersions(view.version!, named[view.index]!) >= 0,
    ).length < input.writeQuorum;
  const usableParities = fragments.filter(
    (view) => view.index >= k && view.read && !marked(view) && !view.reflectsAbort,
  );
  const expected = expectedVersions(input, usableParities);
  const stale = (view: FragmentView): boolean =>
    marked(view) || !view.read || compareVersions(view.version!, expected[view.index]!) < 0;
  const data = fragments.slice(0, k);
  const unread = fragments.filter((view) => !view.read).map((view) => view.index);

  if (data.every((view) => !stale(view))) {
    const dataVersions = data.map((view) => view.version!);
    const parityOk = (view: FragmentView): boolean =>
      view.read &&
      !marked(view) &&
      !view.reflectsAbort &&
      compareVersions(view.version!, expected[view.index]!) >= 0 &&
      !!view.registry &&
      dataVersions.every((version, index) => sameVersion(version, view.registry![index]!));
    const parities = fragments.slice(k);
    return {
      kind: 'settled',
      from: 'data',
      dataVersions,
      members: [
        ...data.map((view) => view.index),
        ...parities.filter(parityOk).map((v) => v.index),
      ],
      rolledBack: [],
      rewrite: parities.filter((view) => view.read && !parityOk(view)).map((view) => view.index),
      unread,
      disproved: [],
    };
  }
  const disproved: { index: number; version: Version }[] = [];
  const disprove = (index: number, version: Version): void => {
    if (!disproved.some((entry) => entry.index === index && sameVersion(entry.version, version)))
      disproved.push({ index, version });
  };
  // A stripe that must wait names what it proved never acknowledged: the parity versions passed
  // over, and every data fragment's version that a fragment it must have reached disproves
  // (seeds 254, 1700 and 164 of RS(4,2): a data fragment holding part of an update of several
  // data fragments that fewer than k took). The caller may read those fragments from before it.
  const wait = (decision: StripeDecision): StripeDecision => {
    if (decision.kind !== 'wait') return decision;
    for (const view of data) {
      if (!view.read || marked(view) || sameVersion(view.version!, NEVER)) continue;
      const wrote =
        view.registry ??
        fragments.map((other) => (other.index === view.index ? view.version! : NEVER));
      if (!neverAcknowledged(view.version!, wrote)) continue;
      for (let index = 0; index < k; index++)
        if (sameVersion(wrote[index]!, view.version!)) disprove(index, view.version!);
    }
    return disproved.length > 0 ? { ...decision, disproved: [...disproved] } : decision;
  };
  if (usableParities.length === 0)
    return wait({
      kind: 'wait',
      reason: 'a data fragment is stale or unread and no unmarked parity fragment was read',
    });
  // The newest parity version whose partition has k members settles the stripe. A newer one with
  // fewer may be passed over only on positive evidence that it was never acknowledged: a fragment
  // read that it should have reached holds an older version and carries no mark as new as it
  // (an acknowledged update marks every fragment it missed); otherwise the stripe waits.
  let candidates = usableParities;
  let newest: FragmentView;
  let registry: readonly Version[];
  let members: number[];
  let exact: number[];
  for (;;) {
    if (candidates.length === 0) {
      // Every usable parity carries a version proved never acknowledged (an update of several
      // data fragments that only parities took leaves no partition of k behind it).
      if (disproved.length > 0) return wait(fromDataWithout(input, usableParities, disproved));
      return wait({
        kind: 'wait',
        reason: 'no parity version read that an acknowledged state could be',
      });
    }
    newest = candidates.reduce((best, view) =>
      compareVersions(view.version!, best.version!) > 0 ? view : best,
    );
    const named = newest.registry;
    if (!named || named.length !== k + m)
      return wait({ kind: 'wait', reason: `parity fragment ${newest.index} has no registry` });
    registry = named;
    const partitionParities = candidates.filter((view) =>
      sameVersion(view.version!, newest.version!),
    );
    for (const view of partitionParities) {
      // Two parities stamped with one version carry one registry, or a version was stamped twice.
      if (!view.registry!.every((version, index) => sameVersion(version, named[index]!)))
        throw new Error(`parity fragments ${newest.index} and ${view.index} differ at one version`);
    }
    const partitionData = data.filter(
      (view) => view.read && !marked(view) && sameVersion(view.version!, named[view.index]!),
    );
    // A parity at an older version whose registry names the same data versions encodes the same
    // data (parity bytes depend on the data alone): it may decode, and is rewritten to the new
    // version. (Repairs that fell short of q leave parities like this.)
    const sameData = candidates.filter(
      (view) =>
        !sameVersion(view.version!, newest.version!) &&
        view.registry?.length === k + m &&
        named.slice(0, k).every((version, index) => sameVersion(version, view.registry![index]!)),
    );
    exact = [...partitionData, ...partitionParities].map((view) => view.index);
    members = [...exact, ...sameData.map((view) => view.index)];
    if (members.length >= k) break;
    const version = newest.version!;
    if (!neverAcknowledged(version, named) && !tooFewHolders(version, named)) {
      // What is left may have missed updates unmarked (a node listed down, or under its node's
      // mark): no evidence against the data, which may still be the newest state (seed 1622: an
      // update of both data fragments, disproved, over a parity that was down for the updates
      // the data hold).
      const unsure = (view: FragmentView): boolean => input.unsure?.has(view.index) ?? false;
      if (disproved.length > 0 && candidates.every(unsure)) {
        const settled = fromDataWithout(input, usableParities, disproved);
        if (settled.kind === 'settled') return settled;
      }
      return wait({
        kind: 'wait',
        reason: `the newest partition (parity version ${version.epoch}.${version.seq}) has ${members.length} of the ${k} fragments needed`,
      });
    }
    for (let index = 0; index < k; index++)
      if (sameVersion(named[index]!, version)) disprove(index, version);
    candidates = candidates.filter((view) => compareVersions(view.version!, version) < 0);
  }
  const rolledBack = data
    .filter(
      (view) =>
        view.read && !marked(view) && compareVersions(view.version!, registry[view.index]!) > 0,
    )
    .map((view) => view.index);
  const inPartition = new Set(exact);
  return {
    kind: 'settled',
    from: 'partition',
    dataVersions: registry.slice(0, k),
    members,
    rolledBack,
    rewrite: fragments
      .filter((view) => view.read && !inPartition.has(view.index))
      .map((view) => view.index),
    unread,
    disproved,
  };
}

/**
 * The data as the newest state, with `setAside` parities set aside as aborted ones are (each
 * carries a version proved never acknowledged, or may have missed updates unmarked): when every
 * data fragment is read and current without them. What their registries name, apart from the
 * `disproved` versions, still counts: a data fragment below it is stale, and the stripe waits.
 */
function fromDataWithout(
  input: StripeCheckInput,
  setAside: readonly FragmentView[],
  disproved: readonly { index: number; version: Version }[],
): StripeDecision {
  const isDisproved = (index: number, version: Version): boolean =>
    disproved.some((entry) => entry.index === index && sameVersion(entry.version, version));
  const behind = setAside.some((parity) =>
    input.fragments.slice(0, input.k).some((view) => {
      const named = parity.registry?.[view.index];
      return (
        named !== undefined &&
        !isDisproved(view.index, named) &&
        (!view.read || compareVersions(view.version!, named) < 0)
      );
    }),
  );
  if (behind)
    return {
      kind: 'wait',
      reason:
        'the parities read name versions never acknowledged or may have missed updates, and a data fragment is behind what they name besides',
    };
  const aside = new Set(setAside.map((view) => view.index));
  const again = checkStripe({
    ...input,
    fragments: input.fragments.map((view) =>
      aside.has(view.index) ? { ...view, reflectsAbort: true } : view,
    ),
  });
  return again.kind === 'settled' ? { ...again, disproved: [...disproved] } : again;
}

/**
 * The expected version of every fragment: its own, what usable registries name, its mark. The
 * registries of data fragments count too: one update that wrote several data fragments names
 * them all, so one that another holds but this one lacks makes it stale, and the stripe is not
 * settled from data that hold only part of that update (seed 8282 of 10,000: a retried write
 * was then acknowledged from a parity's history though its data fragment never got it).
 */
function expectedVersions(
  input: StripeCheckInput,
  usableParities: readonly FragmentView[],
): Version[] {
  const witnesses = [
    ...usableParities,
    ...input.fragments
      .slice(0, input.k)
      .filter((view) => view.read && view.registry && !view.reflectsAbort),
  ];
  return input.fragments.map((view) => {
    let expected: Version = view.version ?? { epoch: 0, seq: 0 };
    for (const parity of witnesses) {
      const named = parity.registry?.[view.index];
      if (named && compareVersions(named, expected) > 0) expected = named;
    }
    const mark = input.marks.get(view.index);
    if (mark && compareVersions(mark, expected) > 0) expected = mark;
    return expected;
  });
}
