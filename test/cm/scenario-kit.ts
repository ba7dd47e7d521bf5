/**
 * What the CM scenario tests are written with: a small simulated cluster (RS(2,2) on five nodes
 * in three regions unless a scenario picks another shape, fixed latencies), named steps, and helpers that say which node owns a stripe
 * and which node holds each fragment. A scenario is a list of steps run in order; a failing step
 * is named in the failure, and every scenario ends by healing, repairing and checking every
 * invariant of the random runs.
 */
import { expect } from 'chai';
import { cmSetOf, owner, stripeKey } from '../../placement/index.js';
import { fragmentLocations } from '../../node/cluster/stripe-records.js';
import { settleAndCheck } from '../../simulations/cm/cm-run.js';
import { CmWorld, VOLUME, type CallInfo } from '../../simulations/cm/cm-world.js';
import { Workload, type WriteRecord } from '../../simulations/cm/cm-workload.js';

/** Stripes a scenario may pick from (and that the final check reads). */
const STRIPES = 8;

export interface Kit {
  world: CmWorld;
  work: Workload;
  /** The CM that owns `stripe` in the newest epoch. */
  ownerOf(stripe: number): string;
  /** The node of each fragment of `stripe` (0…k-1 data, then parity). */
  nodesOf(stripe: number): string[];
  /** Cells of data fragment `index` of `stripe` (a whole block). */
  block(stripe: number, index: number): { cell: number; cells: number };
  /** Runs the world until `promise` settles. */
  drive<T>(promise: Promise<T>): Promise<T>;
  /** The write id in each cell of `range`, read through the owner. */
  read(range: { cell: number; cells: number }): Promise<number[]>;
  /** A writer's single attempt (or `attemptsMax`). */
  write(
    writer: string,
    seq: number,
    range: { cell: number; cells: number },
    options?: Parameters<Workload['write']>[3],
  ): Promise<WriteRecord>;
  /**
   * Lets `act` react to the first request that `match` picks, as it is about to be delivered, and
   * drops that request unless `deliver` is set.
   */
  onCall(
    match: (call: CallInfo) => boolean,
    act?: (call: CallInfo) => void,
    deliver?: boolean,
  ): { happened(): boolean };
  /** Drops the first call of `kind` from `from` to fragment `index` of any stripe. */
  lose(from: string, kind: string, index: number): void;
  /** Holds the first request that `match` picks for `holdMs` before it is delivered (late). */
  hold(match: (call: CallInfo) => boolean, holdMs: number): { happened(): boolean };
  /** A single read attempt; null when it was refused or failed. */
  readOnce(range: { cell: number; cells: number }): Promise<number[] | null>;
  /** The first stripe (of 0…7) for which `pick` holds, given its owner and fragment nodes. */
  findStripe(pick: (owner: string, nodes: string[], stripe: number) => boolean): number;
  /** The owner `stripe` would have with `without` out of the CM set. */
  ownerWithout(stripe: number, without: string): string;
  /** The failure detector declares `id` down (or up); an operator drains it. */
  declare(id: string, state: 'up' | 'down' | 'draining'): Promise<void>;
  /**
   * Every node's retention sweep over `stripe`, its horizon past every write: each fragment's
   * settled history folds into its base. Resolves with how many versions folded.
   */
  foldStripe(stripe: number): Promise<number>;
}

/** The code and cluster of a scenario: RS(2,2) on five nodes unless it says otherwise. */
export interface Shape {
  readonly k: number;
  readonly m: number;
  readonly nodes: number;
}

/**
 * A scenario's world. With `volumeLast`, the volume is created once every CM has started, as on
 * a running cluster (its owners take its stripes as known empty); otherwise before they start.
 */
export async function kit(
  seed = 1,
  shape: Shape = { k: 2, m: 2, nodes: 5 },
  options: { volumeLast?: boolean } = {},
): Promise<Kit> {
  const world = await CmWorld.create({
    seed,
    regions: 3,
    ...shape,
    latencyMs: [1, 1],
    mapLagMs: [1, 1],
    volumeLast: options.volumeLast ?? false,
  });
  await world.runUntil(50);
  const work = new Workload(world, STRIPES);
  const drive = <T>(promise: Promise<T>): Promise<T> => world.drive(promise);
  const perBlock = world.volume.blockBytes / 256;
  return {
    world,
    work,
    drive,
    ownerOf: (stripe) => {
      const state = world.map.current;
      const newest = state.epochs[state.epochs.length - 1]!;
      return owner(stripeKey(VOLUME, stripe), cmSetOf(newest.epoch, newest.cmSet))!;
    },
    nodesOf: (stripe) =>
      fragmentLocations(world.map.current, world.volume, stripe).map((node) => node!),
    block: (stripe, index) => ({
      cell: (stripe * world.volume.k + index) * perBlock,
      cells: perBlock,
    }),
    readOnce: async (range) => (await drive(work.read(range, 1)))?.values ?? null,
    findStripe: (pick) => {
      for (let stripe = 0; stripe < STRIPES; stripe++) {
        const state = world.map.current;
        const newest = state.epochs[state.epochs.length - 1]!;
        const owns = owner(stripeKey(VOLUME, stripe), cmSetOf(newest.epoch, newest.cmSet))!;
        const nodes = fragmentLocations(state, world.volume, stripe).map((node) => node!);
        if (pick(owns, nodes, stripe)) return stripe;
      }
      throw new Error('no stripe of 0…7 fits the scenario');
    },
    ownerWithout: (stripe, without) => {
      const newest = world.map.current.epochs[world.map.current.epochs.length - 1]!;
      const ids = newest.cmSet.filter((id) => id !== without);
      return owner(stripeKey(VOLUME, stripe), cmSetOf(newest.epoch + 1, ids))!;
    },
    read: async (range) => {
      const record = await drive(work.read(range));
      if (!record) throw new Error('the read was not served');
      return record.values;
    },
    write: (writer, seq, range, options) =>
      drive(work.write(writer, seq, range, { attemptsMax: 1, ...options })),
    onCall: (match, act, deliver = false) => {
      let happened = false;
      world.interceptors.push((call) => {
        if (happened || !match(call)) return undefined;
        happened = true;
        act?.(call);
        return deliver ? undefined : 'drop';
      });
      return { happened: () => happened };
    },
    lose(this: Kit, from: string, kind: string, index: number) {
      this.onCall(
        (call) => call.from === from && call.kind === kind && call.fragment?.index === index,
      );
    },
    hold: (match, holdMs) => {
      let happened = false;
      world.interceptors.push((call) => {
        if (happened || !match(call)) return undefined;
        happened = true;
        return { holdMs };
      });
      return { happened: () => happened };
    },
    declare: async (id, state) => {
      world.propose({ type: 'set_state', id, state, reason: 'scenario' });
      await world.runUntil(world.scheduler.nowMs + 20);
    },
    foldStripe: async (stripe) => {
      const { k, m, blockBytes } = world.volume;
      let folded = 0;
      for (const node of world.nodes.values())
        for (let index = 0; index < k + m; index++)
          folded += await drive(
            node.store.fold({ volume: VOLUME, stripe, index }, blockBytes, Number.MAX_SAFE_INTEGER),
          );
      return folded;
    },
  };
}

/** Runs named steps in order; a failure names its step. */
export async function steps(list: [string, () => Promise<void> | void][]): Promise<void> {
  for (const [name, step] of list) {
    try {
      await step();
    } catch (error) {
      if (error instanceof Error) error.message = `step "${name}": ${error.message}`;
      throw error;
    }
  }
}

/** Heals, repairs, reads every stripe, and expects no invariant violated. */
export async function expectAllInvariants(k: Kit): Promise<void> {
  const violations = await settleAndCheck(k.world, k.work, STRIPES);
  expect(violations).to.deep.equal([]);
}

/** Writes X, then Y with the owner crashing as its first parity write leaves. */
export async function crashMidUpdate(
  k: Kit,
  stripe: number,
  index: number,
): Promise<{ owner: string; x: WriteRecord; y: WriteRecord }> {
  const owner = k.ownerOf(stripe);
  const x = await k.write('w1', 1, k.block(stripe, index));
  expect(x.outcome, 'X').to.equal('acked');
  const hit = k.onCall(
    (call) => call.from === owner && call.kind === 'applyParity',
    () => k.world.crash(owner),
  );
  const y = await k.write('w1', 2, k.block(stripe, index));
  expect(hit.happened(), 'the crash point was reached').to.equal(true);
  expect(y.outcome, 'Y').to.equal('unknown');
  return { owner, x, y };
}
