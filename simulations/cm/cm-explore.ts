/**
 * Exhaustive exploration of a small configuration: RS(2,2) on four nodes in two regions by
 * default, or another code on enough nodes (each runs a CM and can own), two writers writing the same block at once and reading it back; or (shape 'burst') one
 * writer sending both blocks of the stripe at once while the other writes part of one, so that
 * the owner may carry two writes in one update. Instead of a seed, a
 * sequence of choices drives the run: at every step the scheduler may run any of the earliest
 * few due events (a reordering of deliveries, replies and timeouts), or first inject a fault
 * (crash the stripe's owner, which restarts; declare it down, an epoch change; cut it off from a
 * data fragment's store). A depth-first search enumerates every choice sequence within the bounds
 * (at most `reorders` choices other than the earliest event, at most `faults` faults), replaying
 * each from the start, and checks every invariant of the random runs on each: the stamps at every
 * step, the reads as they complete, and the whole history and every stripe after quiescence.
 */
import { Workload } from './cm-workload.js';
import { settleAndCheck } from './cm-run.js';
import { CmWorld, VOLUME } from './cm-world.js';
import { cmSetOf, owner, stripeKey } from '../../placement/index.js';
import { fragmentNodes } from '../../node/cm/owned-stripe.js';

export interface ExploreBounds {
  /** Choices of a later event over the earliest one, per schedule. */
  readonly reorders: number;
  /** Faults injected per schedule. */
  readonly faults: number;
  /** How many of the earliest due events a step may choose from. */
  readonly window?: number;
  /** Stop after this many schedules (a safety bound; the report says if it was hit). */
  readonly schedulesMax?: number;
  /** What the writers do (default 'one-block'). */
  readonly shape?: ExploreShape;
  /** The code and the nodes it runs on (default EXPLORE_CODE). */
  readonly code?: ExploreCode;
  /**
   * Creates the volume once every CM has started, as on a running cluster, so that the owner
   * takes the stripe known empty, with no recovery (owned-stripe.ts, knownEmpty); otherwise the
   * volume comes first and the owner recovers the stripe on its first access.
   */
  readonly volumeLast?: boolean;
}

/** An erasure code and the nodes that hold its stripes (round robin over the regions). */
export interface ExploreCode {
  readonly k: number;
  readonly m: number;
  readonly nodes: number;
  readonly regions: number;
}

/** RS(2,2) on four nodes in two regions: the smallest code with two parities. */
export const EXPLORE_CODE: ExploreCode = { k: 2, m: 2, nodes: 4, regions: 2 };

export type ExploreShape = 'one-block' | 'burst';

export interface ExploreReport {
  schedules: number;
  /** States visited: the steps of every schedule, each followed by the invariant checks. */
  states: number;
  failures: { choices: number[]; violations: string[] }[];
  /** True when every schedule within the bounds was run. */
  complete: boolean;
  /** Schedules in which the owner carried several writes' pieces in one update. */
  merging: number;
  /** Schedules in which an owner took the stripe known empty, with no recovery. */
  knownEmpty: number;
}

const FAULT_KINDS = [
  'crash-owner',
  'declare-owner-down',
  'cut-owner-from-data',
  'flap-data-node',
] as const;

/** Runs every schedule within `bounds`; `onSchedule` hears progress. */
export async function explore(
  bounds: ExploreBounds,
  onSchedule?: (report: ExploreReport) => void,
): Promise<ExploreReport> {
  const report: ExploreReport = {
    schedules: 0,
    states: 0,
    failures: [],
    complete: false,
    merging: 0,
    knownEmpty: 0,
  };
  const window = bounds.window ?? 3;
  let prefix: number[] = [];
  for (;;) {
    const trace = await runSchedule(prefix, bounds, window);
    report.schedules += 1;
    report.states += trace.steps.length;
    if (trace.merged) report.merging += 1;
    if (trace.knownEmpty) report.knownEmpty += 1;
    if (trace.violations.length > 0)
      report.failures.push({
        choices: trace.steps.map((step) => step.choice),
        violations: trace.violations,
      });
    onSchedule?.(report);
    const next = nextPrefix(trace.steps, bounds);
    if (!next) {
      report.complete = true;
      return report;
    }
    if (report.schedules >= (bounds.schedulesMax ?? Infinity)) return report;
    prefix = next;
  }
}

interface Step {
  /** Events that could run (0…deliveries-1), then the faults that could be injected. */
  readonly deliveries: number;
  readonly faults: number;
  readonly choice: number;
}

/** The next choice sequence in depth-first order within the bounds, or null when all were run. */
function nextPrefix(steps: readonly Step[], bounds: ExploreBounds): number[] | null {
  for (let at = steps.length - 1; at >= 0; at--) {
    const used = usage(steps.slice(0, at));
    const step = steps[at]!;
    for (let choice = step.choice + 1; choice < step.deliveries + step.faults; choice++) {
      const isFault = choice >= step.deliveries;
      if (isFault && used.faults >= bounds.faults) continue;
      if (!isFault && used.reorders >= bounds.reorders) continue;
      return [...steps.slice(0, at).map((earlier) => earlier.choice), choice];
    }
  }
  return null;
}

function usage(steps: readonly Step[]): { reorders: number; faults: number } {
  let reorders = 0;
  let faults = 0;
  for (const step of steps) {
    if (step.choice >= step.deliveries) faults++;
    else if (step.choice > 0) reorders++;
  }
  return { reorders, faults };
}

/** One schedule: the choices in `prefix`, then the earliest event at every later step. */
async function runSchedule(
  prefix: readonly number[],
  bounds: ExploreBounds,
  window: number,
): Promise<{ steps: Step[]; violations: string[]; merged: boolean; knownEmpty: boolean }> {
  const code = bounds.code ?? EXPLORE_CODE;
  const world = await CmWorld.create({
    seed: 1,
    nodes: code.nodes,
    regions: code.regions,
    k: code.k,
    m: code.m,
    latencyMs: [1, 3],
    mapLagMs: [1, 5],
    volumeLast: bounds.volumeLast ?? false,
  });
  await world.runUntil(50);
  const work = new Workload(world, 1);
  const state = world.map.current;
  const newest = state.epochs[state.epochs.length - 1]!;
  const stripeOwner = owner(stripeKey(VOLUME, 0), cmSetOf(newest.epoch, newest.cmSet))!;
  const dataNode = fragmentNodes(state, world.volume, 0).find((node) => node !== stripeOwner)!;
  const steps: Step[] = [];
  world.scheduler.choiceWindow = window;
  world.scheduler.chooser = (deliveries) => {
    const used = usage(steps);
    const faults = used.faults < bounds.faults ? FAULT_KINDS.length : 0;
    const choice = prefix[steps.length] ?? 0;
    steps.push({ deliveries, faults, choice });
    if (choice < deliveries) return choice;
    inject(world, FAULT_KINDS[choice - deliveries]!, stripeOwner, dataNode);
    return 0;
  };
  const perBlock = world.volume.blockBytes / 256;
  const block = (index: number) => ({ cell: index * perBlock, cells: perBlock });
  const operations =
    (bounds.shape ?? 'one-block') === 'one-block'
      ? [
          (async () => {
            await work.write('w1', 1, block(0), { attemptsMax: 4 });
            await work.read(block(0), 2);
          })(),
          (async () => {
            await work.write('w2', 1, { cell: 2, cells: 4 }, { attemptsMax: 4 });
            await work.read(block(0), 2);
          })(),
        ]
      : [
          (async () => {
            await Promise.all([
              work.write('w1', 1, block(0), { attemptsMax: 4 }),
              work.write('w1', 2, block(1), { attemptsMax: 4 }),
            ]);
            await work.read({ cell: 0, cells: 2 * perBlock }, 2);
          })(),
          (async () => {
            await work.write('w2', 1, { cell: 2, cells: 4 }, { attemptsMax: 4 });
            await work.read({ cell: 0, cells: 2 * perBlock }, 2);
          })(),
        ];
  await world.drive(Promise.all(operations));
  world.scheduler.chooser = null;
  const violations = await settleAndCheck(world, work, 1);
  return {
    steps,
    violations,
    merged: world.stats.mergedUpdates > 0,
    knownEmpty: world.cmTotal('knownEmpty') > 0,
  };
}

function inject(
  world: CmWorld,
  kind: (typeof FAULT_KINDS)[number],
  owner: string,
  dataNode: string,
): void {
  switch (kind) {
    case 'crash-owner':
      world.crash(owner);
      world.scheduler.after(30, () => world.restart(owner));
      return;
    case 'declare-owner-down':
      world.propose({ type: 'set_state', id: owner, state: 'down', reason: 'exploration' });
      return;
    case 'cut-owner-from-data':
      world.cut(owner, dataNode);
      world.cut(dataNode, owner);
      return;
    case 'flap-data-node':
      // A data node, cut off, is declared down (updates miss it without a mark), then healed and
      // declared up again (its node mark covers what it missed).
      world.cut(owner, dataNode);
      world.cut(dataNode, owner);
      world.propose({ type: 'set_state', id: dataNode, state: 'down', reason: 'exploration' });
      world.scheduler.after(30, () => {
        world.healAll();
        world.propose({ type: 'set_state', id: dataNode, state: 'up', reason: 'exploration' });
      });
      return;
  }
}
