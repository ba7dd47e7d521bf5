// A volume created on the running cluster: an owner that has owned a stripe since the volume was
// created, in one run of its process, and never touched it, takes it as the empty stripe with no
// recovery (owned-stripe.ts, knownEmpty). These scenarios show that it does, and that it does
// not once the ownership broke, the process restarted, or its state of a stripe it wrote was
// dropped, each as a step list on the simulated cluster (RS(2,2) on five nodes, q = 3).
import { expect } from 'chai';
import { stripeKey } from '../../placement/index.js';
import fc from 'fast-check';
import { ownershipEpochOf, TouchedStripes } from '../../node/cm/owned-stripe.js';
import { EPOCHS_KEPT, type VolumeRecord } from '../../node/cluster/cluster-map-types.js';
import { VOLUME } from '../../simulations/cm/cm-world.js';
import type { WriteRecord } from '../../simulations/cm/cm-workload.js';
import { expectAllInvariants, kit, steps, type Kit } from './scenario-kit.js';

describe('cm: stripes known empty (a volume created on the running cluster)', function () {
  this.timeout(60_000);

  /** The fences and reads that CM `from` sends to stores while `body` runs. */
  async function fencesAndReads(k: Kit, from: string, body: () => Promise<void>): Promise<number> {
    let seen = 0;
    let counting = true;
    k.world.interceptors.push((call) => {
      if (counting && call.from === from && (call.kind === 'fence' || call.kind === 'read'))
        seen += 1;
    });
    await body();
    counting = false;
    return seen;
  }

  const cmOf = (k: Kit, id: string) => k.world.nodes.get(id)!.cm!;

  it('follows first touches per volume (a volume created again is another), and none past the cap: a first touch at most once, never after the volume stops being followed (property)', () => {
    const volumes = [
      { name: 'a', createdIndex: 5 },
      { name: 'a', createdIndex: 9 },
      { name: 'b', createdIndex: 7 },
    ] as VolumeRecord[];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 9 })), {
          maxLength: 60,
        }),
        (cap, touches) => {
          const touched = new TouchedStripes(cap);
          const seen = volumes.map(() => new Set<number>());
          const untracked = volumes.map(() => false);
          for (const [at, stripe] of touches) {
            const first = touched.firstTouch(volumes[at]!, stripe);
            const expected = !untracked[at] && !seen[at]!.has(stripe) && seen[at]!.size < cap;
            if (!untracked[at] && !seen[at]!.has(stripe) && seen[at]!.size >= cap)
              untracked[at] = true;
            if (expected) seen[at]!.add(stripe);
            expect(first, `volume ${at}, stripe ${stripe}`).to.equal(expected);
          }
        },
      ),
    );
  });

  it('writes a stripe never written with no fence and no read; a new owner, or the same one after a break or a restart, recovers it and loses nothing', async () => {
    const k = await kit(3, undefined, { volumeLast: true });
    // Two stripes of one owner, A: one to write, one never written.
    const owners = Array.from({ length: 8 }, (_, candidate) => k.ownerOf(candidate));
    const stripe = owners.findIndex((owner) => owners.filter((o) => o === owner).length >= 2);
    const other = owners.findIndex((owner, at) => owner === owners[stripe] && at !== stripe);
    let a = '';
    let b = '';
    const written: WriteRecord[] = [];
    await steps([
      [
        'the volume was created after every CM started',
        () => {
          const created = k.world.volume.createdEpoch!;
          for (const node of k.world.nodes.values())
            expect(node.cm!.startEpoch).to.be.at.most(created);
        },
      ],
      [
        'A writes X to the stripe: no fence and no read, the stripe taken known empty',
        async () => {
          a = k.ownerOf(stripe);
          const before = { ...cmOf(k, a).stats };
          const calls = await fencesAndReads(k, a, async () => {
            written.push(await k.write('w1', 1, k.block(stripe, 0)));
          });
          expect(written[0]!.outcome).to.equal('acked');
          expect(calls, 'fences and reads from A').to.equal(0);
          expect(cmOf(k, a).stats.knownEmpty).to.equal(before.knownEmpty + 1);
          expect(cmOf(k, a).stats.recoveries).to.equal(before.recoveries);
        },
      ],
      [
        'a block of another stripe of A, never written, reads as zeros with no recovery',
        async () => {
          const recoveries = cmOf(k, a).stats.recoveries;
          const cells = await k.read(k.block(other, 1));
          expect(new Set(cells)).to.deep.equal(new Set([0]));
          expect(cmOf(k, a).stats.recoveries).to.equal(recoveries);
        },
      ],
      [
        'A is declared down; B owns the stripe from a newer epoch, recovers it and writes Y over X',
        async () => {
          await k.declare(a, 'down');
          b = k.ownerOf(stripe);
          expect(b).to.not.equal(a);
          const before = { ...cmOf(k, b).stats };
          const calls = await fencesAndReads(k, b, async () => {
            written.push(await k.write('w1', 2, k.block(stripe, 0), { attemptsMax: 3 }));
          });
          expect(written[1]!.outcome).to.equal('acked');
          expect(calls, 'fences and reads from B').to.be.greaterThan(0);
          expect(cmOf(k, b).stats.recoveries).to.be.greaterThan(before.recoveries);
          expect(cmOf(k, b).stats.knownEmpty).to.equal(before.knownEmpty);
        },
      ],
      [
        'A is declared up: its ownership broke, so it recovers the stripe (reading Y) before it writes Z',
        async () => {
          await k.declare(a, 'up');
          expect(k.ownerOf(stripe)).to.equal(a);
          const before = { ...cmOf(k, a).stats };
          written.push(await k.write('w1', 3, k.block(stripe, 1), { attemptsMax: 3 }));
          expect(written[2]!.outcome).to.equal('acked');
          expect(cmOf(k, a).stats.recoveries).to.be.greaterThan(before.recoveries);
          expect(cmOf(k, a).stats.knownEmpty).to.equal(before.knownEmpty);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(
            new Set([written[1]!.id]),
          );
        },
      ],
      [
        'A crashes and restarts: a stripe it owns and never touched is recovered, since its start comes after the volume',
        async () => {
          k.world.crash(a);
          k.world.restart(a);
          await k.world.runUntil(k.world.scheduler.nowMs + 100);
          expect(cmOf(k, a).startEpoch).to.be.greaterThan(k.world.volume.createdEpoch!);
          expect(new Set(await k.read(k.block(other, 0)))).to.deep.equal(new Set([0]));
          expect(cmOf(k, a).stats.recoveries).to.be.greaterThan(0);
          expect(cmOf(k, a).stats.knownEmpty).to.equal(0);
          expect(new Set(await k.read(k.block(stripe, 1)))).to.deep.equal(
            new Set([written[2]!.id]),
          );
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('a stripe written, whose state is dropped while its ownership goes on (old epochs leave the map), is recovered, not taken as empty again', async () => {
    const k = await kit(3, undefined, { volumeLast: true });
    const created = k.world.volume.createdEpoch!;
    // A stripe whose owner started before the volume was created, so that its ownership epoch
    // can move on (as old epochs leave the map) and still be at or before the volume's.
    const stripe = k.findStripe((owner) => cmOf(k, owner).startEpoch < created);
    const a = k.ownerOf(stripe);
    const since = (): number | null =>
      ownershipEpochOf(k.world.map.current, stripeKey(VOLUME, stripe), a, cmOf(k, a).startEpoch);
    let x!: WriteRecord;
    const first = since()!;
    await steps([
      [
        'A writes X, taking the stripe known empty',
        async () => {
          x = await k.write('w1', 1, k.block(stripe, 0));
          expect(x.outcome).to.equal('acked');
          expect(cmOf(k, a).stats.knownEmpty).to.be.greaterThan(0);
        },
      ],
      [
        "epochs that leave the stripe with A go by until the map keeps none from before A's ownership began: its ownership epoch moves up, still at or before the volume's",
        async () => {
          const other = [...k.world.nodes.keys()].find((id) => id !== a)!;
          const newest = (): number => k.world.map.current.epoch;
          while (newest() - (EPOCHS_KEPT - 1) <= first) {
            k.world.propose({ type: 'cm_started', id: other });
            await k.world.runUntil(k.world.scheduler.nowMs + 2);
          }
          await k.world.runUntil(k.world.scheduler.nowMs + 20);
          expect(k.ownerOf(stripe)).to.equal(a);
          expect(since()).to.be.greaterThan(first);
          expect(since()).to.be.at.most(created);
        },
      ],
      [
        'A reads the block: its new state of the stripe is recovered, and X is read, not zeros',
        async () => {
          const before = { ...cmOf(k, a).stats };
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([x.id]));
          expect(cmOf(k, a).stats.recoveries).to.be.greaterThan(before.recoveries);
          expect(cmOf(k, a).stats.knownEmpty).to.equal(before.knownEmpty);
        },
      ],
    ]);
    await expectAllInvariants(k);
  });
});
