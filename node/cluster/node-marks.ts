/**
 * Per-node marks (DESIGN.md, "The write path" step 4, where q > k). While the map lists a node
 * down, an update that misses one of its fragments counts it as marked without proposing a mark;
 * so when the node leaves down, the same entry marks every fragment located on it, until each
 * stripe's owner has verified the fragment against (or rebuilt it to) the versions the
 * registries name and cleared that stripe. The record goes once every CM of one epoch has swept
 * the stripes it owns and found them all cleared.
 *
 * Volumes with q = k take no part: there, every miss is proposed as a mark like any other.
 */
import { stripeKey } from '../../placement/index.js';
import type {
  ClusterCommand,
  ClusterMapState,
  NodeMark,
  VolumeRecord,
} from './cluster-map-types.js';
import { checkOwnership, StripeRecordRefused } from './stripe-records.js';

/**
 * Opens a node mark for every member that the command took out of down (to up, draining or out:
 * a stale fragment must not be read as current wherever the node goes next), replacing an older
 * mark of the node; drops the marks of members no longer in the map.
 */
export function openNodeMarks(
  before: Readonly<ClusterMapState>,
  after: ClusterMapState,
  index: number,
): void {
  const was = new Map(before.members.map((member) => [member.id, member.state]));
  const back = after.members
    .filter((member) => was.get(member.id) === 'down' && member.state !== 'down')
    .map((member) => member.id);
  const marks = before.nodeMarks ?? [];
  const kept = marks.filter(
    (mark) => !back.includes(mark.node) && after.members.some((member) => member.id === mark.node),
  );
  if (back.length === 0 && kept.length === marks.length) return;
  after.nodeMarks = [
    ...kept,
    ...back.map((node) => ({ node, index, cleared: [], sweptEpoch: 0, swept: [] })),
  ];
}

/** Applies clear_node_mark or node_mark_swept; throws StripeRecordRefused to refuse. */
export function applyNodeMarkRecord(
  state: ClusterMapState,
  command: Extract<ClusterCommand, { type: 'clear_node_mark' | 'node_mark_swept' }>,
): void {
  if (typeof command.node !== 'string' || !Number.isInteger(command.markIndex))
    throw new StripeRecordRefused(
      'INVALID_ARGUMENT',
      'node and markIndex: must name a node and the index of its mark',
    );
  const marks = state.nodeMarks ?? [];
  const at = marks.findIndex((mark) => mark.node === command.node);
  const mark = marks[at];
  if (!mark || mark.index !== command.markIndex)
    throw new StripeRecordRefused(
      'MARK_CHANGED',
      `${command.node} has ${mark ? `the mark of index ${mark.index}` : 'no node mark'}, not the one of index ${command.markIndex}`,
    );
  let next: NodeMark | null;
  if (command.type === 'clear_node_mark') {
    if (!Array.isArray(command.stripes) || command.stripes.length === 0)
      throw new StripeRecordRefused('INVALID_ARGUMENT', 'stripes: must list at least one stripe');
    for (const { volume, stripe } of command.stripes)
      checkOwnership(state, volume, stripe, command.proposer, command.ownershipEpoch);
    const cleared = clearedSet(mark);
    const keys = [
      ...new Set(command.stripes.map(({ volume, stripe }) => stripeKey(volume, stripe))),
    ].filter((key) => !cleared.has(key));
    if (keys.length === 0) return;
    next = { ...mark, cleared: [...mark.cleared, ...keys] };
  } else {
    if (command.epoch !== state.epoch)
      throw new StripeRecordRefused(
        'EPOCH_CHANGED',
        `the sweep was of epoch ${command.epoch}; the map is at ${state.epoch}`,
      );
    const cms = state.members.filter((member) => member.state === 'up').map((member) => member.id);
    if (!cms.includes(command.proposer))
      throw new StripeRecordRefused(
        'OWNERSHIP_REFUSED',
        `${command.proposer} is not a CM of epoch ${state.epoch}`,
      );
    const swept = mark.sweptEpoch === command.epoch ? mark.swept : [];
    const all = [...new Set([...swept, command.proposer])];
    next = cms.every((cm) => all.includes(cm))
      ? null
      : { ...mark, sweptEpoch: command.epoch, swept: all };
  }
  state.nodeMarks = next
    ? marks.map((record, index) => (index === at ? next : record))
    : marks.filter((_, index) => index !== at);
}

/** The cleared stripes of a mark as a set, built once per list (a clear makes a new list). */
const clearedSets = new WeakMap<readonly string[], Set<string>>();

function clearedSet(mark: NodeMark): Set<string> {
  let set = clearedSets.get(mark.cleared);
  if (!set) {
    set = new Set(mark.cleared);
    clearedSets.set(mark.cleared, set);
  }
  return set;
}

/**
 * Why each fragment of a stripe counts as marked without a mark of its own (volumes with q > k):
 * 'down' where the map lists its node down, or the node's mark while the stripe is not cleared.
 */
export function implicitMarks(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
  sources: readonly (string | null)[],
): Map<number, 'down' | NodeMark> {
  const found = new Map<number, 'down' | NodeMark>();
  if (volume.writeQuorum <= volume.k) return found;
  const marks = state.nodeMarks ?? [];
  const key = marks.length > 0 ? stripeKey(volume.name, stripe) : '';
  sources.forEach((node, index) => {
    if (node === null) return;
    if (state.members.some((member) => member.id === node && member.state === 'down'))
      return void found.set(index, 'down');
    const mark = marks.find((record) => record.node === node);
    if (mark && !clearedSet(mark).has(key)) found.set(index, mark);
  });
  return found;
}

/** The node marks that cover a fragment of the stripe (its owner must verify them), each once. */
export function nodeMarksOver(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
  sources: readonly (string | null)[],
): NodeMark[] {
  if ((state.nodeMarks ?? []).length === 0) return [];
  const marks = new Set<NodeMark>();
  for (const reason of implicitMarks(state, volume, stripe, sources).values())
    if (reason !== 'down') marks.add(reason);
  return [...marks];
}

/** True when a node mark covers one of the stripe's fragments. */
export function nodeMarkPending(
  state: Readonly<ClusterMapState>,
  volume: VolumeRecord,
  stripe: number,
  sources: readonly (string | null)[],
): boolean {
  return nodeMarksOver(state, volume, stripe, sources).length > 0;
}
