// Proves the consistency managers keep every invariant in every schedule of a small
// configuration (RS(2,2) on four nodes, two writers on one block, a read each): every delivery
// order with one reordering, and every placement of one fault (the owner crashing and
// restarting, the owner declared down, the owner cut off from a data fragment, a data node
// declared down and up again so that updates miss it unmarked and its node mark covers them)
// between any two steps. The same again with one writer sending the stripe's two blocks at once,
// so that the owner carries two writes in one update. And the same bounds on RS(4,2), six nodes in
// three regions (the benchmark's code): more fragments, so more orders of their deliveries. And
// RS(2,2) with the volume created on the running cluster, whose owner takes the stripe known
// empty, with no recovery.
import { expect } from 'chai';
import { explore } from '../../simulations/cm/cm-explore.js';

describe('cm: exhaustive exploration of a small configuration', function () {
  this.timeout(600_000);

  it('every schedule with one reordering of deliveries keeps every invariant', async () => {
    const report = await explore({ reorders: 1, faults: 0 });
    expect(report.complete).to.equal(true);
    expect(report.failures).to.deep.equal([]);
    expect(report.schedules).to.be.greaterThan(50);
  });

  it('every schedule with one fault at any step keeps every invariant', async () => {
    const report = await explore({ reorders: 0, faults: 1 });
    expect(report.complete).to.equal(true);
    expect(report.failures).to.deep.equal([]);
    expect(report.schedules).to.be.greaterThan(100);
  });

  describe('RS(4,2) on six nodes in three regions, the code the cluster benchmark runs', () => {
    const code = { k: 4, m: 2, nodes: 6, regions: 3 };

    it('every schedule with one reordering keeps every invariant', async () => {
      const report = await explore({ reorders: 1, faults: 0, code });
      expect(report.complete).to.equal(true);
      expect(report.failures).to.deep.equal([]);
      expect(report.schedules).to.be.greaterThan(50);
    });

    it('every schedule with one fault at any step keeps every invariant, also with the owner carrying two writes in one update', async () => {
      for (const shape of ['one-block', 'burst'] as const) {
        const report = await explore({ reorders: 0, faults: 1, code, shape });
        expect(report.complete).to.equal(true);
        expect(report.failures).to.deep.equal([]);
        expect(report.schedules).to.be.greaterThan(100);
        if (shape === 'burst') expect(report.merging).to.be.greaterThan(0);
      }
    });

    it('with the volume created on the running cluster, every schedule with one fault at any step keeps every invariant, the owner taking the stripe known empty and carrying two writes in one update', async () => {
      const report = await explore({
        reorders: 0,
        faults: 1,
        code,
        shape: 'burst',
        volumeLast: true,
      });
      expect(report.complete).to.equal(true);
      expect(report.failures).to.deep.equal([]);
      expect(report.knownEmpty).to.be.greaterThan(report.schedules / 2);
      expect(report.merging).to.be.greaterThan(0);
    });
  });

  describe('the volume created on the running cluster, so that the owner takes the stripe known empty', () => {
    it('every schedule with one reordering keeps every invariant', async () => {
      const report = await explore({ reorders: 1, faults: 0, volumeLast: true });
      expect(report.complete).to.equal(true);
      expect(report.failures).to.deep.equal([]);
      expect(report.knownEmpty).to.equal(report.schedules);
    });

    it('every schedule with one fault at any step keeps every invariant', async () => {
      const report = await explore({ reorders: 0, faults: 1, volumeLast: true });
      expect(report.complete).to.equal(true);
      expect(report.failures).to.deep.equal([]);
      expect(report.schedules).to.be.greaterThan(100);
      expect(report.knownEmpty).to.be.greaterThan(report.schedules / 2);
    });
  });

  describe("one writer sending the stripe's two blocks at once, the other writing part of one", () => {
    it('every schedule with one reordering keeps every invariant, with the owner carrying two writes in one update', async () => {
      const report = await explore({ reorders: 1, faults: 0, shape: 'burst' });
      expect(report.complete).to.equal(true);
      expect(report.failures).to.deep.equal([]);
      expect(report.merging).to.be.greaterThan(report.schedules / 2);
    });

    it('every schedule with one fault at any step keeps every invariant', async () => {
      const report = await explore({ reorders: 0, faults: 1, shape: 'burst' });
      expect(report.complete).to.equal(true);
      expect(report.failures).to.deep.equal([]);
      expect(report.merging).to.be.greaterThan(0);
    });
  });
});
