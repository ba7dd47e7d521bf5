/**
 * Spent abort records (DESIGN.md, "Failure and recovery": the map stays bounded, and an abort
 * record is dropped once the retention horizon has passed it and no fragment's history holds
 * it). An abort record says that versions (above, upTo] of one fragment were rolled back and are
 * never to be served, copied, or taken as a retried write's landing. Every reader of the record
 * finds those versions in a fragment's history first: a recovery's reads, a move's history copy,
 * a retry's search for where it landed. So a record is spent, and its owner may drop it, once
 *
 * - no history entry of any fragment of the stripe is at a version in its range, nor names the
 *   fragment at one in its registry (the retention sweep folds old versions into the base: the
 *   horizon has passed them; a version that landed nowhere was never in a history), and
 * - every fragment's store is fenced at or above the range's top, so that no write of a version in
 *   the range (an old owner's, late) can land there again.
 *
 * Both are read from every fragment's store at its location; a stripe with a fragment that does
 * not answer, a stale mark, a node mark or a move pending keeps its records. The owner checks
 * this in the stripe's queue, after its own recovery (so with the stores fenced at its ownership
 * epoch), and proposes the drop under the ownership check.
 */
import type { AbortRecord, ClusterMapState } from '../cluster/cluster-map-types.js';
import { compareVersions, type Version } from '../store/version.js';
import type { CmContext } from './cm-context.js';
import { fragmentId, storeOf } from './fragment-io.js';
import { movePending, type OwnedStripe } from './owned-stripe.js';
import { nodeMarkPending } from '../cluster/node-marks.js';

/** The stripe's abort records that are spent, read from its stores now (none when unsure). */
export async function spentAborts(
  context: CmContext,
  stripe: OwnedStripe,
  state: Readonly<ClusterMapState>,
): Promise<AbortRecord[]> {
  const { name } = stripe.volume;
  const records = (state.aborts ?? []).filter(
    (abort) => abort.volume === name && abort.stripe === stripe.stripe,
  );
  if (records.length === 0) return [];
  const marked = state.marks.some((mark) => mark.volume === name && mark.stripe === stripe.stripe);
  if (marked || movePending(stripe)) return [];
  if (nodeMarkPending(state, stripe.volume, stripe.stripe, stripe.sources)) return [];
  const width = stripe.volume.k + stripe.volume.m;
  try {
    const read = await Promise.all(
      Array.from({ length: width }, async (_, index) => {
        const store = storeOf(context.stores, stripe, index);
        if (!store) throw new Error(`fragment ${index} has no node`);
        // The owner's own fence (it recovered the stripe in this epoch, so this moves nothing in
        // general) says the epoch below which the store refuses writes; read after it, the
        // history holds every version that can ever land there.
        const fenceEpoch = await store.fence(name, stripe.stripe, stripe.ownershipEpoch);
        const history = await store.history(fragmentId(stripe, index));
        return { history, fenceEpoch };
      }),
    );
    return records.filter((record) => {
      const inRange = (version: Version): boolean =>
        compareVersions(version, record.above) > 0 && compareVersions(version, record.upTo) <= 0;
      return read.every(
        ({ history, fenceEpoch }) =>
          // The store refuses every version at or below (fenceEpoch, 0), the range's included.
          compareVersions({ epoch: fenceEpoch, seq: 0 }, record.upTo) >= 0 &&
          history.every(
            (entry) =>
              !inRange(entry.version) &&
              !(entry.registry && inRange(entry.registry[record.index] ?? record.above)),
          ),
      );
    });
  } catch {
    return [];
  }
}
