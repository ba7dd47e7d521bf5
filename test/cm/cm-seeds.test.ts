// Proves the consistency managers keep every invariant under random faults: 200 seeded runs of
// the simulated cluster (RS(2,2) on five nodes; crashes, late and false failure detection,
// one-way cuts, isolation, message loss, nodes drained and given back so that fragments move)
// each end with no acknowledged write lost, no read of a refused, rolled-back or unwritten
// version, no version stamped twice with other bytes, and every stripe consistent. The same for
// 100 runs of RS(4,2) on six nodes, the shape of `tessera cluster up`, where one update can write
// more data fragments than a partition can spare. The same with the map on real Raft members
// (one per node, on the same simulated network) while the Raft leader is crashed and cut off, and
// processes (the leader among them) pause. And 100 runs while every node's retention sweep folds
// history as it goes, with the owners dropping spent abort records. A failing seed is named with
// the command that replays it.
import { expect } from 'chai';
import { runCmSeed } from '../../simulations/cm/cm-run.js';
import { checkHistory } from '../../simulations/cm/cm-checker.js';
import type { History, WriteRecord } from '../../simulations/cm/cm-workload.js';

const SEEDS = 200;

describe('cm: seeded random runs', function () {
  this.timeout(600_000);

  it(`keeps every invariant over ${SEEDS} seeds, and acknowledges most writes`, async () => {
    const failures: string[] = [];
    let acked = 0;
    let total = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await runCmSeed({ seed });
      acked += result.writes.acked;
      total += result.writes.acked + result.writes.unknown + result.writes.failed;
      if (result.violations.length > 0)
        failures.push(
          `seed ${seed} (replay: tessera sim cluster --seed ${seed}): ${result.violations.slice(0, 3).join('; ')}`,
        );
    }
    expect(failures).to.deep.equal([]);
    expect(acked / total, 'share of writes acknowledged under faults').to.be.greaterThan(0.8);
  });
});

const RETENTION_SEEDS = 100;

describe('cm: seeded random runs while the retention sweep folds history', function () {
  this.timeout(600_000);

  it(`keeps every invariant over ${RETENTION_SEEDS} seeds with every history folded as it goes, and owners drop spent abort records`, async () => {
    const failures: string[] = [];
    let dropped = 0;
    for (let seed = 1; seed <= RETENTION_SEEDS; seed++) {
      // A horizon of 0: each sweep folds every settled version, amid the writes and recoveries
      // that read histories (a roll-back from before a disproved version, a move's copy).
      const result = await runCmSeed({ seed, retentionMs: 0 });
      dropped += result.abortsDropped;
      if (result.violations.length > 0)
        failures.push(
          `seed ${seed} (replay: tessera sim cluster --seed ${seed} --retention-ms 0): ${result.violations.slice(0, 3).join('; ')}`,
        );
    }
    expect(failures).to.deep.equal([]);
    expect(dropped, 'spent abort records the owners dropped').to.be.greaterThan(0);
  });
});

const RS42_SEEDS = 100;

describe('cm: seeded random runs of RS(4,2) on six nodes in three regions (q = 5)', function () {
  this.timeout(600_000);

  it(`keeps every invariant over ${RS42_SEEDS} seeds, and acknowledges most writes`, async () => {
    const failures: string[] = [];
    let acked = 0;
    let total = 0;
    let merged = 0;
    let rollbacks = 0;
    for (let seed = 1; seed <= RS42_SEEDS; seed++) {
      const result = await runCmSeed({ seed, k: 4, m: 2, nodes: 6, regions: 3 });
      acked += result.writes.acked;
      merged += result.stats.mergedUpdates;
      rollbacks += result.historyRollbacks;
      total += result.writes.acked + result.writes.unknown + result.writes.failed;
      if (result.violations.length > 0)
        failures.push(
          `seed ${seed} (replay: tessera sim cluster --seed ${seed} --k 4 --nodes 6): ${result.violations.slice(0, 3).join('; ')}`,
        );
    }
    expect(failures).to.deep.equal([]);
    // Updates of several data fragments at once, the shape that k > 2 makes harder, did happen.
    expect(merged, 'updates that carried several parts').to.be.greaterThan(RS42_SEEDS);
    // And so did recoveries that only a second look from the fragments' histories settles.
    expect(rollbacks, 'recoveries settled from before a disproved version').to.be.greaterThan(0);
    expect(acked / total, 'share of writes acknowledged under faults').to.be.greaterThan(0.8);
  });
});

const RAFT_SEEDS = 100;

describe('cm: seeded random runs with the map on real Raft members', function () {
  this.timeout(600_000);

  it(`keeps every invariant over ${RAFT_SEEDS} seeds while the Raft leader fails and processes pause, and acknowledges most writes`, async () => {
    const failures: string[] = [];
    let acked = 0;
    let total = 0;
    let elections = 0;
    let pauses = 0;
    for (let seed = 1; seed <= RAFT_SEEDS; seed++) {
      const result = await runCmSeed({
        seed,
        raft: true,
        inspect: (world) => {
          const terms = [...world.raft!.members.values()].map((m) => m.raft?.status().term ?? 0);
          elections += Math.max(...terms) - 1;
          return Promise.resolve();
        },
      });
      acked += result.writes.acked;
      pauses += result.stats.pauses;
      total += result.writes.acked + result.writes.unknown + result.writes.failed;
      if (result.violations.length > 0)
        failures.push(
          `seed ${seed} (replay: tessera sim cluster --raft --seed ${seed}): ${result.violations.slice(0, 3).join('; ')}`,
        );
    }
    expect(failures).to.deep.equal([]);
    // The faults reached Raft: leaders changed during the runs, and writes still went through.
    expect(elections, 'elections after the first, over every seed').to.be.greaterThan(RAFT_SEEDS);
    expect(pauses, 'processes paused, over every seed').to.be.greaterThan(RAFT_SEEDS);
    expect(acked / total, 'share of writes acknowledged under faults').to.be.greaterThan(0.7);
  });
});

describe('cm: the checker', () => {
  const write = (
    id: number,
    outcome: WriteRecord['outcome'],
    issuedAtMs: number,
    finishedAtMs: number,
    seq: number,
  ): WriteRecord => ({
    id,
    writerId: 'w',
    writerSeq: id,
    cell: 0,
    cells: 1,
    issuedAtMs,
    finishedAtMs,
    outcome,
    versions: new Map([[0, { epoch: 1, seq }]]),
    attempts: 1,
  });

  it('reports a read that misses an acknowledged write', () => {
    const history: History = {
      writes: new Map([
        [1, write(1, 'acked', 0, 10, 1)],
        [2, write(2, 'acked', 20, 30, 2)],
      ]),
      reads: [{ cell: 0, values: [1], startedAtMs: 40, endedAtMs: 41 }],
    };
    const violations = checkHistory(history, [], 4096, 2);
    expect(violations).to.have.length(1);
    expect(violations[0]).to.include('write 2 was acknowledged');
  });

  it('reports a read that goes back after a newer, unacknowledged value was served', () => {
    const history: History = {
      writes: new Map([
        [1, write(1, 'acked', 0, 10, 1)],
        [2, write(2, 'unknown', 20, 30, 2)],
      ]),
      reads: [
        { cell: 0, values: [2], startedAtMs: 40, endedAtMs: 41 },
        { cell: 0, values: [1], startedAtMs: 50, endedAtMs: 51 },
      ],
    };
    const violations = checkHistory(history, [], 4096, 2);
    expect(violations).to.have.length(1);
    expect(violations[0]).to.include('rolled back after it was read');
  });

  it('reports bytes of a refused write, of no write, and a torn cell; accepts a clean history', () => {
    const history: History = {
      writes: new Map([
        [1, write(1, 'failed', 0, 10, 1)],
        [2, write(2, 'acked', 20, 30, 2)],
      ]),
      reads: [
        { cell: 0, values: [1], startedAtMs: 5, endedAtMs: 6 },
        { cell: 0, values: [7], startedAtMs: 40, endedAtMs: 41 },
        { cell: 0, values: [-1], startedAtMs: 42, endedAtMs: 43 },
      ],
    };
    const violations = checkHistory(history, [], 4096, 2);
    expect(violations).to.have.length(3);
    const clean: History = {
      writes: new Map([[2, write(2, 'acked', 20, 30, 2)]]),
      reads: [{ cell: 0, values: [2], startedAtMs: 40, endedAtMs: 41 }],
    };
    expect(checkHistory(clean, [], 4096, 2)).to.deep.equal([]);
  });
});
