/**
 * The seed of a process test's run: it picks the workload and the faults (consensus's
 * SeededRandom), and is printed, so that a failing run can be replayed with the same choices (the
 * processes' own timing still varies from run to run).
 */
import { randomInt } from 'node:crypto';

/** TESSERA_SEED when set (to replay a run), else a fresh one. */
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
