/**
 * What the SDK reads of the cluster map: the members' addresses, the current epoch and its CM set,
 * and the volume catalog. The node serves the whole map as JSON (Cluster.View map_json, the
 * node's ClusterMapState); this is the small typed view of it the client needs, checked as it is
 * parsed, so that the client never imports node/ and a malformed map fails loudly here.
 */
import { FAILURE_LEVELS, type FailureLevel, type PlacementRule } from '../placement/index.js';
import { TesseraError } from './errors.js';

/** A member of the cluster as the client routes to it. */
export interface MemberView {
  readonly id: string;
  /** host:port of its gRPC services (Cluster, Volumes). */
  readonly grpcAddress: string;
  /** up, down, out, draining, … (the map's node state). */
  readonly state: string;
}

/** One epoch of the map: its number and the ids of the CMs that are up in it. */
export interface EpochView {
  readonly epoch: number;
  readonly cmSet: readonly string[];
}

/** A volume of the catalog: fixed at creation. */
export interface VolumeInfo {
  readonly name: string;
  /** Data fragments per stripe. */
  readonly k: number;
  /** Parity fragments per stripe (how many may be lost). */
  readonly m: number;
  /** Bytes per block; a stripe holds k·blockBytes bytes of the volume. */
  readonly blockBytes: number;
  /** Fragments that hold a write before it is acknowledged (k ≤ q ≤ k + m). */
  readonly writeQuorum: number;
  readonly rule: PlacementRule;
  /** Why the volume has its placement rule. */
  readonly ruleReason: string;
}

/** The cluster map as the client follows it. */
export interface ClusterMapView {
  readonly epoch: number;
  /** The Raft index the serving member had applied: a newer map never has a smaller one. */
  readonly appliedIndex: number;
  readonly members: readonly MemberView[];
  /** The newest epochs, oldest first. */
  readonly epochs: readonly EpochView[];
  readonly volumes: readonly VolumeInfo[];
}

/** The ids of the CMs of the map's current epoch (the epoch record's CM set). */
export function currentCmIds(map: ClusterMapView): readonly string[] {
  const record = map.epochs.find((candidate) => candidate.epoch === map.epoch);
  if (record) return record.cmSet;
  // A map without its epoch's record (never from a real node): the members that are up.
  return map.members.filter((member) => member.state === 'up').map((member) => member.id);
}

/** True when `candidate` is newer than `current` (a later Raft index, or a later epoch). */
export function isNewerMap(candidate: ClusterMapView, current: ClusterMapView): boolean {
  return candidate.appliedIndex !== current.appliedIndex
    ? candidate.appliedIndex > current.appliedIndex
    : candidate.epoch > current.epoch;
}

/** Parses Cluster.View's map_json; throws a TesseraError (MALFORMED_MAP) naming the bad field. */
export function parseClusterMap(json: string): ClusterMapView {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw malformed('map_json', 'is not JSON');
  }
  const map = record(value, 'map');
  return {
    epoch: integer(map.epoch, 'epoch'),
    appliedIndex: map.appliedIndex === undefined ? 0 : integer(map.appliedIndex, 'appliedIndex'),
    members: list(map.members, 'members').map((item, at) => {
      const member = record(item, `members[${at}]`);
      return {
        id: text(member.id, `members[${at}].id`),
        grpcAddress: text(member.grpcAddress, `members[${at}].grpcAddress`),
        state: text(member.state, `members[${at}].state`),
      };
    }),
    epochs: list(map.epochs, 'epochs').map((item, at) => {
      const epoch = record(item, `epochs[${at}]`);
      return {
        epoch: integer(epoch.epoch, `epochs[${at}].epoch`),
        cmSet: list(epoch.cmSet, `epochs[${at}].cmSet`).map((id, index) =>
          text(id, `epochs[${at}].cmSet[${index}]`),
        ),
      };
    }),
    volumes: list(map.volumes, 'volumes').map((item, at) => volumeInfo(item, `volumes[${at}]`)),
  };
}

/** A volume record of the map (or of a create_volume result), checked. */
export function volumeInfo(value: unknown, field: string): VolumeInfo {
  const volume = record(value, field);
  const rule = record(volume.rule, `${field}.rule`);
  const level = text(rule.level, `${field}.rule.level`);
  if (!(FAILURE_LEVELS as readonly string[]).includes(level))
    throw malformed(`${field}.rule.level`, `is not one of ${FAILURE_LEVELS.join(', ')}`);
  return {
    name: text(volume.name, `${field}.name`),
    k: integer(volume.k, `${field}.k`),
    m: integer(volume.m, `${field}.m`),
    blockBytes: integer(volume.blockBytes, `${field}.blockBytes`),
    writeQuorum: integer(volume.writeQuorum, `${field}.writeQuorum`),
    rule: {
      level: level as FailureLevel,
      maxPerDomain: integer(rule.maxPerDomain, `${field}.rule.maxPerDomain`),
    },
    ruleReason:
      volume.ruleReason === undefined ? '' : text(volume.ruleReason, `${field}.ruleReason`),
  };
}

function malformed(field: string, problem: string): TesseraError {
  return new TesseraError(
    'MALFORMED_MAP',
    `the cluster map a node sent is malformed: ${field} ${problem}; is the node a Tessera node of a compatible version?`,
  );
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(field, 'is not an object');
  return value as Record<string, unknown>;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(field, 'is not a list');
  return value as unknown[];
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw malformed(field, 'is not a string');
  return value;
}

function integer(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw malformed(field, 'is not a non-negative integer');
  return value;
}
