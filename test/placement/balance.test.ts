// Proves that placement and ownership follow the weights over 100,000 stripes: equal nodes
// within 1.10 of the mean, nodes weighted 1, 2 and 4 within 10% of their proportional share,
// and 12 consistency managers within 1.10 of the mean.
import { expect } from 'chai';
import { defaultRule, owner, place, type CmSet, type Topology } from '../../placement/index.js';
import { grid, key } from './topologies.js';

const STRIPES = 100_000;

/** Fragments per node over STRIPES stripes of RS(4,2) under the default rule. */
function fragmentLoads(topology: Topology): Map<string, number> {
  const scheme = { k: 4, m: 2 };
  const { rule } = defaultRule(topology, scheme);
  const loads = new Map<string, number>();
  for (let stripe = 0; stripe < STRIPES; stripe++) {
    for (const id of place(key(stripe), topology, scheme, rule).nodeIds) {
      if (id !== null) loads.set(id, (loads.get(id) ?? 0) + 1);
    }
  }
  return loads;
}

describe('balance over 100,000 stripes', function () {
  this.timeout(60_000);

  it('3 regions x 3 zones x 4 equal nodes, RS(4,2): the busiest node holds at most 1.10 x the mean', () => {
    const loads = fragmentLoads(grid({ regions: 3, zones: 3, nodes: 4 }));
    expect(loads.size).to.equal(36);
    const mean = (STRIPES * 6) / 36;
    expect(Math.max(...loads.values()) / mean).to.be.at.most(1.1);
    expect(Math.min(...loads.values()) / mean).to.be.at.least(0.9);
  });

  it('nodes weighted 1, 2 and 4 in each zone each get within 10% of their proportional share', () => {
    const weights = [1, 2, 4];
    const topology = grid({ regions: 3, zones: 3, nodes: 3, weightOf: (index) => weights[index]! });
    const loads = fragmentLoads(topology);
    const totalWeight = 9 * 7;
    const ratios = new Map<number, number[]>();
    for (const region of topology.regions) {
      for (const zone of region.zones) {
        for (const node of zone.nodes) {
          const share = (loads.get(node.id) ?? 0) / (STRIPES * 6);
          const ratio = share / (node.weight / totalWeight);
          ratios.set(node.weight, [...(ratios.get(node.weight) ?? []), ratio]);
          expect(ratio, `${node.id} (weight ${node.weight})`).to.be.within(0.9, 1.1);
        }
      }
    }
    // Drawing distinct nodes gives the light nodes more than their share and the heavy ones less.
    const mean = (values: number[]): number =>
      values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean(ratios.get(1)!)).to.be.greaterThan(1);
    expect(mean(ratios.get(4)!)).to.be.lessThan(1);
  });

  it('owner() over 12 equal CMs: the busiest owns at most 1.10 x the mean', () => {
    const cmSet: CmSet = {
      epoch: 9,
      managers: Array.from({ length: 12 }, (_, index) => ({
        id: `cm-${index}`,
        weight: 1,
        state: 'up' as const,
      })),
    };
    const owned = new Map<string, number>();
    for (let stripe = 0; stripe < STRIPES; stripe++) {
      const id = owner(key(stripe), cmSet)!;
      owned.set(id, (owned.get(id) ?? 0) + 1);
    }
    expect(owned.size).to.equal(12);
    expect(Math.max(...owned.values()) / (STRIPES / 12)).to.be.at.most(1.1);
  });

  it('owner() follows CM weights', () => {
    const cmSet: CmSet = {
      epoch: 1,
      managers: [1, 1, 2, 4].map((weight, index) => ({
        id: `cm-${index}`,
        weight,
        state: 'up' as const,
      })),
    };
    const owned = new Map<string, number>();
    for (let stripe = 0; stripe < 40_000; stripe++) {
      const id = owner(key(stripe), cmSet)!;
      owned.set(id, (owned.get(id) ?? 0) + 1);
    }
    cmSet.managers.forEach((manager) => {
      expect((owned.get(manager.id) ?? 0) / 40_000 / (manager.weight / 8), manager.id).to.be.within(
        0.95,
        1.05,
      );
    });
  });
});
