/**
 * The world of a consistency-manager simulation: N nodes, each with the real FragmentStore (on an
 * in-memory LevelDB whose committed batches survive a crash, as fsynced ones do) and the real
 * ConsistencyManager; the real cluster-map state machine behind a linearizable log; one
 * simulated network on the seeded scheduler that delays, drops and cuts calls. Every store call,
 * proposal and Raft read is a scheduled delivery, so crashes, partitions and epoch changes fall
 * between any two steps of the write path and of recovery.
 *
 * The map is the real ClusterMap, in one of two ways. Under the log model it is applied in one
 * order (the Raft log as a linearizable log; the Raft simulator proves that part), and each node
 * sees it through its own view, which lags the log by a random delay, so that a deposed owner can
 * go on believing it owns a stripe until a fence, a refused mark or a Raft read tells it
 * otherwise. With `raft`, every node runs a real Raft member on the same simulated network
 * (cm-raft.ts), and its CM sees its own member's map: the model's delays become Raft's own.
 */
import { MemoryLevel } from 'memory-level';
import { SeededRandom } from '../../consensus/index.js';
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
} from '../../node/cluster/cluster-map-types.js';
import { ClusterMap, encodeCommand } from '../../node/cluster/cluster-map.js';
import { ConsistencyManager } from '../../node/cm/consistency-manager.js';
import type { MapPort, StoreDirectory, StorePort } from '../../node/cm/ports.js';
import { FragmentStore, type Level } from '../../node/store/fragment-store.js';
import {
  formatFragment,
  versionKey,
  type FragmentId,
  type Version,
  type WriterStamp,
} from '../../node/store/version.js';
import { Pauses } from '../pauses.js';
import { Scheduler } from '../scheduler.js';
import { RaftMapGroup } from './cm-raft.js';

/** The shape of a simulated cluster; everything random follows from `seed`. */
export interface CmWorldOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly regions: number;
  readonly k: number;
  readonly m: number;
  readonly writeQuorum?: number;
  readonly blockBytes?: number;
  readonly latencyMs?: readonly [number, number];
  /** How long a node's view of the map may lag the log. */
  readonly mapLagMs?: readonly [number, number];
  /** After this long with no reply a call fails. */
  readonly callTimeoutMs?: number;
  /** A call not answered by then fails (the target may have crashed while serving it). */
  readonly callDeadlineMs?: number;
  /**
   * Runs the map on real Raft members, one per node (cm-raft.ts), instead of the linearizable
   * log with lagging views.
   */
  readonly raft?: boolean;
  /**
   * Creates the volume once every CM has started, as on a running cluster: its owners then take
   * its stripes as known empty, with no recovery (owned-stripe.ts, knownEmpty). Otherwise the
   * volume comes first and every stripe is recovered on its first access.
   */
  readonly volumeLast?: boolean;
}

/** What a call carries, as an interceptor sees it when the request is about to be delivered. */
export interface CallInfo {
  readonly from: string;
  readonly to: string;
  /** The store method, 'confirm' or a command type (to 'raft'), or 'cm' (a writer to a CM). */
  readonly kind: string;
  readonly fragment?: FragmentId;
}

/**
 * Sees every request as it is about to be delivered; may act on the world (crash the caller, cut
 * a link), may drop the request, or may hold it for a number of milliseconds (it arrives late, as
 * a request stuck behind a long fsync does, perhaps after its caller gave up). Scenario tests place
 * faults between exact steps with these.
 */
export type Interceptor = (call: CallInfo) => 'drop' | { holdMs: number } | void;

/** One simulated node. */
export interface SimCmNode {
  readonly id: string;
  readonly store: FragmentStore;
  /** The store's database, for tests that damage bytes on the disk. */
  readonly db: Level;
  /** Bumped at every crash: replies to an earlier incarnation are never delivered. */
  incarnation: number;
  up: boolean;
  cm: ConsistencyManager | null;
  view: Readonly<ClusterMapState>;
}

export const VOLUME = 'sim';

/** The CM counts a run sums over its CMs, crashed ones included. */
type SummedCmStat = 'historyRollbacks' | 'knownEmpty' | 'abortsDropped';

export class CmWorld {
  readonly scheduler = new Scheduler();
  readonly random: SeededRandom;
  readonly map = new ClusterMap();
  readonly nodes = new Map<string, SimCmNode>();
  /** Ordered node pairs "a>b" whose messages are lost. */
  private readonly cuts = new Set<string>();
  private logIndex = 0;
  /** (fragment, version) → digest of what was stamped, over every store: a version stamped twice with other bytes is a violation. */
  private readonly stamps = new Map<string, string>();
  /** (stripe, version) → the writer event it carries: a version issued twice is a violation. */
  /** Per update (stripe and version): the writer parts it carries, once a parity or whole write named them all, and those seen. */
  private readonly updates = new Map<string, { all?: string; seen: Set<string> }>();
  /** Invariant violations seen while the run went on (a store call cannot throw them at the CM). */
  readonly violations: string[] = [];
  dropRate = 0;
  /** Share of requests delivered late, after their caller's timeout or deadline. */
  slowRate = 0;
  /** Called for every request about to be delivered (scenario tests). */
  readonly interceptors: Interceptor[] = [];
  readonly stats = {
    calls: 0,
    dropped: 0,
    crashes: 0,
    restarts: 0,
    pauses: 0,
    proposals: 0,
    confirms: 0,
    /** Updates that carried several writer parts (one version over several data fragments). */
    mergedUpdates: 0,
  };
  /** Counts of CMs gone (crashed), which cmTotal adds to the running ones'. */
  private readonly retired: Record<SummedCmStat, number> = {
    historyRollbacks: 0,
    knownEmpty: 0,
    abortsDropped: 0,
  };
  private readonly pauses = new Pauses<string>(this.scheduler);
  /** The Raft members that hold the map (options.raft), or undefined under the log model. */
  readonly raft: RaftMapGroup | undefined;

  private constructor(readonly options: CmWorldOptions) {
    this.random = new SeededRandom(options.seed);
    if (options.raft) {
      const ids = Array.from({ length: options.nodes }, (_, n) => `n${n + 1}`);
      this.raft = new RaftMapGroup(
        {
          scheduler: this.scheduler,
          map: this.map,
          delay: (range) => this.delay(range),
          lost: (from, to) => this.lost(from, to),
          whenRunning: (id, action) => this.whenRunning(id, action),
          applied: (id, state) => {
            const node = this.nodes.get(id);
            if (node && state.appliedIndex > node.view.appliedIndex) node.view = state;
          },
        },
        ids,
        this.random.fork(),
      );
    }
  }

  static async create(options: CmWorldOptions): Promise<CmWorld> {
    const world = new CmWorld(options);
    const commands: ClusterCommand[] = [];
    for (let n = 0; n < options.nodes; n++) {
      const id = `n${n + 1}`;
      const db = new MemoryLevel({ valueEncoding: 'view' }) as unknown as Level;
      const store = await FragmentStore.open({ db, sync: false });
      world.nodes.set(id, {
        id,
        store,
        db,
        incarnation: 0,
        up: true,
        cm: null,
        view: world.map.current,
      });
      commands.push({
        type: 'add_member',
        member: {
          id,
          raftId: n + 1,
          region: `r${(n % options.regions) + 1}`,
          zone: `z${n + 1}`,
          weight: 1,
          grpcAddress: `127.0.0.1:${7000 + n}`,
          adminAddress: `127.0.0.1:${8000 + n}`,
        },
      });
    }
    const volume: ClusterCommand = {
      type: 'create_volume',
      name: VOLUME,
      k: options.k,
      m: options.m,
      blockBytes: options.blockBytes ?? 4096,
      ...(options.writeQuorum ? { writeQuorum: options.writeQuorum } : {}),
    };
    if (!options.volumeLast) commands.push(volume);
    const results = await world.commit(commands);
    for (const node of world.nodes.values()) {
      if (!world.raft) node.view = world.map.current;
      world.startCm(node);
    }
    if (options.volumeLast) {
      for (let waited = 0; [...world.nodes.values()].some((node) => !node.cm); waited += 10) {
        if (waited > 5_000) throw new Error('the CMs did not all start');
        await world.runUntil(world.scheduler.nowMs + 10);
      }
      results.push(...(await world.commit([volume])));
      // Every node learns it (apply() spreads the map with a lag).
      if (!world.raft) await world.runUntil(world.scheduler.nowMs + world.mapLag[1]);
    }
    const created = results[results.length - 1]!;
    if (!created.ok) throw new Error(`create_volume: ${created.message}`);
    return world;
  }

  /** Commits commands in order, through Raft when the map runs on it (until every member applied them). */
  private async commit(commands: readonly ClusterCommand[]): Promise<ClusterResult[]> {
    return this.raft
      ? this.bootstrapOnRaft(this.raft, commands)
      : commands.map((command) => this.apply(command));
  }

  /**
   * Elects a leader and commits the members and the volume through it, one after another, until
   * every member has applied them all: the cluster as `tessera cluster up` leaves it.
   */
  private async bootstrapOnRaft(
    raft: RaftMapGroup,
    commands: readonly ClusterCommand[],
  ): Promise<ClusterResult[]> {
    const results: ClusterResult[] = [];
    for (const command of commands) {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 100) throw new Error(`bootstrap: ${command.type} did not commit`);
        const leader = raft.leader();
        if (!leader) {
          await this.runUntil(this.scheduler.nowMs + 20);
          continue;
        }
        const result = await this.drive(raft.proposeAt(leader, command), 5_000).catch(
          () => undefined,
        );
        if (result) {
          results.push(result);
          break;
        }
      }
    }
    const last = this.map.current.appliedIndex;
    await this.drive(
      Promise.all([...this.nodes.keys()].map((id) => raft.appliedThrough(id, last))),
    );
    return results;
  }

  /** How long a node's view of the map lags the log (options.mapLagMs). */
  private get mapLag(): readonly [number, number] {
    return this.options.mapLagMs ?? [0, 80];
  }

  /** The volume as the map records it. */
  get volume(): NonNullable<ReturnType<ClusterMap['volume']>> {
    return this.map.volume(VOLUME)!;
  }

  /** Applies a command to the log now (a proposal that reached the leader) and spreads the map. */
  apply(command: ClusterCommand): ClusterResult {
    if (this.raft) throw new Error('the map runs on Raft here: propose() instead');
    this.logIndex += 1;
    const result = this.map.apply(this.logIndex, encodeCommand(command));
    const state = this.map.current;
    for (const node of this.nodes.values()) {
      this.scheduler.after(this.delay(this.mapLag), () => this.learn(node, state));
    }
    return result;
  }

  private learn(node: SimCmNode, state: Readonly<ClusterMapState>): void {
    if (state.appliedIndex > node.view.appliedIndex) node.view = state;
  }

  /** Crashes a node: its CM's memory and every call in flight from it are gone; its store stays. */
  crash(id: string): void {
    const node = this.nodes.get(id)!;
    if (!node.up) return;
    this.raft?.crash(id);
    node.up = false;
    for (const stat of Object.keys(this.retired) as SummedCmStat[])
      this.retired[stat] += node.cm?.stats[stat] ?? 0;
    node.cm = null;
    node.incarnation += 1;
    this.stats.crashes += 1;
  }

  /**
   * A count summed over every CM of the run: historyRollbacks, the recoveries that settled only
   * by reading fragments from their history, from before a version proved never acknowledged
   * (recovery.ts); knownEmpty, the stripes taken with no recovery (owned-stripe.ts).
   */
  cmTotal(stat: SummedCmStat): number {
    let sum = this.retired[stat];
    for (const node of this.nodes.values()) sum += node.cm?.stats[stat] ?? 0;
    return sum;
  }

  /** Restarts a crashed node: it records its start in the map (a new epoch) before its CM serves. */
  restart(id: string): void {
    const node = this.nodes.get(id)!;
    if (node.up) return;
    node.up = true;
    this.stats.restarts += 1;
    this.raft?.start(id);
    this.startCm(node);
  }

  private startCm(node: SimCmNode): void {
    const incarnation = node.incarnation;
    void this.proposeFrom(node, { type: 'cm_started', id: node.id }).then(
      (result) => {
        if (!result.ok || node.incarnation !== incarnation || !node.up) return;
        node.cm = new ConsistencyManager({
          nodeId: node.id,
          startEpoch: result.epoch,
          map: this.mapPort(node),
          stores: this.directory(node),
          wallMs: () => this.scheduler.nowMs,
        });
      },
      () => {
        if (node.incarnation === incarnation && node.up)
          this.scheduler.after(50, () => this.startCm(node));
      },
    );
  }

  /**
   * Pauses node `id`'s process for `ms` (pauses.ts): it serves no call, hears no reply or
   * timeout, and its Raft member takes no message and no tick until then.
   */
  pause(id: string, ms: number): void {
    this.stats.pauses += 1;
    this.pauses.pause(id, ms);
  }

  /** Runs `action` now, or when node `id` resumes if it is paused. */
  whenRunning(id: string, action: () => void): void {
    this.pauses.whenRunning(id, action);
  }

  /** Cuts messages from `a` to `b` (one way). */
  cut(a: string, b: string): void {
    this.cuts.add(`${a}>${b}`);
  }

  /** Heals every cut. */
  healAll(): void {
    this.cuts.clear();
    this.dropRate = 0;
    this.slowRate = 0;
    this.interceptors.length = 0;
  }

  /** Isolates a node from every other node and from the map, both ways. */
  isolate(id: string): void {
    for (const other of [...this.nodes.keys(), 'raft']) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  private reachable(from: string, to: string): boolean {
    return !this.cuts.has(`${from}>${to}`);
  }

  /** Whether a message from `from` to `to` is lost: cut, or dropped at the drop rate. */
  private lost(from: string, to: string): boolean {
    if (!this.reachable(from, to)) return true;
    if (this.dropRate > 0 && this.random.chance(this.dropRate)) {
      this.stats.dropped += 1;
      return true;
    }
    return false;
  }

  /**
   * A call from node `from` to `to` (a node, or 'raft'): the request is delivered after a delay
   * (unless cut, dropped, intercepted, or the target is down), `run` executes there, and the
   * reply comes back the same way. A call whose request or reply is lost fails after the timeout;
   * every call fails at its deadline (a target that crashed while serving it never answers); a
   * caller that crashed meanwhile hears nothing, ever.
   */
  call<T>(
    from: SimCmNode,
    to: string,
    run: () => Promise<T>,
    info: Omit<CallInfo, 'from' | 'to'> = { kind: 'call' },
  ): Promise<T> {
    const incarnation = from.incarnation;
    this.stats.calls += 1;
    const alive = (): boolean => from.incarnation === incarnation && from.up;
    const timeoutMs = this.options.callTimeoutMs ?? 200;
    const latency = (): number => this.delay(this.options.latencyMs ?? [1, 10]);
    return new Promise<T>((resolveCall, rejectCall) => {
      let settled = false;
      const resolve = (value: T): void => {
        if (!settled) resolveCall(value);
        settled = true;
      };
      const reject = (error: Error): void => {
        if (!settled) rejectCall(error);
        settled = true;
      };
      // A paused caller hears of its timeouts and replies when it resumes.
      const atCaller = (action: () => void): void => this.whenRunning(from.id, action);
      this.scheduler.after(this.options.callDeadlineMs ?? 1_000, () =>
        atCaller(() => {
          if (alive()) reject(new Error(`call ${from.id}→${to}: deadline exceeded`));
        }),
      );
      const fail = (why: string): void =>
        this.scheduler.after(timeoutMs, () =>
          atCaller(() => {
            if (alive()) reject(new Error(`call ${from.id}→${to} failed: ${why}`));
          }),
        );
      // A slow request (stuck in a queue, a long fsync ahead of it) arrives after its caller gave up.
      const slow = this.slowRate > 0 && this.random.chance(this.slowRate);
      this.scheduler.after(slow ? this.delay([300, 1500]) : latency(), () => {
        const call: CallInfo = { from: from.id, to, ...info };
        const verdicts = this.interceptors.map((interceptor) => interceptor(call));
        const held = verdicts.find((verdict) => typeof verdict === 'object');
        if (held) return this.scheduler.after(held.holdMs, () => deliver(false));
        deliver(verdicts.includes('drop'));
      });
      /** The request reaches its target (unless dropped, lost or the target is down) and runs. */
      const deliver = (dropped: boolean): void => {
        if (!alive()) return;
        if (dropped || this.lost(from.id, to) || (to !== 'raft' && !this.nodes.get(to)!.up))
          return fail('request lost');
        // A paused target serves the request when it resumes.
        this.whenRunning(to, () => {
          void run().then(
            (value) =>
              this.scheduler.after(latency(), () => {
                if (!alive()) return;
                if (this.lost(to, from.id)) return fail('reply lost');
                atCaller(() => {
                  if (alive()) resolve(value);
                });
              }),
            (error: unknown) =>
              this.scheduler.after(latency(), () =>
                atCaller(() => {
                  if (alive()) reject(error instanceof Error ? error : new Error(String(error)));
                }),
              ),
          );
        });
      };
    });
  }

  private proposeFrom(node: SimCmNode, command: ClusterCommand): Promise<ClusterResult> {
    this.stats.proposals += 1;
    const raft = this.raft;
    if (raft) {
      // The Propose call goes to the leader this node's member knows of, and answers once that
      // leader applied the entry; the node's own map learns it when its member applies it.
      const leader = raft.leaderSeenBy(node.id);
      if (!leader) return this.noLeader(node, command.type);
      return this.call(node, leader, () => raft.proposeAt(leader, command), {
        kind: command.type,
      });
    }
    const apply = (): Promise<{ result: ClusterResult; state: Readonly<ClusterMapState> }> => {
      const result = this.apply(command);
      return Promise.resolve({ result, state: this.map.current });
    };
    return this.call(node, 'raft', apply, { kind: command.type }).then(({ result, state }) => {
      this.learn(node, state);
      return result;
    });
  }

  private mapPort(node: SimCmNode): MapPort {
    return {
      current: () => node.view,
      confirm: () => {
        this.stats.confirms += 1;
        const raft = this.raft;
        if (raft) {
          // A ReadIndex read at the leader, then this node's member applies through its index.
          const leader = raft.leaderSeenBy(node.id);
          if (!leader) return this.noLeader(node, 'confirm');
          return this.call(node, leader, () => raft.readIndexAt(leader), { kind: 'confirm' })
            .then((index) => raft.appliedThrough(node.id, index))
            .then(() => node.view);
        }
        const read = (): Promise<Readonly<ClusterMapState>> => Promise.resolve(this.map.current);
        return this.call(node, 'raft', read, { kind: 'confirm' }).then((state) => {
          this.learn(node, state);
          return node.view;
        });
      },
      propose: (command) => this.proposeFrom(node, command),
    };
  }

  private directory(from: SimCmNode): StoreDirectory {
    return { store: (to) => this.storePort(from, to) };
  }

  /** Node `to`'s store as `from` reaches it through the simulated network. */
  storePort(from: SimCmNode, to: string): StorePort {
    const store = (): FragmentStore => this.nodes.get(to)!.store;
    const call = <T>(kind: string, fragment: FragmentId, run: () => Promise<T>): Promise<T> =>
      this.call(from, to, run, { kind, fragment });
    const stamped = <T extends { ok: boolean; repeated?: boolean }>(
      kind: string,
      request: {
        fragment: FragmentId;
        next: Version;
        digest: string;
        writer: WriterStamp;
        alsoWriters?: readonly WriterStamp[];
      },
      run: () => Promise<T>,
    ): Promise<T> =>
      call(kind, request.fragment, async () => {
        const outcome = await run();
        if (outcome.ok && !outcome.repeated)
          this.recordStamp(
            request.fragment,
            request.next,
            request.digest,
            [request.writer, ...(request.alsoWriters ?? [])],
            // A data write names its own part; a parity or a whole write every part of the update.
            kind !== 'writeData',
          );
        return outcome;
      });
    return {
      writeData: (request) => stamped('writeData', request, () => store().writeData(request)),
      applyParity: (request) => stamped('applyParity', request, () => store().applyParity(request)),
      writeWhole: (request) => stamped('writeWhole', request, () => store().writeWhole(request)),
      read: (fragment, blockBytes, offset, length) =>
        call('read', fragment, () => store().read(fragment, blockBytes, offset, length)),
      readVersion: (fragment, blockBytes, version, offset, length) =>
        call('readVersion', fragment, () =>
          store().readVersion(fragment, blockBytes, version, offset, length),
        ),
      history: (fragment) => call('history', fragment, () => store().history(fragment)),
      exportHistory: (fragment, blockBytes, skip) =>
        call('exportHistory', fragment, () => store().exportHistory(fragment, blockBytes, skip)),
      importHistory: (fragment, blockBytes, history, epoch) =>
        call('importHistory', fragment, () =>
          store().importHistory(fragment, blockBytes, history, epoch),
        ),
      deleteFragment: (fragment, blockBytes, expected, epoch) =>
        call('deleteFragment', fragment, () =>
          store().deleteFragment(fragment, blockBytes, expected, epoch),
        ),
      fence: (volume, stripe, epoch, seq) =>
        call('fence', { volume, stripe, index: -1 }, () =>
          store().fence(volume, stripe, epoch, seq),
        ),
    };
  }

  /** Runs the world until `promise` settles; resolves or rejects with it. */
  async drive<T>(promise: Promise<T>, limitMs = 60_000): Promise<T> {
    let done = false;
    const mark = (): void => {
      done = true;
    };
    promise.then(mark, mark);
    const until = this.scheduler.nowMs + limitMs;
    do await settle();
    while (!done && this.scheduler.runNext(until));
    if (!done)
      throw new Error(
        `the world went idle at ${this.scheduler.nowMs} ms with the operation pending`,
      );
    return promise;
  }

  /** The invariant "no version stamped twice with different bytes", checked at every stamped write. */
  private recordStamp(
    fragment: { volume: string; stripe: number; index: number },
    version: { epoch: number; seq: number },
    digest: string,
    writers: readonly WriterStamp[],
    namesAll: boolean,
  ): void {
    const key = `${formatFragment(fragment)}@${versionKey(version)}`;
    const known = this.stamps.get(key);
    if (known !== undefined && known !== digest)
      this.violations.push(
        `version ${version.epoch}.${version.seq} of ${formatFragment(fragment)} was stamped twice with different bytes`,
      );
    this.stamps.set(key, digest);
    // A version of a stripe is one update, which carries one set of writer parts: every parity
    // and whole write stamped with it names all of them, and each data write one of them.
    const update = `${fragment.volume}/${fragment.stripe}@${versionKey(version)}`;
    const events = writers.map((writer) => `${writer.writerId}/${writer.writerSeq}/${writer.part}`);
    let issued = this.updates.get(update);
    if (!issued) {
      issued = { seen: new Set() };
      this.updates.set(update, issued);
    }
    const twice = (other: string): void => {
      this.violations.push(
        `version ${version.epoch}.${version.seq} of stripe ${fragment.volume}/${fragment.stripe} was issued twice (${other}, then ${events.join(' ')})`,
      );
    };
    if (namesAll) {
      const all = [...events].sort().join(' ');
      if (issued.all !== undefined && issued.all !== all) twice(issued.all);
      const outside = [...issued.seen].filter((event) => !events.includes(event));
      if (outside.length > 0) twice(outside.join(' '));
      if (issued.all === undefined && events.length > 1) this.stats.mergedUpdates += 1;
      issued.all = all;
    } else if (issued.all !== undefined && !issued.all.split(' ').includes(events[0]!)) {
      twice(issued.all);
    }
    for (const event of events) issued.seen.add(event);
  }

  /** Runs scheduled events until `untilMs` (simulated), letting each one's promises settle before the next. */
  async runUntil(untilMs: number): Promise<void> {
    // Settle first: work started just before this call schedules its events from microtasks.
    do await settle();
    while (this.scheduler.runNext(untilMs));
    this.scheduler.nowMs = Math.max(this.scheduler.nowMs, untilMs);
  }

  /** Runs until nothing is scheduled (or `limitMs` passes). */
  async runIdle(limitMs = 60_000): Promise<void> {
    const until = this.scheduler.nowMs + limitMs;
    do await settle();
    while (this.scheduler.runNext(until));
  }

  delay([low, high]: readonly [number, number]): number {
    return low + this.random.int(high - low + 1);
  }

  /**
   * Proposes a map change as the failure detector or an operator would: on Raft, at whichever
   * member leads, again until it commits.
   */
  propose(command: ClusterCommand): void {
    if (this.raft) this.raft.submit(command);
    else this.apply(command);
  }

  /** A call to the leader from a node whose member knows none: it fails after the call timeout. */
  private noLeader<T>(node: SimCmNode, kind: string): Promise<T> {
    const incarnation = node.incarnation;
    return new Promise((_, reject) =>
      this.scheduler.after(this.options.callTimeoutMs ?? 200, () => {
        if (node.incarnation === incarnation && node.up)
          reject(new Error(`${kind} from ${node.id}: no Raft leader known`));
      }),
    );
  }
}

/** Lets every promise that is ready settle (the store's work for one event) before the next event. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
