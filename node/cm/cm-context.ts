/**
 * What the parts of a consistency manager share: its id, its ports, its erasure engines, the
 * batched ownership confirmation, and the internal signals by which a step reports that the
 * stripe must be given up or recovered.
 */
import type { ReedSolomon } from '../../erasure/index.js';
import type { ClusterCommand, ClusterMapState } from '../cluster/cluster-map-types.js';
import type { BlockCache } from './block-cache.js';
import type { OwnedStripe } from './owned-stripe.js';
import { ownershipEpochOf } from './owned-stripe.js';
import type { MapPort, StoreDirectory } from './ports.js';

/** What a CM has done since it started, for metrics and the status page. */
export interface CmStats {
  recoveries: number;
  /** Stripes taken with no recovery, known never written (owned-stripe.ts, knownEmpty). */
  knownEmpty: number;
  /** Repairs that wrote fragments, and the bytes they wrote. */
  repairs: number;
  repairBytes: number;
  degradedReads: number;
  degradedWrites: number;
  /**
   * Updates in one round (the owner knew the old block: data and parity at once) and in two (the
   * data store's delta first), counted as they start.
   */
  updateRounds: [number, number];
  /** Updates that carried pieces of several writes at once (one version), and those pieces. */
  mergedUpdates: number;
  mergedPieces: number;
  /**
   * Recoveries that settled only once data fragments were read from before a version proved
   * never acknowledged (their history), which they held part of.
   */
  historyRollbacks: number;
  /** Fragments marked stale through the map, and the Raft entries that carried them. */
  marks: number;
  markEntries: number;
  /** Moves: fragments switched to their new node, those copied there with their history, and old copies deleted. */
  fragmentsMoved: number;
  historiesCopied: number;
  sourcesDeleted: number;
  scrubbedStripes: number;
  /** Scrub findings by kind: checksum, stale, parity. */
  scrubFindings: Record<string, number>;
  /** Abort records this CM dropped from the map as spent (spent-aborts.ts). */
  abortsDropped: number;
}

export function emptyStats(): CmStats {
  return {
    recoveries: 0,
    knownEmpty: 0,
    repairs: 0,
    repairBytes: 0,
    degradedReads: 0,
    degradedWrites: 0,
    updateRounds: [0, 0],
    mergedUpdates: 0,
    mergedPieces: 0,
    historyRollbacks: 0,
    marks: 0,
    markEntries: 0,
    fragmentsMoved: 0,
    historiesCopied: 0,
    sourcesDeleted: 0,
    scrubbedStripes: 0,
    scrubFindings: {},
    abortsDropped: 0,
  };
}

export interface CmContext {
  readonly stats: CmStats;
  /** Whole data blocks at exact versions, for one-round updates. */
  readonly cache: BlockCache;
  readonly nodeId: string;
  readonly startEpoch: number;
  readonly map: MapPort;
  readonly stores: StoreDirectory;
  engine(k: number, m: number): ReedSolomon;
  /** A linearizable map read issued after this call (one read serves every waiting caller). */
  confirm(): Promise<Readonly<ClusterMapState>>;
  /** Wall-clock milliseconds (event times). */
  wallMs(): number;
}

/**
 * The owner found it no longer owns the stripe (a store's fence, the map's refusal, or the
 * confirmation). `applied` says whether any fragment may hold the step's write.
 */
export class OwnershipLost extends Error {
  constructor(
    readonly applied: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** The owner's view of the stripe was wrong (a fragment ahead of it): recover before going on. */
export class ViewWrong extends Error {
  constructor(
    readonly applied: boolean,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The same signal, saying whether part of the caller's write may have landed (`applied`);
 * any other error as it is.
 */
export function withApplied(error: unknown, applied: boolean): unknown {
  if (error instanceof OwnershipLost) return new OwnershipLost(applied, error.message);
  if (error instanceof ViewWrong) return new ViewWrong(applied, error.message);
  return error;
}

/** Confirms through Raft that the CM has owned the stripe in every epoch since its ownership epoch. */
export async function confirmOwnership(
  context: CmContext,
  stripe: OwnedStripe,
  applied: boolean,
): Promise<Readonly<ClusterMapState>> {
  let state: Readonly<ClusterMapState>;
  try {
    state = await context.confirm();
  } catch (error) {
    throw new OwnershipLost(
      applied,
      `the cluster map could not confirm ownership: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const since = ownershipEpochOf(state, stripe.key, context.nodeId, context.startEpoch);
  if (since === null || since > stripe.ownershipEpoch)
    throw new OwnershipLost(
      applied,
      `${context.nodeId} no longer owns ${stripe.key} since epoch ${stripe.ownershipEpoch}`,
    );
  return state;
}

/**
 * Proposes the records of `stripe` whose outcome is unknown again, in order, until the map has
 * answered each: one that applied late is then applied once more (each is idempotent), and one
 * that had not is applied now, before the recovery reads anything. Throws as proposeStripeRecord.
 */
export async function settleRecordsInDoubt(context: CmContext, stripe: OwnedStripe): Promise<void> {
  for (const command of [...stripe.recordsInDoubt])
    await proposeStripeRecord(context, stripe, command, false);
}

/** Proposes a stripe record (mark, clear, abort); a refusal of the ownership check loses the stripe. */
export async function proposeStripeRecord(
  context: CmContext,
  stripe: OwnedStripe,
  command: ClusterCommand,
  applied: boolean,
): Promise<void> {
  // A record whose outcome is unknown may still apply, late: the stripe keeps it to propose it
  // again first thing in its next recovery (a layout has its own way: layoutInDoubt).
  const doubts = command.type === 'set_layout' ? null : stripe.recordsInDoubt;
  let result;
  try {
    result = await context.map.propose(command);
  } catch (error) {
    if (doubts && !doubts.includes(command)) doubts.push(command);
    throw new OwnershipLost(
      applied,
      `the cluster map did not take ${command.type}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const at = doubts?.indexOf(command) ?? -1;
  if (at >= 0) doubts!.splice(at, 1);
  if (!result.ok) {
    if (result.code === 'MARK_CHANGED') return;
    throw new OwnershipLost(applied, `${command.type} refused: ${result.code} ${result.message}`);
  }
}
