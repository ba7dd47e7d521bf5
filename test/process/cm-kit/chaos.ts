/**
 * The fault injector of the chaos test: kills node processes with kill -9 and restarts them after
 * a random delay, one at a time and now and then a second one briefly, so that a Raft majority
 * (4 of 6) always stays up and k + 1 fragments of every stripe stay up most of the time. Victims
 * are picked from the Raft leader, the owners of the stripes being written, and any node; every
 * choice comes from the seeded stream.
 */
import { stripeKey } from '../../../placement/index.js';
import { ownerNow } from '../../../node/cm/owned-stripe.js';
import { sleep, type ProcessCluster } from './process-cluster.js';
import { log } from './progress.js';
import type { SeededRandom } from '../../../consensus/index.js';

export interface ChaosOptions {
  readonly durationMs: number;
  /** The volume whose stripes' owners are victims too, and how many stripes it uses. */
  readonly volume: string;
  readonly stripes: number;
  /** At most this many nodes down at once (2 keeps 4 of 6 Raft voters up). */
  readonly downMax: number;
}

/** What the injector did, for the report. */
export interface ChaosReport {
  readonly kills: { atMs: number; node: string; why: string; downForMs: number }[];
}

/** Runs the faults for `durationMs`; every node it killed is running again when it resolves. */
export async function runChaos(
  cluster: ProcessCluster,
  random: SeededRandom,
  options: ChaosOptions,
): Promise<ChaosReport> {
  const startMs = Date.now();
  const end = startMs + options.durationMs;
  const down = new Map<string, number>();
  const report: ChaosReport = { kills: [] };
  let nextKillMs = startMs + between(random, 500, 2000);
  while (Date.now() < end) {
    const now = Date.now();
    for (const [id, restartAtMs] of down) {
      if (restartAtMs > now) continue;
      down.delete(id);
      cluster.start(id);
      log(`chaos: restarted ${id}`);
    }
    if (now >= nextKillMs && down.size < options.downMax) {
      // A second node goes down only now and then, and only briefly.
      const second = down.size > 0;
      if (!second || random.chance(0.3)) {
        const victim = await pickVictim(cluster, random, options, down);
        if (victim) {
          const downForMs = second ? between(random, 800, 2500) : between(random, 1500, 7000);
          await cluster.kill(victim.id);
          down.set(victim.id, Date.now() + downForMs);
          report.kills.push({ atMs: now - startMs, node: victim.id, why: victim.why, downForMs });
          log(
            `chaos: kill -9 ${victim.id} (${victim.why}), back in ${(downForMs / 1000).toFixed(1)} s`,
          );
        }
      }
      nextKillMs = Date.now() + between(random, 1000, 3500);
    }
    await sleep(100);
  }
  for (const id of down.keys()) {
    cluster.start(id);
    log(`chaos: over, restarted ${id}`);
  }
  return report;
}

async function pickVictim(
  cluster: ProcessCluster,
  random: SeededRandom,
  options: ChaosOptions,
  down: ReadonlyMap<string, number>,
): Promise<{ id: string; why: string } | null> {
  const kinds = ['leader', 'owner', 'owner', 'any'] as const;
  const kind = kinds[random.int(kinds.length)]!;
  const stripe = random.int(options.stripes);
  const fallback = random.float();
  const alive = cluster.running().filter((id) => !down.has(id));
  if (alive.length === 0) return null;
  if (kind === 'leader') {
    const leader = await cluster.leader();
    if (leader && alive.includes(leader)) return { id: leader, why: 'the Raft leader' };
  }
  if (kind === 'owner') {
    const map = await cluster.map();
    const owner = map ? ownerNow(map, stripeKey(options.volume, stripe)) : null;
    if (owner && alive.includes(owner))
      return { id: owner, why: `the owner of stripe ${options.volume}/${stripe}` };
  }
  return { id: alive[Math.floor(fallback * alive.length)]!, why: 'a node' };
}

/** An integer in [low, high]. */
function between(random: SeededRandom, low: number, high: number): number {
  return low + random.int(high - low + 1);
}
