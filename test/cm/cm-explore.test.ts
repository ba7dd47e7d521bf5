// Proves the consistency managers keep every invariant in every schedule of a small
// configuration (RS(2,2) on four nodes, two writers on one block, a read each): every delivery
// order with one reordering, and every placement of one fault (the owner crashing and
// restarting, the owner declared down, the owner cut off from a data fragment, a data node
// declared down and up again so that updates miss it unmarked and its node mark covers them)
// between any two steps.
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
});
