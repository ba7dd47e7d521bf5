/**
 * Moves (DESIGN.md, "Down is not out"): when placement puts a fragment on another node than its
 * location in the map's layout, the owner, between two updates of a settled stripe, copies it
 * there at exactly the version the registry names, with its history (less the versions the map
 * records as aborted), reads the copy back, and then switches the location through Raft under
 * the ownership check. Only then is the old copy deleted. A fragment whose node is out (it cannot
 * be read again) is switched while stale: it is marked at the stripe's settled version first, and
 * the repair that follows rebuilds it on its new node.
 *
 * A new owner reads each fragment only at its location: it never takes an old or empty copy
 * elsewhere for the fragment (the simulator's placement changes lost acknowledged writes that way
 * when the locations were guessed from placement).
 */
import type { ClusterMapState } from '../cluster/cluster-map-types.js';
import { isAborted } from '../cluster/stripe-records.js';
import { sameVersion, VERSION_ZERO, type Version } from '../store/version.js';
import { proposeStripeRecord, type CmContext } from './cm-context.js';
import { fragmentId } from './fragment-io.js';
import { movePending, nextVersion, type OwnedStripe } from './owned-stripe.js';
import { markStale } from './update.js';

/**
 * Moves every fragment of a settled, writable stripe that placement puts elsewhere and that can
 * move now. Returns true when a fragment was switched while stale (the stripe must be recovered
 * again to rebuild it).
 */
export async function moveFragments(context: CmContext, stripe: OwnedStripe): Promise<boolean> {
  if (!movePending(stripe)) return false;
  const state = context.map.current();
  // This move's stamp: it fences each target before the copy, and guards each delete, so that a
  // delete from an earlier move that arrives late cannot remove a copy this move put back.
  const stamp = nextVersion(stripe);
  const layout = [...stripe.sources];
  const copied: number[] = [];
  const stale: number[] = [];
  for (let index = 0; index < stripe.nodes.length; index++) {
    const from = stripe.sources[index] ?? null;
    const to = stripe.nodes[index] ?? null;
    if (to === null || from === to) continue;
    if (from === null || gone(state, from)) {
      layout[index] = to;
      stale.push(index);
    } else if (await copyFragment(context, stripe, state, index, from, to, stamp)) {
      layout[index] = to;
      copied.push(index);
    }
  }
  if (copied.length + stale.length === 0) return false;
  const unmarked = stale.filter((index) => !stripe.marks.has(index));
  if (unmarked.length > 0) await markStale(context, stripe, unmarked, stripe.settled, false);
  await proposeLayout(context, stripe, layout, stamp);
  const old = stripe.sources;
  stripe.sources = layout;
  context.stats.fragmentsMoved += copied.length + stale.length;
  for (const index of copied) await deleteSource(context, stripe, index, old[index]!, stamp);
  if (stale.length === 0) return false;
  stripe.recovered = false;
  return true;
}

/**
 * Switches the stripe's layout through Raft under `stamp`. A switch that applied supersedes any
 * earlier one still on its way (the map refuses an older stamp); one whose proposal failed may
 * still apply, after this owner went on with the old locations (the simulator's seed 9896), so
 * the stripe's next recovery sets the layout again first.
 */
export async function proposeLayout(
  context: CmContext,
  stripe: OwnedStripe,
  nodes: (string | null)[],
  stamp: Version,
): Promise<void> {
  try {
    await proposeStripeRecord(
      context,
      stripe,
      {
        type: 'set_layout',
        proposer: context.nodeId,
        ownershipEpoch: stripe.ownershipEpoch,
        volume: stripe.volume.name,
        stripe: stripe.stripe,
        nodes,
        stamp,
      },
      false,
    );
  } catch (error) {
    stripe.layoutInDoubt = true;
    throw error;
  }
  stripe.layoutInDoubt = false;
}

/** A node that will not serve its fragments again: out of the map, or declared out. */
function gone(state: Readonly<ClusterMapState>, node: string): boolean {
  const member = state.members.find((candidate) => candidate.id === node);
  return !member || member.state === 'out';
}

/**
 * Copies fragment `index` from `from` to `to` at exactly the registry's version, with its
 * history, and reads it back. False (nothing switched) when the source is not exactly at that
 * version or marked, or any step fails: the move is tried again at the next recovery.
 */
async function copyFragment(
  context: CmContext,
  stripe: OwnedStripe,
  state: Readonly<ClusterMapState>,
  index: number,
  from: string,
  to: string,
  stamp: Version,
): Promise<boolean> {
  const id = fragmentId(stripe, index);
  const { blockBytes, name } = stripe.volume;
  if (stripe.marks.has(index)) return false;
  try {
    const source = context.stores.store(from);
    const target = context.stores.store(to);
    const read = await source.read(id, blockBytes, 0, blockBytes);
    if (!sameVersion(read.version, stripe.registry[index]!)) return false;
    const skip = (await source.history(id))
      .map((entry) => entry.version)
      .filter((version) => isAborted(state, name, stripe.stripe, index, version));
    const exported = await source.exportHistory(id, blockBytes, skip);
    const fenced = await target.fence(name, stripe.stripe, stamp.epoch, stamp.seq);
    if (fenced > stamp.epoch) return false;
    // What the target holds is no location (an earlier move that was never switched): cleared.
    const there = await target.read(id, blockBytes, 0, blockBytes);
    if (!sameVersion(there.version, VERSION_ZERO)) {
      const cleared = await target.deleteFragment(id, blockBytes, there.version, stamp);
      if (!cleared.ok) return false;
    }
    const imported = await target.importHistory(id, blockBytes, exported, stripe.ownershipEpoch);
    if (!imported.ok) return false;
    const copy = await target.read(id, blockBytes, 0, blockBytes);
    if (!sameVersion(copy.version, read.version) || Buffer.compare(copy.bytes, read.bytes) !== 0)
      return false;
    context.stats.historiesCopied += 1;
    return true;
  } catch {
    return false;
  }
}

/** Deletes a moved fragment's old copy, at exactly the version copied; a failure keeps it. */
async function deleteSource(
  context: CmContext,
  stripe: OwnedStripe,
  index: number,
  node: string,
  stamp: Version,
): Promise<void> {
  try {
    const outcome = await context.stores
      .store(node)
      .deleteFragment(
        fragmentId(stripe, index),
        stripe.volume.blockBytes,
        stripe.registry[index]!,
        stamp,
      );
    if (outcome.ok) context.stats.sourcesDeleted += 1;
  } catch {
    // Kept: it is no location any more, so it is never read; it only costs space.
  }
}
