/**
 * The cluster map's records about stripes (DESIGN.md, "The write path" step 4 and "Failure and
 * recovery"): stale marks, recorded aborts, and the ownership check that guards them: the map
 * refuses a mark, a clear or an abort from a proposer that has not owned the stripe in every
 * epoch since the ownership epoch it names, so that a deposed owner can change nothing.
 */
import { cmSetOf, owner, place, stripeKey, type Topology } from '../../placement/index.js';
import { compareVersions, sameVersion, type Version } from '../store/version.js';
import type {
  AbortRecord,
  ClusterCommand,
  ClusterMapState,
  StaleMark,
  StripeLayout,
  VolumeRecord,
} from './cluster-map-types.js';
import { topologyOf } from './cluster-map.js';

/** Why a stripe record was refused: a code and a message, as the map's results carry them. */
export class StripeRecordRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The CM set builder lives in placement/, shared with the client SDK. */
export { cmSetOf };

/** The CM that owned `stripe` of `volume` in each epoch the map remembers, oldest first. */
export function ownersByEpoch(
  state: ClusterMapState,
  volume: string,
  stripe: number,
): { epoch: number; owner: string | null }[] {
  const key = stripeKey(volume, stripe);
  return state.epochs.map((record) => ({
    epoch: record.epoch,
    owner: owner(key, cmSetOf(record.epoch, record.cmSet)),
  }));
}

/** Throws unless `proposer` owned the stripe in every epoch from `ownershipEpoch` to now. */
export function checkOwnership(
  state: ClusterMapState,
  volume: string,
  stripe: number,
  proposer: string,
  ownershipEpoch: number,
): void {
  const volumeRecord = state.volumes.find((record) => record.name === volume);
  if (!volumeRecord) throw new StripeRecordRefused('NOT_FOUND', `volume ${volume} does not exist`);
  if (!Number.isInteger(stripe) || stripe < 0)
    throw new StripeRecordRefused(
      'INVALID_ARGUMENT',
      `stripe: must be an integer >= 0, got ${stripe}`,
    );
  const oldest = state.epochs[0]?.epoch ?? 0;
  if (!Number.isInteger(ownershipEpoch) || ownershipEpoch > state.epoch || ownershipEpoch < 1) {
    throw new StripeRecordRefused(
      'OWNERSHIP_REFUSED',
      `ownershipEpoch ${ownershipEpoch} is not an epoch of this map (now ${state.epoch})`,
    );
  }
  if (ownershipEpoch < oldest) {
    throw new StripeRecordRefused(
      'OWNERSHIP_UNKNOWN',
      `epoch ${ownershipEpoch} is older than the oldest the map keeps (${oldest}); recover the stripe in a newer epoch`,
    );
  }
  for (const { epoch, owner: held } of ownersByEpoch(state, volume, stripe)) {
    if (epoch >= ownershipEpoch && held !== proposer) {
      throw new StripeRecordRefused(
        'OWNERSHIP_REFUSED',
        `${proposer} did not own ${stripeKey(volume, stripe)} in epoch ${epoch} (${held ?? 'no CM'} did)`,
      );
    }
  }
}

/**
 * Where each fragment of a stripe is: the nodes its layout record names, or where placement put
 * it under the volume's base topology (DESIGN.md: a fragment keeps its location until its owner
 * switches it to a copy written and verified).
 */
export function fragmentLocations(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
): (string | null)[] {
  const layout = state.layouts
    ? layoutIndex(state.layouts).get(layoutKey(volume.name, stripe))
    : undefined;
  return layout ? [...layout.nodes] : basePlacement(state, volume, stripe);
}

/** The layout records by volume and stripe, built once per list (a command makes a new list). */
const layoutIndexes = new WeakMap<readonly StripeLayout[], Map<string, StripeLayout>>();

function layoutIndex(layouts: readonly StripeLayout[]): Map<string, StripeLayout> {
  let index = layoutIndexes.get(layouts);
  if (!index) {
    index = new Map(layouts.map((layout) => [layoutKey(layout.volume, layout.stripe), layout]));
    layoutIndexes.set(layouts, index);
  }
  return index;
}

function layoutKey(volume: string, stripe: number): string {
  return `${volume}\u0000${stripe}`;
}

function basePlacement(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
): (string | null)[] {
  return placeStripe(volume.baseTopology ?? topologyOf(state), volume, stripe);
}

/** Where placement puts the fragments of `stripe` under `topology` (null: no node for it). */
export function placeStripe(
  topology: Topology,
  volume: VolumeRecord,
  stripe: number,
): (string | null)[] {
  return [...place(stripeKey(volume.name, stripe), topology, volume, volume.rule).nodeIds];
}

/** Applies a set_layout command: the stripe's new locations, under the ownership check. */
export function applyLayout(
  state: ClusterMapState,
  command: Extract<ClusterCommand, { type: 'set_layout' }>,
): void {
  const volume = state.volumes.find((record) => record.name === command.volume);
  if (!volume)
    throw new StripeRecordRefused('NOT_FOUND', `volume ${String(command.volume)} does not exist`);
  const nodes = command.nodes;
  if (!Array.isArray(nodes) || nodes.length !== volume.k + volume.m)
    throw new StripeRecordRefused(
      'INVALID_ARGUMENT',
      `nodes: must name a node (or null) for each of the ${volume.k + volume.m} fragments`,
    );
  for (const node of nodes)
    if (node !== null && !state.members.some((member) => member.id === node))
      throw new StripeRecordRefused('INVALID_ARGUMENT', `nodes: ${String(node)} is not a member`);
  checkVersion('stamp', command.stamp);
  checkOwnership(state, command.volume, command.stripe, command.proposer, command.ownershipEpoch);
  const now = state.layouts
    ? layoutIndex(state.layouts).get(layoutKey(command.volume, command.stripe))
    : undefined;
  if (now?.stamp && compareVersions(command.stamp, now.stamp) <= 0)
    throw new StripeRecordRefused(
      'LAYOUT_STALE',
      `the layout of ${stripeKey(command.volume, command.stripe)} was set at ${now.stamp.epoch}.${now.stamp.seq}, not below ${command.stamp.epoch}.${command.stamp.seq}`,
    );
  const others = (state.layouts ?? []).filter(
    (record) => record.volume !== command.volume || record.stripe !== command.stripe,
  );
  // Kept even where it matches the base: its stamp refuses a late, older switch.
  state.layouts = [
    ...others,
    {
      volume: command.volume,
      stripe: command.stripe,
      nodes: [...nodes],
      ownershipEpoch: command.ownershipEpoch,
      stamp: { epoch: command.stamp.epoch, seq: command.stamp.seq },
    },
  ];
}

/** Applies a mark_stale, clear_mark, record_aborts or drop_aborts command; throws to refuse. */
export function applyStripeRecord(
  state: ClusterMapState,
  command: Extract<
    ClusterCommand,
    { type: 'mark_stale' | 'clear_mark' | 'record_aborts' | 'drop_aborts' }
  >,
): void {
  state.marks ??= [];
  state.aborts ??= [];
  switch (command.type) {
    case 'mark_stale': {
      if (!Array.isArray(command.marks) || command.marks.length === 0)
        throw new StripeRecordRefused('INVALID_ARGUMENT', 'marks: must list at least one mark');
      for (const mark of command.marks) {
        checkFragment(state, mark.volume, mark.stripe, mark.index);
        checkVersion('marks[].version', mark.version);
        if (mark.abortUpTo !== undefined) {
          checkVersion('marks[].abortUpTo', mark.abortUpTo);
          if (compareVersions(mark.abortUpTo, mark.version) < 0)
            throw new StripeRecordRefused(
              'INVALID_ARGUMENT',
              'marks[].abortUpTo: must not be below the mark',
            );
        }
        checkOwnership(state, mark.volume, mark.stripe, command.proposer, command.ownershipEpoch);
      }
      for (const mark of command.marks) {
        const at = state.marks.findIndex((record) => sameFragment(record, mark));
        const existing = state.marks[at];
        const moved: StaleMark = {
          volume: mark.volume,
          stripe: mark.stripe,
          index: mark.index,
          version: mark.version,
          ownershipEpoch: command.ownershipEpoch,
        };
        // A new record, never a change to the old one: the map before this command shares it.
        if (!existing) state.marks.push(moved);
        else if (compareVersions(mark.version, existing.version) > 0) state.marks[at] = moved;
        if (mark.abortUpTo && compareVersions(mark.abortUpTo, mark.version) > 0) {
          state.aborts.push({
            volume: mark.volume,
            stripe: mark.stripe,
            index: mark.index,
            above: mark.version,
            upTo: mark.abortUpTo,
            ownershipEpoch: command.ownershipEpoch,
          });
        }
      }
      return;
    }
    case 'clear_mark': {
      checkFragment(state, command.volume, command.stripe, command.index);
      const at = state.marks.findIndex((record) => sameFragment(record, command));
      if (at < 0)
        throw new StripeRecordRefused(
          'NOT_FOUND',
          `no mark on ${stripeKey(command.volume, command.stripe)} fragment ${command.index}`,
        );
      const mark = state.marks[at]!;
      if (
        !sameVersion(mark.version, command.version) ||
        mark.ownershipEpoch !== command.markEpoch
      ) {
        throw new StripeRecordRefused(
          'MARK_CHANGED',
          `the mark is now at ${mark.version.epoch}.${mark.version.seq} (epoch ${mark.ownershipEpoch}), not the one named`,
        );
      }
      checkCommandOwnership(state, command);
      state.marks.splice(at, 1);
      return;
    }
    case 'record_aborts': {
      checkListed('aborted', command.aborted, 'version');
      for (const aborted of command.aborted) {
        checkFragment(state, command.volume, command.stripe, aborted.index);
        checkVersion('aborted[].version', aborted.version);
        if (aborted.version.seq < 1)
          throw new StripeRecordRefused('INVALID_ARGUMENT', 'aborted[].version: seq must be >= 1');
      }
      checkCommandOwnership(state, command);
      for (const { index, version } of command.aborted) {
        // Exactly `version`: the versions above (epoch, seq - 1) and up to (epoch, seq).
        state.aborts.push({
          volume: command.volume,
          stripe: command.stripe,
          index,
          above: { epoch: version.epoch, seq: version.seq - 1 },
          upTo: version,
          ownershipEpoch: command.ownershipEpoch,
        });
      }
      return;
    }
    case 'drop_aborts': {
      checkListed('dropped', command.dropped, 'abort record');
      for (const record of command.dropped) {
        checkFragment(state, command.volume, command.stripe, record.index);
        checkVersion('dropped[].above', record.above);
        checkVersion('dropped[].upTo', record.upTo);
      }
      checkCommandOwnership(state, command);
      const named = (abort: AbortRecord): boolean =>
        abort.volume === command.volume &&
        abort.stripe === command.stripe &&
        command.dropped.some(
          (record) =>
            record.index === abort.index &&
            sameVersion(record.above, abort.above) &&
            sameVersion(record.upTo, abort.upTo),
        );
      state.aborts = state.aborts.filter((abort) => !named(abort));
      return;
    }
  }
}

/** The ownership check of a command about one stripe, as it names the stripe and its proposer. */
function checkCommandOwnership(
  state: ClusterMapState,
  command: { volume: string; stripe: number; proposer: string; ownershipEpoch: number },
): void {
  checkOwnership(state, command.volume, command.stripe, command.proposer, command.ownershipEpoch);
}

/** Refuses a command whose list `field` is not a list of at least one `what`. */
function checkListed(field: string, list: unknown, what: string): void {
  if (!Array.isArray(list) || list.length === 0)
    throw new StripeRecordRefused('INVALID_ARGUMENT', `${field}: must list at least one ${what}`);
}

/** Whether the map holds any mark, abort or layout of the stripe. */
export function hasStripeRecords(
  state: Readonly<ClusterMapState>,
  volume: string,
  stripe: number,
): boolean {
  const names = (record: { volume: string; stripe: number }): boolean =>
    record.volume === volume && record.stripe === stripe;
  return (
    state.marks.some(names) || (state.aborts ?? []).some(names) || (state.layouts ?? []).some(names)
  );
}

/** True when the map records `version` of the fragment as aborted. */
export function isAborted(
  state: ClusterMapState,
  volume: string,
  stripe: number,
  index: number,
  version: Version,
): boolean {
  return (state.aborts ?? []).some(
    (record) =>
      record.volume === volume &&
      record.stripe === stripe &&
      record.index === index &&
      compareVersions(version, record.above) > 0 &&
      compareVersions(version, record.upTo) <= 0,
  );
}

function sameFragment(
  a: { volume: string; stripe: number; index: number },
  b: { volume: string; stripe: number; index: number },
): boolean {
  return a.volume === b.volume && a.stripe === b.stripe && a.index === b.index;
}

function checkFragment(
  state: ClusterMapState,
  volume: string,
  stripe: number,
  index: number,
): void {
  const record = state.volumes.find((candidate) => candidate.name === volume);
  if (!record)
    throw new StripeRecordRefused('NOT_FOUND', `volume ${String(volume)} does not exist`);
  if (!Number.isInteger(stripe) || stripe < 0)
    throw new StripeRecordRefused(
      'INVALID_ARGUMENT',
      `stripe: must be an integer >= 0, got ${String(stripe)}`,
    );
  if (!Number.isInteger(index) || index < 0 || index >= record.k + record.m) {
    throw new StripeRecordRefused(
      'INVALID_ARGUMENT',
      `index: must be a fragment index of RS(${record.k},${record.m}) (0 to ${record.k + record.m - 1}), got ${String(index)}`,
    );
  }
}

function checkVersion(field: string, version: Version | undefined): void {
  const valid =
    version &&
    Number.isInteger(version.epoch) &&
    version.epoch >= 0 &&
    Number.isInteger(version.seq) &&
    version.seq >= 0;
  if (!valid)
    throw new StripeRecordRefused(
      'INVALID_ARGUMENT',
      `${field}: must be a version {epoch, seq} of non-negative integers`,
    );
}
