// Proves that a volume's default rule keeps a region's loss within m fragments whenever the
// topology allows it, falls back to zones and then nodes saying why, and that a rule the
// topology cannot satisfy is refused at volume creation.
import { expect } from 'chai';
import {
  chooseVolumeRule,
  defaultRule,
  RuleError,
  RuleUnsatisfiableError,
  ruleSlots,
  SchemeError,
  withNodeStates,
  type NodeState,
} from '../../placement/index.js';
import { grid, update } from './topologies.js';

describe('placement rules', () => {
  it('RS(4,2) over 3 regions gets at most 2 fragments per region, and says why', () => {
    const choice = defaultRule(grid({ regions: 3, zones: 3, nodes: 4 }), { k: 4, m: 2 });
    expect(choice.rule).to.deep.equal({ level: 'region', maxPerDomain: 2 });
    expect(choice.reason).to.contain('region level').and.contain('3 regions >= ceil(6/2) = 3');
  });

  it('RS(10,4) over 3 regions falls back to zones (4 regions would be needed) and says so', () => {
    const choice = defaultRule(grid({ regions: 3, zones: 3, nodes: 4 }), { k: 10, m: 4 });
    expect(choice.rule).to.deep.equal({ level: 'zone', maxPerDomain: 4 });
    expect(choice.reason)
      .to.contain('zone level')
      .and.contain('only 3 regions with eligible nodes, 4 needed');
  });

  it('falls back to one fragment per node when zones are too few, and says so', () => {
    const choice = defaultRule(grid({ regions: 1, zones: 2, nodes: 8 }), { k: 4, m: 2 });
    expect(choice.rule).to.deep.equal({ level: 'node', maxPerDomain: 1 });
    expect(choice.reason).to.contain('only 1 regions').and.contain('only 2 zones');
  });

  it('does not count regions whose nodes are all out or draining', () => {
    const states = new Map<string, NodeState>([
      ['r2z0n0', 'out'],
      ['r2z0n1', 'draining'],
      ['r2z1n0', 'out'],
      ['r2z1n1', 'out'],
    ]);
    const topology = withNodeStates(grid({ regions: 3, zones: 2, nodes: 2 }), states);
    expect(defaultRule(topology, { k: 4, m: 2 }).rule.level).to.equal('zone');
  });

  it('falls back when there are enough regions but too few nodes in them to hold m each', () => {
    const topology = update(grid({ regions: 3, zones: 1, nodes: 2 }), 'r0z0n1', { state: 'out' });
    expect(ruleSlots(topology, { level: 'region', maxPerDomain: 2 })).to.equal(5);
    expect(() => defaultRule(topology, { k: 4, m: 2 })).to.throw(RuleUnsatisfiableError);
  });

  it('refuses a requested rule the topology cannot satisfy, naming the places and fragments', () => {
    const topology = grid({ regions: 3, zones: 2, nodes: 2 });
    try {
      chooseVolumeRule(topology, { k: 10, m: 4 }, { level: 'region', maxPerDomain: 4 });
      expect.fail('an unsatisfiable rule was accepted');
    } catch (error) {
      expect(error).to.be.instanceOf(RuleUnsatisfiableError);
      expect((error as RuleUnsatisfiableError).code).to.equal('PLACEMENT_RULE_UNSATISFIABLE');
      expect((error as RuleUnsatisfiableError).message).to.contain('12 places for 14 fragments');
    }
  });

  it('accepts a satisfiable requested rule and says when a loss would exceed m', () => {
    const topology = grid({ regions: 2, zones: 2, nodes: 4 });
    const choice = chooseVolumeRule(topology, { k: 4, m: 2 }, { level: 'region', maxPerDomain: 3 });
    expect(choice.rule).to.deep.equal({ level: 'region', maxPerDomain: 3 });
    expect(choice.reason).to.contain('more than m = 2');
  });

  it('refuses malformed schemes and rules with their own codes', () => {
    const topology = grid({ regions: 3, zones: 1, nodes: 3 });
    expect(() => defaultRule(topology, { k: 0, m: 2 })).to.throw(SchemeError);
    expect(() => defaultRule(topology, { k: 2.5, m: 2 })).to.throw(SchemeError);
    expect(() =>
      chooseVolumeRule(topology, { k: 4, m: 2 }, { level: 'node', maxPerDomain: 2 }),
    ).to.throw(RuleError);
    expect(() =>
      chooseVolumeRule(topology, { k: 4, m: 2 }, { level: 'zone', maxPerDomain: 0 }),
    ).to.throw(RuleError);
  });
});
