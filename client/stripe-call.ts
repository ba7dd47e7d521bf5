/**
 * One request to the consistency manager of one stripe, with the SDK's retries: routed by the
 * map to the stripe's owner; on NOT_OWNER the map is refreshed and the request goes to the owner
 * the node named; on UNAVAILABLE, a failed connection or OUTCOME_UNKNOWN it backs off and tries
 * again, up to the policy's bound. The caller's send keeps the writer sequence on every attempt;
 * `SendState.maybeApplied` tells it whether to mark the next attempt as a retry.
 */
import {
  ClosedError,
  NotOwnerError,
  OutcomeUnknownError,
  TesseraError,
  UnavailableError,
} from './errors.js';
import type { ClientEnv } from './env.js';
import type { MapFollower, RefreshGoal } from './map-follower.js';
import { backoffMs, type RetryPolicy } from './retry.js';
import { memberAddress, stripeOwner } from './routing.js';
import type { ClusterMapView } from './cluster-view.js';
import type { Transport } from './transport.js';

/** What a stripe request needs of its Cluster. */
export interface CallContext {
  readonly follower: MapFollower;
  readonly transport: Transport;
  readonly env: ClientEnv;
  readonly retry: RetryPolicy;
  /** Aborted when the Cluster closes: waits end with ClosedError. */
  readonly signal: AbortSignal;
}

/**
 * Whether an earlier attempt of this request may have been applied (its outcome is unknown). Set
 * by callStripe, never cleared: from then on every attempt is sent as a retry.
 */
export interface SendState {
  maybeApplied: boolean;
}

/** The owner a NOT_OWNER answer named, and the epoch it named it in. */
interface NamedOwner {
  readonly id: string;
  readonly epoch: number;
}

/**
 * Calls `send` at the owner of `stripe` of `volume` until it succeeds, a failure that retrying
 * cannot fix occurs (rethrown at once), or the policy's attempts are spent (the last failure is
 * thrown).
 */
export async function callStripe<T>(
  context: CallContext,
  volume: string,
  stripe: number,
  send: (address: string) => Promise<T>,
  state: SendState,
): Promise<T> {
  let named: NamedOwner | null = null;
  let last: TesseraError | null = null;
  const attemptsMax = context.retry.attemptsMax;
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    if (context.signal.aborted) throw new ClosedError('the cluster connection');
    const pause = (): Promise<void> =>
      attempt + 1 < attemptsMax
        ? context.env.sleep(backoffMs(context.retry, attempt, context.env.random()), context.signal)
        : Promise.resolve();
    const map = context.follower.current();
    const target = route(map, volume, stripe, named);
    if (!target) {
      last = new UnavailableError(
        `no consistency manager is up for stripe ${volume}/${stripe} in epoch ${map.epoch}; retry later`,
        true,
      );
      await pause();
      await refreshQuietly(context, {});
      continue;
    }
    try {
      return await send(target.address);
    } catch (caught) {
      if (!(caught instanceof TesseraError)) throw caught;
      last = caught;
      if (caught instanceof NotOwnerError) {
        const news =
          caught.epoch > map.epoch && caught.owner !== null && caught.owner !== target.id;
        named = caught.owner === null ? null : { id: caught.owner, epoch: caught.epoch };
        if (caught.epoch > map.epoch) {
          // The named owner knows the newer epoch: ask it first, the seeds may lag.
          const askFirst = caught.owner === null ? null : memberAddress(map, caught.owner);
          await refreshQuietly(context, {
            epochMin: caught.epoch,
            ...(askFirst === null ? {} : { askFirst }),
          });
        }
        if (!news) await pause();
      } else if (caught instanceof OutcomeUnknownError) {
        state.maybeApplied = true;
        await pause();
      } else if (caught instanceof UnavailableError) {
        if (!caught.nothingApplied) state.maybeApplied = true;
        await pause();
        // The node may be gone and its stripes owned elsewhere by now: look at the map again
        // rather than knocking at the same door until the periodic refresh.
        named = null;
        await refreshQuietly(context, {});
      } else {
        throw caught;
      }
    }
  }
  throw last ?? new UnavailableError(`stripe ${volume}/${stripe} was not tried; retry later`);
}

/**
 * Where to send: the owner a NOT_OWNER answer named, while the client's map is not newer than the
 * epoch it was named in (a node that knows a newer epoch than the map); else the map's owner.
 */
function route(
  map: ClusterMapView,
  volume: string,
  stripe: number,
  named: NamedOwner | null,
): { id: string; address: string } | null {
  if (named && named.epoch >= map.epoch) {
    const address = memberAddress(map, named.id);
    if (address !== null) return { id: named.id, address };
  }
  const owner = stripeOwner(map, volume, stripe);
  return owner?.address ? { id: owner.id, address: owner.address } : null;
}

async function refreshQuietly(context: CallContext, goal: RefreshGoal): Promise<void> {
  // A failed refresh is not this request's failure: the next attempt goes by the map it has.
  await context.follower.refresh(goal).catch(() => undefined);
}
