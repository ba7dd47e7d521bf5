/**
 * What a consistency manager keeps about a stripe it owns, and the rules that say when it owns
 * one and since which epoch (its ownership epoch, DESIGN.md "The write path": kept for as long
 * as it owns the stripe without a break, never below the epoch of its own start).
 */
import { cmSetOf, owner, stripeKey } from '../../placement/index.js';
import type {
  ClusterCommand,
  ClusterMapState,
  EpochRecord,
  VolumeRecord,
} from '../cluster/cluster-map-types.js';
import { topologyOf } from '../cluster/cluster-map.js';
import { fragmentLocations, hasStripeRecords, placeStripe } from '../cluster/stripe-records.js';
import { compareVersions, VERSION_ZERO, type Version } from '../store/version.js';
import type { WriteBatch } from './write-batch.js';

/** A stale mark as the owner knows it (the map's, plus the ones it proposed since). */
export interface KnownMark {
  readonly version: Version;
  readonly ownershipEpoch: number;
}

/** The owner's state of one stripe. Only the stripe's queue reads or changes it. */
export interface OwnedStripe {
  readonly key: string;
  readonly volume: VolumeRecord;
  readonly stripe: number;
  readonly ownershipEpoch: number;
  /** Where placement puts each fragment now (null: it has no node for it), as of `topologyVersion`. */
  nodes: (string | null)[];
  /**
   * Where each fragment is read and written: its location in the map (the stripe's layout), which
   * only the owner switches, to a copy written and verified where placement now puts it
   * (DESIGN.md, "Down is not out"). Recovery reads only here.
   */
  sources: (string | null)[];
  topologyVersion: number;
  /** Wall-clock ms before which a move that could not finish is not tried again. */
  moveRetryAtMs: number;
  /** False until the stripe is recovered in this ownership; false again after an unknown outcome. */
  recovered: boolean;
  /** Set when parity may not match the data: the next recovery re-encodes it. */
  rewriteParity: boolean;
  /**
   * False when the last recovery settled the stripe but could reach fewer than q fragments to
   * repair it: reads go on (decoded) and writes pause (UNAVAILABLE) until a recovery reaches q.
   */
  writable: boolean;
  /** The version each fragment holds in the settled state (k + m entries). */
  registry: Version[];
  marks: Map<number, KnownMark>;
  /**
   * Fragments an update of this ownership missed while the map listed their node down (q > k):
   * marked without a proposal (DESIGN.md step 4), so the owner leaves them alone as if marked,
   * until the next recovery (the node's mark, when it is back, makes one happen).
   */
  downMisses: Set<number>;
  /** Set when a node's mark covers the stripe: its fragments there are verified before use. */
  nodeCheck: boolean;
  /**
   * Set when a set_layout proposal failed: it may still apply. The next recovery settles the
   * locations with a newer stamp first, which refuses it if it comes late.
   */
  layoutInDoubt: boolean;
  /**
   * Stripe records (marks, clears, aborts) whose proposal's outcome is unknown: each may still
   * apply, late. The next recovery proposes them again, in order, before it reads the map, so
   * that it never decides without what an earlier attempt recorded (seed 6784 of RS(4,2)).
   */
  recordsInDoubt: ClusterCommand[];
  /** The highest seq issued in `ownershipEpoch` (unknown and aborted ones included). */
  seqIssued: number;
  /** The newest settled version of the stripe, sent on with every stamped write. */
  settled: Version;
  /** Event times are made monotone per stripe. */
  lastEventTimeMs: number;
  /** Parts settled in this ownership, by writer key: a retry is answered from here first. */
  recent: Map<string, Version>;
  /** The tail of the stripe's queue: updates, repairs and reads run one after another. */
  tail: Promise<unknown>;
  /** The batch of writes at the tail of the queue that a new write may still join (write-batch.ts). */
  openBatch: WriteBatch | null;
}

/** Parts remembered per stripe for retries (older ones are found in the fragments' history). */
export const RECENT_PARTS_MAX = 256;

/**
 * The ownership epoch `nodeId` would hold stripe `key` with in the map's newest epoch: the first
 * epoch of its unbroken run as owner up to now, not below `startEpoch` (its own start), or null
 * when it does not own the stripe now.
 */
export function ownershipEpochOf(
  state: Readonly<ClusterMapState>,
  key: string,
  nodeId: string,
  startEpoch: number,
): number | null {
  // Asked on every request and every confirmation; the answer changes only with the epochs.
  let memo = ownershipMemo.get(state.epochs);
  if (!memo) {
    memo = new Map();
    ownershipMemo.set(state.epochs, memo);
  }
  const memoKey = `${nodeId}\u0000${startEpoch}\u0000${key}`;
  const known = memo.get(memoKey);
  if (known !== undefined) return known;
  const since = computeOwnershipEpoch(state, key, nodeId, startEpoch);
  if (memo.size >= OWNERSHIP_MEMO_MAX) memo.clear();
  memo.set(memoKey, since);
  return since;
}

/** Answers of ownershipEpochOf per epochs list (a new list whenever the map changes). */
const ownershipMemo = new WeakMap<readonly EpochRecord[], Map<string, number | null>>();
const OWNERSHIP_MEMO_MAX = 100_000;

function computeOwnershipEpoch(
  state: Readonly<ClusterMapState>,
  key: string,
  nodeId: string,
  startEpoch: number,
): number | null {
  let since: number | null = null;
  for (let at = state.epochs.length - 1; at >= 0; at--) {
    const record = state.epochs[at]!;
    if (record.epoch < startEpoch) break;
    if (owner(key, cmSetOf(record.epoch, record.cmSet)) !== nodeId) break;
    since = record.epoch;
  }
  const newest = state.epochs[state.epochs.length - 1];
  return newest && newest.epoch === state.epoch ? since : null;
}

/** The owner of `key` in the map's newest epoch (null when no CM is up). */
export function ownerNow(state: Readonly<ClusterMapState>, key: string): string | null {
  const newest = state.epochs[state.epochs.length - 1];
  return newest ? owner(key, cmSetOf(newest.epoch, newest.cmSet)) : null;
}

/** The node of each of the stripe's fragments under the map's topology and the volume's rule. */
export function fragmentNodes(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
): (string | null)[] {
  return placeStripe(topologyOf(state), volume, stripe);
}

/** A fresh, unrecovered stripe state for a new ownership. */
export function newOwnedStripe(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
  ownershipEpoch: number,
): OwnedStripe {
  return {
    key: stripeKey(volume.name, stripe),
    volume,
    stripe,
    ownershipEpoch,
    nodes: fragmentNodes(state, volume, stripe),
    sources: fragmentLocations(state, volume, stripe),
    topologyVersion: state.topologyVersion,
    moveRetryAtMs: 0,
    recovered: false,
    rewriteParity: false,
    writable: true,
    registry: Array.from({ length: volume.k + volume.m }, () => VERSION_ZERO),
    marks: new Map(),
    downMisses: new Set(),
    nodeCheck: false,
    layoutInDoubt: false,
    recordsInDoubt: [],
    seqIssued: 0,
    settled: VERSION_ZERO,
    lastEventTimeMs: 0,
    recent: new Map(),
    tail: Promise.resolve(),
    openBatch: null,
  };
}

/**
 * The stripes a CM has held state for since its process started, per volume (a volume created
 * again under the same name is another), never forgotten: a stripe's state is dropped when its
 * ownership breaks, and its writes are not. Past `perVolumeMax` stripes of one volume, the
 * volume is no longer followed and every stripe of it is recovered as before.
 */
export class TouchedStripes {
  private readonly byVolume = new Map<string, Set<number> | 'untracked'>();

  constructor(private readonly perVolumeMax = TOUCHED_PER_VOLUME_MAX) {}

  /** Records that the CM holds state for the stripe; true when it never did before. */
  firstTouch(volume: VolumeRecord, stripe: number): boolean {
    const key = `${volume.name}\u0000${volume.createdIndex}`;
    let touched = this.byVolume.get(key);
    if (!touched) this.byVolume.set(key, (touched = new Set()));
    if (touched === 'untracked' || touched.has(stripe)) return false;
    if (touched.size >= this.perVolumeMax) {
      this.byVolume.set(key, 'untracked');
      return false;
    }
    touched.add(stripe);
    return true;
  }
}

/** Stripes per volume whose first touch a CM follows (a number each: about 21 MB at the most). */
export const TOUCHED_PER_VOLUME_MAX = 1 << 20;

/**
 * Whether a new state of the stripe is known to be the empty stripe, with no recovery: the CM has
 * owned the stripe without a break since the volume was created (an ownership epoch at or before
 * the volume's, which is never below the CM's own start), and has never touched it in this run
 * (`firstTouch`). Then every write the stripe ever took was this CM's, in this run: a CM writes a
 * stripe only while its map holds the volume and names it the owner, every epoch since the
 * volume's names this CM, and an earlier run of this CM ended before its start epoch, before the
 * volume existed. So no fragment holds a version, nothing needs a fence, and the map holds no
 * mark, abort or layout of the stripe (checked all the same, with nothing to move). docs/cm.md, "A
 * stripe known empty".
 */
export function knownEmpty(
  state: Readonly<ClusterMapState>,
  stripe: OwnedStripe,
  firstTouch: boolean,
): boolean {
  const createdEpoch = stripe.volume.createdEpoch;
  return (
    firstTouch &&
    createdEpoch !== undefined &&
    stripe.ownershipEpoch <= createdEpoch &&
    !movePending(stripe) &&
    !hasStripeRecords(state, stripe.volume.name, stripe.stripe)
  );
}

/** True when the owner leaves fragment `index` alone: marked, or missed while its node was down. */
export function markedNow(stripe: OwnedStripe, index: number): boolean {
  return stripe.marks.has(index) || stripe.downMisses.has(index);
}

/** Whether placement puts a fragment elsewhere than its location: a move is due. */
export function movePending(stripe: OwnedStripe): boolean {
  return stripe.nodes.some((node, index) => node !== null && node !== stripe.sources[index]);
}

/** The next version the owner stamps: (ownership epoch, one above every seq it issued). */
export function nextVersion(stripe: OwnedStripe): Version {
  stripe.seqIssued += 1;
  return { epoch: stripe.ownershipEpoch, seq: stripe.seqIssued };
}

/** The newest of some versions (VERSION_ZERO for none). */
export function newestOf(versions: readonly Version[]): Version {
  return versions.reduce(
    (best, version) => (compareVersions(version, best) > 0 ? version : best),
    VERSION_ZERO,
  );
}

/** The key under which a retried part is recognised. */
export function partKey(writerId: string, writerSeq: number, part: number): string {
  return `${writerId}\u0000${writerSeq}\u0000${part}`;
}

/** The stripe's marks as the map records them. */
export function marksOf(
  state: Readonly<ClusterMapState>,
  volume: string,
  stripe: number,
): Map<number, KnownMark> {
  const marks = new Map<number, KnownMark>();
  for (const mark of state.marks ?? []) {
    if (mark.volume === volume && mark.stripe === stripe)
      marks.set(mark.index, { version: mark.version, ownershipEpoch: mark.ownershipEpoch });
  }
  return marks;
}
