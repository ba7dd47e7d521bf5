// Proves that Raft keeps its safety properties, linearizable key-value operations and
// convergence after faults stop, under 300 seeded random runs of delays, drops, duplicates,
// partitions (two-way, one-way, bridged), crashes losing unsynced writes, clock jumps, slow and
// stalled disks and membership changes; and that a run replays exactly from its seed.
import { expect } from 'chai';
import { DEFAULT_FAULT_MS, runRaftSeed, type SimResult } from '../../simulations/raft-sim.js';

const SEEDS = 300;
const BATCH = 30;
const FAULT_MS = DEFAULT_FAULT_MS; // so that a failure's replay command is the plain one

describe('raft: seeded random simulation', () => {
  const totals = { operations: 0, crashes: 0, partitions: 0, committed: 0 };

  for (let first = 1; first <= SEEDS; first += BATCH) {
    const last = Math.min(SEEDS, first + BATCH - 1);
    it(`seeds ${first}..${last} keep every invariant and a linearizable history`, () => {
      for (let seed = first; seed <= last; seed += 1) {
        const result = runRaftSeed(seed, { faultMs: FAULT_MS });
        if (!result.ok)
          expect.fail(`seed ${seed} failed: ${result.error}\nreplay: ${result.replay}`);
        totals.operations += result.operations.checked;
        totals.crashes += result.faults.crashes;
        totals.partitions += result.faults.partitions;
        totals.committed += result.committed;
      }
    });
  }

  it('injected real faults and checked real operations across the seeds', () => {
    expect(totals.operations).to.be.greaterThan(SEEDS * 20);
    expect(totals.crashes).to.be.greaterThan(SEEDS);
    expect(totals.partitions).to.be.greaterThan(SEEDS);
    expect(totals.committed).to.be.greaterThan(SEEDS * 20);
  });

  it('replays a seed exactly, and another seed runs differently', () => {
    const once: SimResult = runRaftSeed(77, { faultMs: FAULT_MS });
    expect(once.replay).to.equal('npx tsx node/cli/main.ts sim raft --seed 77');
    expect(runRaftSeed(77, { faultMs: FAULT_MS })).to.deep.equal(once);
    expect(runRaftSeed(78, { faultMs: FAULT_MS }).steps).to.not.equal(once.steps);
  });
});

const LEASE_SEEDS = 150;

describe('raft: seeded random simulation with reads under the leader lease', () => {
  it(`seeds 1..${LEASE_SEEDS} keep every invariant and a linearizable history, processes paused where clocks jumped`, () => {
    const totals = { leased: 0, pauses: 0, reads: 0 };
    for (let seed = 1; seed <= LEASE_SEEDS; seed += 1) {
      const result = runRaftSeed(seed, { faultMs: FAULT_MS, lease: true });
      if (!result.ok) expect.fail(`seed ${seed} failed: ${result.error}\nreplay: ${result.replay}`);
      expect(result.replay).to.match(/ --lease$/);
      totals.pauses += result.faults.pauses;
      totals.reads += result.operations.reads;
      totals.leased += result.operations.leasedReads;
    }
    expect(totals.pauses).to.be.greaterThan(LEASE_SEEDS);
    expect(totals.leased, 'reads answered under a lease').to.be.greaterThan(totals.reads / 4);
  });
});
