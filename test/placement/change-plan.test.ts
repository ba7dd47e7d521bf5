// Proves that the change planner reports what really moves (it agrees with placing every
// stripe under both versions), its ideal fraction, and whether stripes keep their rule during
// and after the move.
import { expect } from 'chai';
import {
  idealMovedFraction,
  locateNodes,
  moveSafety,
  place,
  planChange,
  type PlacementRule,
} from '../../placement/index.js';
import { grid, join, key, leave, update } from './topologies.js';

const RULE: PlacementRule = { level: 'region', maxPerDomain: 2 };
const SCHEME = { k: 4, m: 2 };

describe('change planner', () => {
  const before = grid({ regions: 3, zones: 2, nodes: 3 });

  it('lists exactly the fragments whose node differs between the two versions', () => {
    const after = join(before, 'r0z1', 'n-new', 2);
    const report = planChange(before, after, {
      name: 'volume-a',
      stripes: 500,
      scheme: SCHEME,
      rule: RULE,
    });
    const expected = new Map<string, number>();
    for (let stripe = 0; stripe < 500; stripe++) {
      const old = place(key(stripe), before, SCHEME, RULE).nodeIds;
      const next = place(key(stripe), after, SCHEME, RULE).nodeIds;
      old.forEach((from, index) => {
        if (from !== next[index])
          expected.set(`${from}>${next[index]}`, (expected.get(`${from}>${next[index]}`) ?? 0) + 1);
      });
    }
    const reported = new Map(
      report.moves.map((move) => [`${move.from}>${move.to}`, move.fragments]),
    );
    expect(reported).to.deep.equal(expected);
    expect(report.movedFragments).to.equal(
      [...expected.values()].reduce((sum, count) => sum + count, 0),
    );
    expect(report.fragments).to.equal(3000);
    expect([report.fromVersion, report.toVersion]).to.deep.equal([1, 2]);
    expect(report.changedNodes).to.deep.equal(['n-new']);
    expect(report.stripesBreakingRuleAfter).to.equal(0);
    const safety = report.stripesByMoveSafety;
    expect(safety['any-order'] + safety.ordered + safety['breaks-rule']).to.equal(500);
  });

  it('computes the ideal fraction as the change of weight shares', () => {
    expect(idealMovedFraction(before, join(before, 'r0z0', 'x', 2))).to.be.closeTo(2 / 20, 1e-12);
    expect(idealMovedFraction(before, leave(before, 'r0z0n0'))).to.be.closeTo(1 / 18, 1e-12);
    expect(idealMovedFraction(before, update(before, 'r0z0n0', { state: 'down' }))).to.equal(0);
    // Doubling one node's weight: its share goes from 1/18 to 2/19.
    expect(idealMovedFraction(before, update(before, 'r0z0n0', { weight: 2 }))).to.be.closeTo(
      2 / 19 - 1 / 18,
      1e-12,
    );
  });

  it('tells a move safe in any order from one that needs an order and one that must break the rule', () => {
    const topology = grid({ regions: 3, zones: 1, nodes: 3 });
    const nodes = locateNodes(topology);
    const locate = (id: string) => nodes.get(id);
    const rule: PlacementRule = { level: 'region', maxPerDomain: 1 };
    const start = ['r0z0n0', 'r1z0n0', 'r2z0n0'];
    // Moving inside a region: any order is fine.
    expect(moveSafety(start, ['r0z0n1', 'r1z0n0', 'r2z0n0'], rule, locate)).to.equal('any-order');
    // Fragment 0 goes where fragment 1 is leaving from: only "1 first" keeps distinct nodes.
    expect(
      moveSafety(
        ['r0z0n1', 'r0z0n0', 'r2z0n0'],
        ['r0z0n0', 'r0z0n2', 'r2z0n0'],
        { level: 'node', maxPerDomain: 1 },
        locate,
      ),
    ).to.equal('ordered');
    // Two fragments swap regions: whichever moves first, one region holds two for a while.
    expect(moveSafety(start, ['r1z0n1', 'r0z0n1', 'r2z0n0'], rule, locate)).to.equal('breaks-rule');
  });

  it('reports the unplaced fragments that a change leaves and fills', () => {
    const short = update(before, 'r2z0n0', { state: 'out' });
    const shorter = update(update(short, 'r2z0n1', { state: 'out' }), 'r2z0n2', { state: 'out' });
    const thin = update(update(shorter, 'r2z1n0', { state: 'out' }), 'r2z1n1', { state: 'out' });
    const report = planChange(before, thin, {
      name: 'volume-a',
      stripes: 200,
      scheme: SCHEME,
      rule: RULE,
    });
    expect(report.unplacedBefore).to.equal(0);
    expect(report.unplacedAfter).to.equal(200);
    expect(report.stripesBreakingRuleAfter).to.equal(0);
    const back = planChange(thin, before, {
      name: 'volume-a',
      stripes: 200,
      scheme: SCHEME,
      rule: RULE,
    });
    expect(
      back.moves
        .filter((move) => move.from === null)
        .reduce((sum, move) => sum + move.fragments, 0),
    ).to.equal(200);
  });
});
