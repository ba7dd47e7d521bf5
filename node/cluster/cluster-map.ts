/**
 * The cluster map as a replicated state machine (consensus/'s StateMachine): every change is a
 * command in the Raft log, applied in order on every node, so that every node holds the same map.
 *
 * The epoch increments whenever the CM set (the members that are up) or the placement topology
 * changes, once per command whatever changed. Down and out differ (DESIGN.md, "Down is not out"):
 * a node going down changes the CM set, so its stripes get a new owner at once, but not the
 * topology, so no fragment moves; only draining, out, weights and membership move data.
 *
 * apply() never throws on a bad command: it returns { ok: false, code, message } and changes
 * nothing, the same on every node.
 */
import { createHash } from 'node:crypto';
import type { StateMachine } from '../../consensus/index.js';
import { applyLayout, applyStripeRecord, cmSetOf, StripeRecordRefused } from './stripe-records.js';
import { applyNodeMarkRecord, openNodeMarks } from './node-marks.js';
import {
  chooseVolumeRule,
  NODE_STATES,
  PlacementError,
  type CmSet,
  type Topology,
} from '../../placement/index.js';
import {
  EPOCHS_KEPT,
  type ClusterCommand,
  type ClusterMapState,
  type ClusterResult,
  type Member,
  type VolumeRecord,
} from './cluster-map-types.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const VOLUME = /^[A-Za-z0-9._-]{1,128}$/;
const ADDRESS = /^[A-Za-z0-9.[\]:-]+:\d{1,5}$/;
const BLOCK_BYTES_MIN = 4096;
const BLOCK_BYTES_MAX = 16 << 20;

/** A command that cannot be applied; becomes { ok: false } in apply(). */
class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function emptyClusterMap(): ClusterMapState {
  return {
    members: [],
    epoch: 0,
    topologyVersion: 0,
    epochs: [],
    volumes: [],
    marks: [],
    aborts: [],
    appliedIndex: 0,
  };
}

export class ClusterMap implements StateMachine<ClusterResult> {
  private state: ClusterMapState = emptyClusterMap();

  /** The map as it stands (do not mutate). */
  get current(): Readonly<ClusterMapState> {
    return this.state;
  }

  apply(index: number, command: Uint8Array): ClusterResult {
    // A membership change of the Raft group reaches the machine as an empty command: nothing to do.
    if (command.length === 0) {
      this.state = { ...this.state, appliedIndex: index };
      return { ok: true, epoch: this.state.epoch, topologyVersion: this.state.topologyVersion };
    }
    let decoded: ClusterCommand;
    try {
      decoded = JSON.parse(Buffer.from(command).toString('utf8')) as ClusterCommand;
    } catch {
      this.state = { ...this.state, appliedIndex: index };
      return { ok: false, code: 'INVALID_COMMAND', message: 'the command is not JSON' };
    }
    const before = this.state;
    try {
      const next = copyForApply(before);
      const volume = applyCommand(next, decoded, index);
      next.appliedIndex = index;
      openNodeMarks(before, next, index);
      advanceEpoch(before, next, index);
      this.state = next;
      return {
        ok: true,
        epoch: next.epoch,
        topologyVersion: next.topologyVersion,
        ...(volume ? { volume } : {}),
      };
    } catch (error) {
      this.state = { ...before, appliedIndex: index };
      if (error instanceof Refused || error instanceof StripeRecordRefused)
        return { ok: false, code: error.code, message: error.message };
      if (error instanceof PlacementError)
        return { ok: false, code: error.code, message: error.message };
      throw error;
    }
  }

  snapshot(): Uint8Array {
    return Buffer.from(JSON.stringify(this.state));
  }

  restore(data: Uint8Array): void {
    this.state = JSON.parse(Buffer.from(data).toString('utf8')) as ClusterMapState;
  }

  digest(): string {
    return createHash('sha256').update(this.snapshot()).digest('hex').slice(0, 16);
  }

  /** The placement topology of the map (regions ▸ zones ▸ nodes, sorted by id). */
  topology(): Topology {
    return topologyOf(this.state);
  }

  /** The CM set of the current epoch: the members that are up. */
  cmSet(): CmSet {
    return cmSetOf(this.state.epoch, cmIds(this.state));
  }

  volume(name: string): VolumeRecord | undefined {
    return this.state.volumes.find((volume) => volume.name === name);
  }

  member(id: string): Member | undefined {
    return this.state.members.find((member) => member.id === id);
  }
}

/** Encodes a command for a Raft proposal. */
export function encodeCommand(command: ClusterCommand): Uint8Array {
  return Buffer.from(JSON.stringify(command));
}

function applyCommand(
  state: ClusterMapState,
  command: ClusterCommand,
  index: number,
): VolumeRecord | undefined {
  switch (command?.type) {
    case 'add_member':
      addMember(state, command.member);
      return undefined;
    case 'remove_member':
      state.members.splice(memberIndex(state, command.id), 1);
      return undefined;
    case 'set_state':
      setState(state, command.id, command.state);
      return undefined;
    case 'set_states':
      if (!Array.isArray(command.changes) || command.changes.length === 0)
        throw new Refused('INVALID_ARGUMENT', 'changes: must list at least one change');
      for (const change of command.changes) setState(state, change.id, change.state);
      return undefined;
    case 'cm_started': {
      const member = state.members[memberIndex(state, command.id)]!;
      member.incarnation = (member.incarnation ?? 0) + 1;
      return undefined;
    }
    case 'set_weight':
      checkWeight(command.weight);
      state.members[memberIndex(state, command.id)]!.weight = command.weight;
      return undefined;
    case 'create_volume':
      return createVolume(state, command, index);
    case 'mark_stale':
    case 'clear_mark':
    case 'record_aborts':
    case 'drop_aborts':
      applyStripeRecord(state, command);
      return undefined;
    case 'set_layout':
      applyLayout(state, command);
      return undefined;
    case 'clear_node_mark':
    case 'node_mark_swept':
      applyNodeMarkRecord(state, command);
      return undefined;
    case 'delete_volume': {
      const at = state.volumes.findIndex((volume) => volume.name === command.name);
      if (at < 0) throw new Refused('NOT_FOUND', `volume ${String(command.name)} does not exist`);
      state.volumes.splice(at, 1);
      state.layouts = (state.layouts ?? []).filter((layout) => layout.volume !== command.name);
      return undefined;
    }
    default:
      throw new Refused(
        'INVALID_COMMAND',
        `unknown command type ${JSON.stringify((command as { type?: unknown })?.type)}`,
      );
  }
}

function addMember(state: ClusterMapState, member: Omit<Member, 'state'>): void {
  for (const [field, pattern] of [
    ['id', ID],
    ['region', ID],
    ['zone', ID],
    ['grpcAddress', ADDRESS],
    ['adminAddress', ADDRESS],
  ] as const) {
    const value = (member as unknown as Record<string, unknown>)?.[field];
    if (typeof value !== 'string' || !pattern.test(value))
      throw new Refused(
        'INVALID_ARGUMENT',
        `member.${field}: ${JSON.stringify(value)} is not valid`,
      );
  }
  checkWeight(member.weight);
  if (!Number.isInteger(member.raftId) || member.raftId < 1 || member.raftId > 2 ** 31 - 1) {
    throw new Refused(
      'INVALID_ARGUMENT',
      `member.raftId: must be an integer from 1 to ${2 ** 31 - 1}, got ${JSON.stringify(member.raftId)}`,
    );
  }
  if (state.members.some((existing) => existing.id === member.id))
    throw new Refused('ALREADY_EXISTS', `member ${member.id} is already in the map`);
  const sameRaftId = state.members.find((existing) => existing.raftId === member.raftId);
  if (sameRaftId)
    throw new Refused('ALREADY_EXISTS', `member.raftId: ${member.raftId} is ${sameRaftId.id}'s`);
  const zoneElsewhere = state.members.find(
    (existing) => existing.zone === member.zone && existing.region !== member.region,
  );
  if (zoneElsewhere)
    throw new Refused(
      'INVALID_ARGUMENT',
      `member.zone: zone ${member.zone} is in region ${zoneElsewhere.region}, not ${member.region}`,
    );
  state.members.push({
    id: member.id,
    raftId: member.raftId,
    region: member.region,
    zone: member.zone,
    weight: member.weight,
    state: 'up',
    grpcAddress: member.grpcAddress,
    adminAddress: member.adminAddress,
  });
  state.members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function setState(state: ClusterMapState, id: string, nodeState: string): void {
  if (!NODE_STATES.includes(nodeState as never))
    throw new Refused(
      'INVALID_ARGUMENT',
      `state: must be one of ${NODE_STATES.join(', ')}, got ${JSON.stringify(nodeState)}`,
    );
  state.members[memberIndex(state, id)]!.state = nodeState as Member['state'];
}

function createVolume(
  state: ClusterMapState,
  command: Extract<ClusterCommand, { type: 'create_volume' }>,
  index: number,
): VolumeRecord {
  if (typeof command.name !== 'string' || !VOLUME.test(command.name))
    throw new Refused('INVALID_ARGUMENT', 'name: must be 1 to 128 of A-Z a-z 0-9 . _ -');
  if (state.volumes.some((volume) => volume.name === command.name))
    throw new Refused('ALREADY_EXISTS', `volume ${command.name} already exists`);
  const { k, m, blockBytes } = command;
  if (
    !Number.isInteger(blockBytes) ||
    blockBytes < BLOCK_BYTES_MIN ||
    blockBytes > BLOCK_BYTES_MAX ||
    (blockBytes & (blockBytes - 1)) !== 0
  ) {
    throw new Refused(
      'INVALID_ARGUMENT',
      `blockBytes: must be a power of two from ${BLOCK_BYTES_MIN} to ${BLOCK_BYTES_MAX}, got ${String(blockBytes)}`,
    );
  }
  const choice = chooseVolumeRule(topologyOf(state), { k, m }, command.rule);
  const writeQuorum = command.writeQuorum ?? Math.min(k + 1, k + m);
  if (!Number.isInteger(writeQuorum) || writeQuorum < k || writeQuorum > k + m) {
    throw new Refused(
      'INVALID_ARGUMENT',
      `writeQuorum: must be an integer from k = ${k} to k + m = ${k + m}, got ${String(writeQuorum)}`,
    );
  }
  const volume: VolumeRecord = {
    name: command.name,
    k,
    m,
    blockBytes,
    writeQuorum,
    rule: choice.rule,
    ruleReason: choice.reason,
    createdIndex: index,
    createdEpoch: state.epoch,
    baseTopology: topologyOf(state),
  };
  state.volumes.push(volume);
  state.volumes.sort((a, b) => (a.name < b.name ? -1 : 1));
  return volume;
}

/**
 * The state a command is applied to: a copy that shares what no command changes in place. The
 * members (changed field by field) are copied one by one; the lists of volumes, epochs, marks and
 * aborts are new arrays of the same records, which commands add, remove or replace but never
 * change (a mark that moves up is a new record). So a command costs what the lists
 * hold in pointers, not a deep copy of every mark and layout the map keeps (test: a command
 * leaves the state before it as it was).
 */
function copyForApply(state: ClusterMapState): ClusterMapState {
  return {
    ...state,
    members: state.members.map((member) => ({ ...member })),
    epochs: [...state.epochs],
    volumes: [...state.volumes],
    marks: [...(state.marks ?? [])],
    aborts: [...(state.aborts ?? [])],
    // Shared as they are: set_layout and delete_volume put a new list of layouts in its place,
    // and node marks are replaced the same way, never changed (stripe-records.ts and
    // node-marks.ts index each list once, by its identity).
  };
}

/** Moves the epoch (and the topology version) on when this command changed what they cover. */
function advanceEpoch(before: ClusterMapState, after: ClusterMapState, index: number): void {
  const topologyChanged =
    JSON.stringify(placementView(before)) !== JSON.stringify(placementView(after));
  const cmSetChanged =
    cmIds(before).join() !== cmIds(after).join() ||
    incarnations(before).join() !== incarnations(after).join();
  if (topologyChanged) after.topologyVersion = before.topologyVersion + 1;
  if (!topologyChanged && !cmSetChanged) return;
  after.epoch = before.epoch + 1;
  after.epochs.push({
    epoch: after.epoch,
    cmSet: cmIds(after),
    topologyVersion: after.topologyVersion,
    index,
  });
  if (after.epochs.length > EPOCHS_KEPT) after.epochs.splice(0, after.epochs.length - EPOCHS_KEPT);
}

/** What placement sees of the members: a node going down or up is not a placement change. */
function placementView(state: ClusterMapState): unknown[] {
  return state.members.map((member) => [
    member.id,
    member.region,
    member.zone,
    member.weight,
    member.state === 'down' ? 'up' : member.state,
  ]);
}

/** The incarnation of every member, in id order: a CM restart changes the CM set's epoch. */
function incarnations(state: ClusterMapState): number[] {
  return state.members.map((member) => member.incarnation ?? 0);
}

function cmIds(state: ClusterMapState): string[] {
  return state.members.filter((member) => member.state === 'up').map((member) => member.id);
}

/** The placement topology of a map state (regions ▸ zones ▸ nodes, sorted by id). */
export function topologyOf(state: Readonly<ClusterMapState>): Topology {
  const regions = new Map<string, Map<string, Member[]>>();
  for (const member of state.members) {
    const zones = regions.get(member.region) ?? new Map<string, Member[]>();
    regions.set(member.region, zones);
    zones.set(member.zone, [...(zones.get(member.zone) ?? []), member]);
  }
  const sorted = <T>(entries: Iterable<[string, T]>): [string, T][] =>
    [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    version: state.topologyVersion,
    regions: sorted(regions).map(([region, zones]) => ({
      id: region,
      zones: sorted(zones).map(([zone, members]) => ({
        id: zone,
        nodes: members.map((member) => ({
          id: member.id,
          weight: member.weight,
          state: member.state,
        })),
      })),
    })),
  };
}

function memberIndex(state: ClusterMapState, id: string): number {
  const at = state.members.findIndex((member) => member.id === id);
  if (at < 0) throw new Refused('NOT_FOUND', `member ${String(id)} is not in the map`);
  return at;
}

function checkWeight(weight: unknown): void {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
    throw new Refused(
      'INVALID_ARGUMENT',
      `weight: must be a finite number >= 0, got ${String(weight)}`,
    );
}
