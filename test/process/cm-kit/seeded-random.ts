/**
 * A small seeded random stream (mulberry32) for the process tests: the seed picks the workload
 * and the faults, and is printed, so that a failing run can be replayed with the same choices
 * (the processes' own timing still varies from run to run).
 */
import { randomInt } from 'node:crypto';

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** An independent stream derived from this one (for a writer or the fault injector). */
  fork(): SeededRandom {
    return new SeededRandom(Math.floor(this.next() * 4294967296));
  }
}

/** The seed of a run: TESSERA_SEED when set (to replay a run), else a fresh one. */
export function runSeed(): number {
  const given = process.env.TESSERA_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`TESSERA_SEED must be an integer from 0 to 4294967295, got ${given}`);
    return seed;
  }
  return randomInt(0, 0xffffffff);
}
