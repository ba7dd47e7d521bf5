/**
 * One seeded run of the consistency-manager simulation: writers and readers go on while the seed
 * crashes and restarts nodes (the failure detector noticing late, or not before the restart),
 * cuts links one way or both, isolates nodes and drops messages; then every fault heals, the
 * owners repair what is marked, the final reads run, and every invariant is checked. The same
 * seed replays the same run.
 */
import { checkHistory, checkStripes } from './cm-checker.js';
import { sweepRetention } from '../../node/store/retention.js';
import { CmWorld, VOLUME, type CmWorldOptions } from './cm-world.js';
import { Workload, type ReadRecord } from './cm-workload.js';

export interface CmRunOptions extends Partial<CmWorldOptions> {
  readonly seed: number;
  /** Stripes the writers spread over. */
  readonly stripes?: number;
  readonly writers?: number;
  /** Simulated milliseconds of writes under faults. */
  readonly faultMs?: number;
  /** Placement changes among the faults: a node drained (its fragments move) and given back (default on). */
  readonly placementChanges?: boolean;
  /**
   * With it, every running node's retention sweep folds the history older than this many
   * simulated ms, every 250 ms amid the faults (node/store/retention.ts); without it, nothing
   * folds.
   */
  readonly retentionMs?: number;
  /** Called with the world after the checks (to look into a failing seed). */
  readonly inspect?: (world: CmWorld, violations: string[]) => Promise<void>;
}

export interface CmRunResult {
  readonly seed: number;
  readonly violations: string[];
  readonly writes: { acked: number; unknown: number; failed: number };
  readonly reads: number;
  readonly stats: CmWorld['stats'];
  /** Recoveries that settled by reading fragments from before a disproved version. */
  readonly historyRollbacks: number;
  /** Stripes taken with no recovery, known never written. */
  readonly knownEmpty: number;
  /** Abort records the owners dropped from the map as spent. */
  readonly abortsDropped: number;
  readonly simulatedMs: number;
  readonly steps: number;
}

export const CM_DEFAULTS = {
  nodes: 5,
  regions: 3,
  k: 2,
  m: 2,
  stripes: 3,
  writers: 3,
  faultMs: 1500,
} as const;

export async function runCmSeed(options: CmRunOptions): Promise<CmRunResult> {
  // Even seeds create the volume on the running cluster, whose owners take its stripes as known
  // empty; odd seeds before the CMs start, so that every stripe is recovered first (as seeds
  // from before this choice did).
  const volumeLast = options.volumeLast ?? options.seed % 2 === 0;
  const world = await CmWorld.create({
    seed: options.seed,
    nodes: options.nodes ?? CM_DEFAULTS.nodes,
    regions: options.regions ?? CM_DEFAULTS.regions,
    k: options.k ?? CM_DEFAULTS.k,
    m: options.m ?? CM_DEFAULTS.m,
    ...(options.writeQuorum ? { writeQuorum: options.writeQuorum } : {}),
    ...(options.raft ? { raft: true } : {}),
    volumeLast,
  });
  const stripes = options.stripes ?? CM_DEFAULTS.stripes;
  const faultMs = options.faultMs ?? CM_DEFAULTS.faultMs;
  // The times count from the volume's creation when it came last (the CMs' start took some).
  const begin = volumeLast ? world.scheduler.nowMs : 0;
  await world.runUntil(begin + 100);
  const workload = new Workload(world, stripes);
  workload.start(options.writers ?? CM_DEFAULTS.writers);
  scheduleFaults(world, begin + 100 + faultMs, options.placementChanges ?? true);
  scheduleAbortDrops(world, begin + 100 + faultMs, stripes);
  if (options.retentionMs !== undefined)
    scheduleRetention(world, begin + 100 + faultMs, options.retentionMs);
  await world.runUntil(begin + 100 + faultMs);
  workload.stopped = true;
  const violations = await settleAndCheck(world, workload, stripes);
  await options.inspect?.(world, violations);
  const outcomes = [...workload.history.writes.values()].map((write) => write.outcome);
  return {
    seed: options.seed,
    violations,
    writes: {
      acked: outcomes.filter((outcome) => outcome === 'acked').length,
      unknown: outcomes.filter((outcome) => outcome === 'unknown').length,
      failed: outcomes.filter((outcome) => outcome === 'failed').length,
    },
    reads: workload.history.reads.length,
    stats: world.stats,
    historyRollbacks: world.cmTotal('historyRollbacks'),
    knownEmpty: world.cmTotal('knownEmpty'),
    abortsDropped: world.cmTotal('abortsDropped'),
    simulatedMs: world.scheduler.nowMs,
    steps: world.scheduler.steps,
  };
}

/**
 * Heals every fault, lets the owners repair what is marked, reads every stripe, and returns every
 * invariant violation of the run (empty when it kept every promise).
 */
export async function settleAndCheck(
  world: CmWorld,
  workload: Workload,
  stripes: number,
): Promise<string[]> {
  await quiesce(world, stripes);
  const finalReads = await finalRead(world, workload, stripes);
  return [
    ...world.violations,
    ...checkHistory(workload.history, finalReads, world.volume.blockBytes, world.volume.k),
    ...(await checkStripes(world, stripes)),
  ];
}

/**
 * Every running CM's scrub, as far as abort records go: every 250 simulated ms until `untilMs`,
 * each drops the spent abort records of the stripes it owns (spent-aborts.ts), amid the faults
 * and the writes. A stripe with no abort record costs nothing (no call, no random draw), so a
 * seed behaves as before until its first roll-back.
 */
function scheduleAbortDrops(world: CmWorld, untilMs: number, stripes: number): void {
  const pass = (): void => {
    if (world.scheduler.nowMs >= untilMs) return;
    void dropSpentAborts(world, stripes);
    world.scheduler.after(SWEEP_EVERY_MS, pass);
  };
  world.scheduler.after(SWEEP_EVERY_MS, pass);
}

/** How often the simulated nodes' sweeps run: the owners' abort drops and the retention sweep. */
const SWEEP_EVERY_MS = 250;

/** Every running node's retention sweep, every 250 simulated ms until `untilMs`. */
function scheduleRetention(world: CmWorld, untilMs: number, retentionMs: number): void {
  const pass = (): void => {
    if (world.scheduler.nowMs >= untilMs) return;
    const horizonMs = world.scheduler.nowMs - retentionMs;
    for (const node of world.nodes.values())
      if (node.up)
        void sweepRetention(node.store, horizonMs, () => !node.up).catch(() => undefined);
    world.scheduler.after(SWEEP_EVERY_MS, pass);
  };
  world.scheduler.after(SWEEP_EVERY_MS, pass);
}

/** Each running CM drops the spent abort records of the stripes it owns; resolves when all tried. */
async function dropSpentAborts(world: CmWorld, stripes: number): Promise<void> {
  const tries: Promise<unknown>[] = [];
  for (const node of world.nodes.values()) {
    const cm = node.up ? node.cm : undefined;
    if (!cm) continue;
    for (let stripe = 0; stripe < stripes; stripe++)
      tries.push(cm.dropSpentAborts(VOLUME, stripe).catch(() => 0));
  }
  await Promise.all(tries);
}

/** One fault (or a repair of one) every 20 to 150 simulated ms until `untilMs`. */
function scheduleFaults(world: CmWorld, untilMs: number, placementChanges: boolean): void {
  const ids = [...world.nodes.keys()];
  const pick = <T>(items: readonly T[]): T | undefined =>
    items[world.random.int(Math.max(1, items.length))];
  const act = (): void => {
    if (world.scheduler.nowMs >= untilMs) return;
    const random = world.random;
    const up = ids.filter((id) => world.nodes.get(id)!.up);
    const crashed = ids.filter((id) => !world.nodes.get(id)!.up);
    const member = (id: string) => world.map.member(id)!;
    if (placementChanges && random.chance(0.05)) {
      // A node drained (its fragments move away, each with its history) or given back.
      const draining = ids.find((id) => member(id).state === 'draining');
      const id = draining ?? pick(ids.filter((node) => member(node).state === 'up'));
      if (id)
        world.propose({
          type: 'set_state',
          id,
          state: draining ? 'up' : 'draining',
          reason: 'sim: placement change',
        });
    }
    switch (random.int(world.raft ? 11 : 9)) {
      case 0:
        if (crashed.length < world.volume.m && up.length > 0) world.crash(pick(up)!);
        break;
      case 1:
        if (crashed.length > 0) world.restart(pick(crashed)!);
        break;
      case 2: {
        // The failure detector: a crashed node is declared down, a running one up again.
        const late = ids.filter((id) => world.nodes.get(id)!.up !== (member(id).state === 'up'));
        const id = pick(late);
        if (id)
          world.propose({
            type: 'set_state',
            id,
            state: world.nodes.get(id)!.up ? 'up' : 'down',
            reason: 'sim failure detector',
          });
        break;
      }
      case 3: {
        const a = pick(ids)!;
        // Under the log model 'raft' stands for the map's leader; on Raft, members are the nodes.
        const b = pick([...ids.filter((id) => id !== a), ...(world.raft ? [] : ['raft'])])!;
        world.cut(a, b);
        if (random.chance(0.5)) world.cut(b, a);
        break;
      }
      case 4:
        if (random.chance(0.3)) world.isolate(pick(ids)!);
        break;
      case 5:
        world.healAll();
        break;
      case 7: {
        // A false suspicion: a running node (often one cut off) is declared down; ownership moves
        // while it may still believe it owns its stripes.
        const id = pick(ids.filter((node) => member(node).state === 'up'));
        if (id) world.propose({ type: 'set_state', id, state: 'down', reason: 'sim: suspected' });
        break;
      }
      case 6:
        world.dropRate = random.chance(0.5) ? 0 : 0.05 * (1 + random.int(4));
        world.slowRate = random.chance(0.5) ? 0 : 0.02 * (1 + random.int(3));
        break;
      case 8: {
        // On Raft: the leader fails (crashed, or cut off from everyone), so that elections fall
        // between the steps of writes, marks, confirmations and recoveries.
        const leader = world.raft?.leader();
        if (!leader) break;
        if (random.chance(0.5) && crashed.length < world.volume.m) world.crash(leader);
        else world.isolate(leader);
        break;
      }
      case 9: {
        // On Raft: a process pauses (the leader half the time), its read lease running out meanwhile.
        const leader = world.raft?.leader();
        const id = leader && random.chance(0.5) ? leader : pick(up);
        if (id) world.pause(id, world.delay([20, 800]));
        break;
      }
      default:
        break;
    }
    world.scheduler.after(world.delay([20, 150]), act);
  };
  world.scheduler.after(world.delay([20, 150]), act);
}

/**
 * Heals everything, brings every node back up, lets writers finish and owners repair every mark
 * and sweep every node mark away.
 */
async function quiesce(world: CmWorld, stripes: number): Promise<void> {
  const debug = (what: string) =>
    process.env.CM_DEBUG && console.error(what, world.scheduler.nowMs, world.scheduler.pending());
  world.healAll();
  for (const node of world.nodes.values()) world.restart(node.id);
  await world.runIdle(5_000);
  debug('restarted');
  const down = [...world.nodes.keys()].filter((id) => world.map.member(id)!.state !== 'up');
  if (down.length > 0)
    world.propose({
      type: 'set_states',
      changes: down.map((id) => ({ id, state: 'up' as const })),
      reason: 'sim: all healed',
    });
  await world.runIdle(5_000);
  const pending = (): boolean =>
    (world.map.current.marks ?? []).length > 0 ||
    (world.map.current.nodeMarks ?? []).length > 0 ||
    [...world.nodes.values()].some((node) => (node.cm?.repairQueue().length ?? 0) > 0);
  const all = Array.from({ length: stripes }, (_, stripe) => ({ volume: VOLUME, stripe }));
  for (let round = 0; round < 10 && pending(); round++) {
    const repairs = [...world.nodes.values()].map(
      (node) => node.cm?.repairMarked(64) ?? Promise.resolve(0),
    );
    await world.runIdle(5_000);
    debug('repairs run');
    await Promise.all(repairs);
    debug('repairs done');
    // The node's sweep: every CM verifies the stripes it owns under a node mark and says so.
    const sweeps = [...world.nodes.values()].map(
      (node) => node.cm?.reportNodeMarksSwept(all) ?? Promise.resolve(0),
    );
    await world.runIdle(5_000);
    await Promise.all(sweeps);
    debug('node marks swept');
  }
  // The owners' scrub once all is healed: what is spent now leaves the map before the final reads.
  const drops = dropSpentAborts(world, stripes);
  await world.runIdle(5_000);
  await drops;
}

/** Reads every stripe whole through its owner, as the final state. */
async function finalRead(
  world: CmWorld,
  workload: Workload,
  stripes: number,
): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  for (let stripe = 0; stripe < stripes; stripe++) {
    const reading = workload.read({
      cell: stripe * workload.cellsPerStripe,
      cells: workload.cellsPerStripe,
    });
    await world.runIdle(5_000);
    const record = await reading;
    if (!record) world.violations.push(`stripe ${stripe} could not be read after quiescence`);
    else records.push(record);
  }
  return records;
}
