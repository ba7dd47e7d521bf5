// Proves that the survivability report tells which single losses every stripe survives: with
// RS(4,2) over 3 regions every region loss leaves k fragments, with RS(10,4) over 3 regions
// it does not, and the sampled stripes agree with the guarantee.
import { expect } from 'chai';
import { defaultRule, survivability, type LossCase } from '../../placement/index.js';
import { grid } from './topologies.js';

function cases(report: { cases: readonly LossCase[] }, level: LossCase['level']): LossCase[] {
  return report.cases.filter((entry) => entry.level === level);
}

describe('survivability report', () => {
  const topology = grid({ regions: 3, zones: 3, nodes: 4 });

  it('RS(4,2) over 3 regions: every single region, zone or node loss leaves every stripe k fragments', () => {
    const scheme = { k: 4, m: 2 };
    const report = survivability(topology, scheme, defaultRule(topology, scheme).rule, 500);
    expect(report.survivesEverySingleLoss).to.deep.equal({ region: true, zone: true, node: true });
    expect(cases(report, 'region')).to.have.length(3);
    expect(cases(report, 'zone')).to.have.length(9);
    expect(cases(report, 'node')).to.have.length(36);
    for (const entry of cases(report, 'region')) {
      expect(entry.fragmentsLostMax).to.equal(2);
      expect(entry.fragmentsLostMaxSeen).to.equal(2);
      expect(entry.sampledStripesLost).to.equal(0);
      // Two regions have 4 places for 6 fragments: new stripes cannot be placed whole.
      expect(entry.ruleSatisfiableAfter).to.equal(false);
      expect(entry.usableCapacityFraction).to.equal(0);
    }
    for (const entry of cases(report, 'node')) {
      expect(entry.ruleSatisfiableAfter).to.equal(true);
      // The region that lost a node still takes a third of the fragments: 11 x 3 of 36 usable.
      expect(entry.usableCapacityFraction).to.be.closeTo(33 / 36, 1e-9);
    }
    expect(report.usableCapacityFractionIntact).to.be.closeTo(1, 1e-9);
  });

  it('RS(10,4) over 3 regions: the report says a region loss can take more than m fragments', () => {
    const scheme = { k: 10, m: 4 };
    const choice = defaultRule(topology, scheme);
    const report = survivability(topology, scheme, choice.rule, 500);
    expect(choice.rule.level).to.equal('zone');
    expect(report.survivesEverySingleLoss).to.deep.equal({ region: false, zone: true, node: true });
    for (const entry of cases(report, 'region')) {
      expect(entry.everyStripeSurvives).to.equal(false);
      expect(entry.fragmentsLostMax).to.equal(12);
      expect(entry.fragmentsLostMaxSeen).to.be.greaterThan(4);
      expect(entry.sampledStripesLost).to.be.greaterThan(0);
    }
    for (const entry of cases(report, 'zone')) expect(entry.fragmentsLostMaxSeen).to.be.at.most(4);
  });

  it('the guarantee is never below what a sampled stripe loses', () => {
    const scheme = { k: 6, m: 3 };
    const report = survivability(
      grid({ regions: 2, zones: 3, nodes: 3 }),
      scheme,
      { level: 'zone', maxPerDomain: 2 },
      300,
    );
    for (const entry of report.cases) {
      expect(entry.fragmentsLostMaxSeen, `${entry.level} ${entry.id}`).to.be.at.most(
        entry.fragmentsLostMax,
      );
      if (entry.everyStripeSurvives) expect(entry.sampledStripesLost).to.equal(0);
    }
  });
});
