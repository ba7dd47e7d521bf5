/**
 * The words of Raft as types: log entries, membership, snapshots, the state that must be
 * durable, and the messages members exchange. Names follow the Raft paper (Ongaro and Ousterhout,
 * 2014) and its dissertation (Ongaro, 2014), cited as §.
 */

/** A member of the group: a positive integer, stable for the life of the member. */
export type NodeId = number;

/** "No one": no vote cast, no leader known. */
export const NONE: NodeId = 0;

/**
 * One slot of the replicated log. `index` counts from 1; `term` is the leader's term when it
 * was created. A `normal` entry carries the state machine's command (an empty one is the no-op a
 * new leader appends, §8); a `config` entry carries one membership change, encoded with
 * `encodeConfigChange`.
 */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: 'normal' | 'config';
  readonly data: Uint8Array;
}

/**
 * Who takes part: voters count toward every majority (elections and commitment); learners
 * receive the log but never vote nor count (§4.2.1: a new server catches up as a learner first).
 */
export interface Config {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/**
 * One membership change at a time (§4.1): add a learner, promote a learner to voter, or remove
 * a member (voter or learner). A server uses the latest configuration in its log, committed or
 * not.
 */
export type ConfigChange =
  | { readonly kind: 'addLearner'; readonly node: NodeId }
  | { readonly kind: 'promote'; readonly node: NodeId }
  | { readonly kind: 'remove'; readonly node: NodeId };

/** Where a snapshot ends and which configuration held there. */
export interface SnapshotMeta {
  /** The last log index the snapshot covers. */
  readonly index: number;
  /** The term of the entry at `index`. */
  readonly term: number;
  /** The configuration as of `index`. */
  readonly config: Config;
}

/** A snapshot of the applied state: its meta and the state machine's bytes. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/**
 * The state that must survive a crash before any message that depends on it leaves (Figure 2:
 * "persistent state on all servers", updated on stable storage before responding to RPCs).
 * `commit` is recorded too, as etcd does, but only as a hint: it may lag.
 */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

/** What a member finds on its disk at start-up. */
export interface DurableState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | undefined;
  /** Entries after the snapshot, contiguous, in index order. */
  readonly entries: readonly Entry[];
}

/** The empty durable state of a member that has never run. */
export const EMPTY_DURABLE_STATE: DurableState = {
  hardState: { term: 0, vote: NONE, commit: 0 },
  snapshot: undefined,
  entries: [],
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes of a config entry. */
export function encodeConfigChange(change: ConfigChange): Uint8Array {
  return encoder.encode(JSON.stringify(change));
}

/** The change a config entry carries; asserts its shape. */
export function decodeConfigChange(data: Uint8Array): ConfigChange {
  const value: unknown = JSON.parse(decoder.decode(data));
  if (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    'node' in value &&
    (value.kind === 'addLearner' || value.kind === 'promote' || value.kind === 'remove') &&
    typeof value.node === 'number'
  ) {
    return { kind: value.kind, node: value.node };
  }
  throw new TypeError(`not a config change: ${decoder.decode(data)}`);
}

/** The configuration after `change`. Changes that do not apply leave it as it was. */
export function applyConfigChange(config: Config, change: ConfigChange): Config {
  const voters = config.voters.filter((id) => id !== change.node);
  const learners = config.learners.filter((id) => id !== change.node);
  switch (change.kind) {
    case 'addLearner':
      if (config.voters.includes(change.node)) return config;
      return { voters, learners: [...learners, change.node].sort((a, b) => a - b) };
    case 'promote':
      if (!config.learners.includes(change.node)) return config;
      return { voters: [...voters, change.node].sort((a, b) => a - b), learners };
    case 'remove':
      return { voters, learners };
  }
}
