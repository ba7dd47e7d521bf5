// Proves, as a scenario on the simulated cluster, that the map stays bounded without forgetting
// what it must not (DESIGN.md: an abort record is dropped once the retention horizon has passed
// it and no fragment's history holds it): an update rolled back leaves an abort record; while a
// fragment's history still holds the rolled-back version, the owner's scrub keeps the record, and
// the writer's retry of that update is applied again rather than taken as landed; once the
// retention sweep has folded every fragment past it, the record is spent and leaves the map.
import { expect } from 'chai';
import { VOLUME } from '../../simulations/cm/cm-world.js';
import type { WriteRecord } from '../../simulations/cm/cm-workload.js';
import { crashMidUpdate, expectAllInvariants, kit, steps, type Kit } from './scenario-kit.js';

describe('cm: spent abort records', () => {
  const abortsOf = (k: Kit, stripe: number) =>
    k.world.map.current.aborts.filter(
      (abort) => abort.volume === VOLUME && abort.stripe === stripe,
    );

  it('are kept while a fragment history holds the rolled-back version (its retry is applied again), and dropped once every fragment is folded past it', async () => {
    const k = await kit(1);
    let stripe = 0;
    let owner = '';
    let next = '';
    let x!: WriteRecord;
    let y!: WriteRecord;
    const dropPass = (): Promise<number> =>
      k.drive(k.world.nodes.get(next)!.cm!.dropSpentAborts(VOLUME, stripe));
    await steps([
      [
        'pick a stripe whose owner holds no fragment and whose next owner does not hold data fragment 1',
        () => {
          stripe = k.findStripe(
            (who, nodes, at) => !nodes.includes(who) && k.ownerWithout(at, who) !== nodes[1],
          );
          owner = k.ownerOf(stripe);
          next = k.ownerWithout(stripe, owner);
        },
      ],
      [
        'w1 writes X, then Y; the owner dies after Y reached data fragment 0, before any parity',
        async () => {
          ({ x, y } = await crashMidUpdate(k, stripe, 0));
        },
      ],
      [
        'the next owner is cut off from data fragment 1, and the old owner declared down',
        async () => {
          const holder = k.nodesOf(stripe)[1]!;
          k.world.cut(next, holder);
          k.world.cut(holder, next);
          await k.declare(owner, 'down');
        },
      ],
      [
        'the next owner settles on the parity partition (X), rolls Y back and records it aborted',
        async () => {
          expect(k.ownerOf(stripe)).to.equal(next);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([x.id]));
          expect(abortsOf(k, stripe).some((abort) => abort.index === 0)).to.equal(true);
        },
      ],
      [
        'the cut heals; the owner repairs data fragment 1, marked stale while it was cut off',
        async () => {
          k.world.healAll();
          await k.drive(k.world.nodes.get(next)!.cm!.repairMarked(64));
          expect(k.world.map.current.marks.filter((mark) => mark.stripe === stripe)).to.deep.equal(
            [],
          );
        },
      ],
      [
        "the owner's scrub keeps the record: data fragment 0's history still holds Y's version",
        async () => {
          const before = abortsOf(k, stripe).length;
          expect(await dropPass()).to.equal(0);
          expect(abortsOf(k, stripe).length).to.equal(before);
        },
      ],
      [
        "w1's retry of Y is applied again (found in that history, the version is an abort's), and reads back",
        async () => {
          const retried = await k.write('w1', 2, k.block(stripe, 0), { again: y, attemptsMax: 3 });
          expect(retried.outcome).to.equal('acked');
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
        },
      ],
      [
        'the retention sweep folds every fragment of the stripe (its horizon past every write)',
        async () => {
          expect(await k.foldStripe(stripe)).to.be.greaterThan(0);
        },
      ],
      [
        "the owner's scrub now finds the records spent and drops them; the stripe reads as before",
        async () => {
          const recorded = abortsOf(k, stripe).length;
          expect(await dropPass()).to.equal(recorded);
          expect(abortsOf(k, stripe)).to.deep.equal([]);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });
});
