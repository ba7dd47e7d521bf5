// Proves the consistency managers keep their promises in the cases DESIGN.md and the issue name,
// each as a step list on the simulated cluster (real CMs, stores and map; RS(2,2), q = 3, unless a
// scenario says RS(4,2) on six nodes, q = 5): what
// is cut or crashed, what each writer sees, what a read returns, and that every invariant holds
// once everything heals.
import { expect } from 'chai';
import type { WriteRecord } from '../../simulations/cm/cm-workload.js';
import {
  crashMidUpdate,
  expectAllInvariants,
  kit,
  steps,
  type Kit,
  type Shape,
} from './scenario-kit.js';

const RS42: Shape = { k: 4, m: 2, nodes: 6 };

describe('cm scenarios', function () {
  this.timeout(60_000);

  describe('a CM killed between the data write and the parity writes', () => {
    it('is rolled forward from the data when the next owner reads every data fragment', async () => {
      const k = await kit(1);
      let stripe = 0;
      let run!: { owner: string; x: WriteRecord; y: WriteRecord };
      await steps([
        [
          'pick a stripe whose owner holds no data fragment, so its crash hides none',
          () => {
            stripe = k.findStripe((owner, nodes) => !nodes.slice(0, 2).includes(owner));
          },
        ],
        [
          'w1 writes X, then Y; the owner dies after Y reached the data store',
          async () => {
            run = await crashMidUpdate(k, stripe, 0);
          },
        ],
        ['the failure detector declares it down', () => k.declare(run.owner, 'down')],
        [
          'the new owner reads both data fragments and serves Y (rolled forward)',
          async () => {
            expect(k.ownerOf(stripe)).to.not.equal(run.owner);
            const values = await k.read(k.block(stripe, 0));
            expect(new Set(values)).to.deep.equal(new Set([run.y.id]));
          },
        ],
      ]);
      await expectAllInvariants(k);
    });

    it('is rolled back, and the aborted version recorded, when the next owner cannot read the other data fragment', async () => {
      const k = await kit(1);
      let stripe = 0;
      let run!: { owner: string; x: WriteRecord; y: WriteRecord };
      let next = '';
      await steps([
        [
          'pick a stripe whose owner holds no fragment and whose next owner does not hold data fragment 1',
          () => {
            stripe = k.findStripe(
              (owner, nodes) =>
                !nodes.includes(owner) &&
                k.ownerWithout(stripeOf(k, owner, nodes), owner) !== nodes[1],
            );
            next = k.ownerWithout(stripe, k.ownerOf(stripe));
          },
        ],
        [
          'w1 writes X, then Y; the owner dies after Y reached data fragment 0',
          async () => {
            run = await crashMidUpdate(k, stripe, 0);
          },
        ],
        [
          'the next owner is cut off from data fragment 1',
          () => {
            const holder = k.nodesOf(stripe)[1]!;
            k.world.cut(next, holder);
            k.world.cut(holder, next);
          },
        ],
        ['the failure detector declares the old owner down', () => k.declare(run.owner, 'down')],
        [
          'the new owner settles on the parity partition and serves X (Y rolled back)',
          async () => {
            expect(k.ownerOf(stripe)).to.equal(next);
            const values = await k.read(k.block(stripe, 0));
            expect(new Set(values)).to.deep.equal(new Set([run.x.id]));
          },
        ],
        [
          'the map records the rolled-back version of data fragment 0 as aborted',
          () => {
            const aborts = k.world.map.current.aborts.filter(
              (abort) => abort.stripe === stripe && abort.index === 0,
            );
            expect(aborts.length).to.be.greaterThan(0);
          },
        ],
      ]);
      await expectAllInvariants(k);
    });
  });

  it('a degraded write whose stale store comes back while the parities are cut off is never read from it', async () => {
    const k = await kit(2);
    let stripe = 0;
    let owner = '';
    let y!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds neither data fragment 0 nor a parity',
        () => {
          stripe = k.findStripe(
            (who, nodes) => nodes[0] !== who && nodes[2] !== who && nodes[3] !== who,
          );
          owner = k.ownerOf(stripe);
        },
      ],
      [
        'w1 writes X',
        async () => {
          expect((await k.write('w1', 1, k.block(stripe, 0))).outcome).to.equal('acked');
        },
      ],
      [
        'the owner is cut off from data fragment 0; w1 writes Y (degraded: parity only, fragment 0 marked stale)',
        async () => {
          const holder = k.nodesOf(stripe)[0]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
          y = await k.write('w1', 2, k.block(stripe, 0));
          expect(y.outcome).to.equal('acked');
          expect(
            k.world.map.current.marks.some((mark) => mark.stripe === stripe && mark.index === 0),
          ).to.equal(true);
        },
      ],
      [
        'the stale store comes back, and both parities are cut off from the owner',
        () => {
          k.world.healAll();
          for (const parity of k.nodesOf(stripe).slice(2)) {
            k.world.cut(owner, parity);
            k.world.cut(parity, owner);
          }
        },
      ],
      [
        'a read of the block is refused rather than served from the stale fragment',
        async () => {
          expect(await k.readOnce(k.block(stripe, 0))).to.equal(null);
        },
      ],
      [
        'once the parities are back, the read returns Y',
        async () => {
          k.world.healAll();
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('a write that missed a node listed down proposes no mark; back up, its stale parity is never decoded from until verified', async () => {
    const k = await kit(4);
    let stripe = 0;
    let owner = '';
    let down = '';
    let y!: WriteRecord;
    let other = 0;
    let otherOwner = '';
    const key = (): string => `sim/${stripe}`;
    await steps([
      [
        "pick a stripe whose owner holds neither data fragment 0 nor parity 3, and another stripe with a fragment on that parity's node and another owner",
        () => {
          stripe = k.findStripe((who, nodes) => nodes[0] !== who && nodes[3] !== who);
          owner = k.ownerOf(stripe);
          down = k.nodesOf(stripe)[3]!;
          other = [...Array(8).keys()].find(
            (at) => at !== stripe && k.ownerOf(at) !== down && k.nodesOf(at).includes(down),
          )!;
          otherOwner = k.ownerOf(other);
        },
      ],
      [
        'w1 writes X, and W to the other stripe',
        async () => {
          expect((await k.write('w1', 1, k.block(stripe, 0))).outcome).to.equal('acked');
          expect((await k.write('w2', 1, k.block(other, 0))).outcome).to.equal('acked');
        },
      ],
      [
        "parity 3's node crashes and is declared down (the stripe keeps its owner)",
        async () => {
          k.world.crash(down);
          await k.declare(down, 'down');
          expect(k.ownerOf(stripe)).to.equal(owner);
        },
      ],
      [
        'w1 writes Y: acknowledged on three fragments, and no mark is proposed for the fourth',
        async () => {
          const entries = k.world.nodes.get(owner)!.cm!.stats.markEntries;
          y = await k.write('w1', 2, k.block(stripe, 0));
          expect(y.outcome).to.equal('acked');
          expect(k.world.map.current.marks.filter((mark) => mark.stripe === stripe)).to.deep.equal(
            [],
          );
          expect(k.world.nodes.get(owner)!.cm!.stats.markEntries).to.equal(entries);
        },
      ],
      [
        'the node restarts with its parity from before Y and is declared up: the same entry marks it',
        async () => {
          k.world.restart(down);
          await k.declare(down, 'up');
          const mark = k.world.map.current.nodeMarks?.find((record) => record.node === down);
          expect(mark, 'a node mark').to.not.equal(undefined);
          expect(mark!.cleared).to.not.include(key());
        },
      ],
      [
        'the other stripe, not written while the node was down, is verified by versions alone: cleared with no recovery',
        async () => {
          expect(other).to.not.equal(stripe);
          const cm = k.world.nodes.get(otherOwner)!.cm!;
          const recoveries = cm.stats.recoveries;
          await k.read(k.block(other, 0));
          const mark = k.world.map.current.nodeMarks?.find((record) => record.node === down);
          expect(mark!.cleared).to.include(`sim/${other}`);
          expect(cm.stats.recoveries).to.equal(recoveries);
        },
      ],
      [
        'with data fragment 0 and parity 2 cut off from the owner, a read of block 0 is refused, not decoded as X from data 1 and the stale parity',
        async () => {
          expect(k.ownerOf(stripe)).to.equal(owner);
          for (const index of [0, 2]) {
            const holder = k.nodesOf(stripe)[index]!;
            k.world.cut(owner, holder);
            k.world.cut(holder, owner);
          }
          expect(await k.readOnce(k.block(stripe, 0))).to.equal(null);
        },
      ],
      [
        'healed, the read returns Y, and the owner has rebuilt the parity and cleared the stripe',
        async () => {
          k.world.healAll();
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
          const mark = k.world.map.current.nodeMarks?.find((record) => record.node === down);
          expect(mark?.cleared ?? [key()]).to.include(key());
        },
      ],
    ]);
    // The checker also finds no node mark left once every CM has swept.
    await expectAllInvariants(k);
  });

  it('an update short of q that only a node-marked parity took is recorded aborted when the owner decides without it, so a retry is not acknowledged from that history', async () => {
    const k = await kit(5);
    let stripe = 0;
    let owner = '';
    let nodes: string[] = [];
    let y!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds no fragment but data 1',
        () => {
          stripe = k.findStripe(
            (who, placed) => placed[0] !== who && placed[2] !== who && placed[3] !== who,
          );
          owner = k.ownerOf(stripe);
          nodes = k.nodesOf(stripe);
        },
      ],
      [
        'w0 writes W over block 1 (the owner settles the stripe)',
        async () => {
          expect((await k.write('w0', 1, k.block(stripe, 1))).outcome).to.equal('acked');
        },
      ],
      [
        'with the owner cut off from data 0 and parity 3, w1 writes Y over cells 0 to 7 of block 0: it reaches parity 2 only, short of q',
        async () => {
          for (const index of [0, 3]) {
            k.world.cut(owner, nodes[index]!);
            k.world.cut(nodes[index]!, owner);
          }
          const block = k.block(stripe, 0);
          y = await k.write('w1', 1, { cell: block.cell, cells: 8 });
          expect(y.outcome).to.equal('unknown');
        },
      ],
      [
        "parity 2's node is declared down and up again (it kept running): its node mark covers parity 2",
        async () => {
          await k.declare(nodes[2]!, 'down');
          await k.declare(nodes[2]!, 'up');
          expect(k.ownerOf(stripe)).to.equal(owner);
          expect(k.world.map.current.nodeMarks?.map((mark) => mark.node)).to.include(nodes[2]);
        },
      ],
      [
        'data 0 comes back, parity 3 stays cut off; w2 writes Z over cells 8 to 15: the owner decides from the data without Y, rebuilds parity 2, and Z is acknowledged',
        async () => {
          k.world.healAll();
          k.world.cut(owner, nodes[3]!);
          k.world.cut(nodes[3]!, owner);
          const block = k.block(stripe, 0);
          expect((await k.write('w2', 1, { cell: block.cell + 8, cells: 8 })).outcome).to.equal(
            'acked',
          );
        },
      ],
      [
        "healed, w1 retries Y: the version in parity 2's history was recorded aborted, so Y is applied now, and cells 0 to 7 read Y",
        async () => {
          k.world.healAll();
          y = await k.write('w1', 1, { cell: k.block(stripe, 0).cell, cells: 8 }, { again: y });
          expect(y.outcome).to.equal('acked');
          const values = await k.read(k.block(stripe, 0));
          expect(values.slice(0, 8)).to.deep.equal(Array.from({ length: 8 }, () => y.id));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('a degraded write followed by an overlapping partial write reads back as both, and the stale fragment is rebuilt', async () => {
    const k = await kit(3);
    let stripe = 0;
    let x!: WriteRecord;
    let z!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner does not hold data fragment 1',
        () => {
          stripe = k.findStripe((who, nodes) => nodes[1] !== who);
        },
      ],
      [
        'the owner is cut off from data fragment 1; w1 writes X over the whole block (degraded)',
        async () => {
          const owner = k.ownerOf(stripe);
          const holder = k.nodesOf(stripe)[1]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
          x = await k.write('w1', 1, k.block(stripe, 1));
          expect(x.outcome).to.equal('acked');
        },
      ],
      [
        'w2 writes Z over cells 2 to 5 of the same block (degraded again, decoded from X)',
        async () => {
          const block = k.block(stripe, 1);
          z = await k.write('w2', 1, { cell: block.cell + 2, cells: 4 });
          expect(z.outcome).to.equal('acked');
        },
      ],
      [
        'the block reads as X with Z over cells 2 to 5',
        async () => {
          const values = await k.read(k.block(stripe, 1));
          expect(values).to.deep.equal(
            values.map((_, cell) => (cell >= 2 && cell < 6 ? z.id : x.id)),
          );
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  describe('a data write retried after it landed', () => {
    it('is recognised by the same owner and not applied twice', async () => {
      const k = await kit(4);
      let x!: WriteRecord;
      const stripe = 0;
      await steps([
        [
          'w1 writes X; its reply is lost on the way back',
          async () => {
            const owner = k.ownerOf(stripe);
            k.onCall(
              (call) => call.from === 'client' && call.to === owner && call.kind === 'cm',
              () => k.world.cut(owner, 'client'),
              true,
            );
            x = await k.write('w1', 1, k.block(stripe, 0));
            expect(x.outcome).to.equal('unknown');
          },
        ],
        [
          'w1 retries X with the same sequence: acknowledged, with one version in the history',
          async () => {
            k.world.healAll();
            x = await k.write('w1', 1, k.block(stripe, 0), { again: x });
            expect(x.outcome).to.equal('acked');
            expect(await stampsOf(k, stripe, 0, 'w1', 1)).to.equal(1);
          },
        ],
      ]);
      await expectAllInvariants(k);
    });

    it("is recognised after a failover, from the data fragment's history", async () => {
      const k = await kit(5);
      const at = landing();
      await steps([
        ...xLandsThenOwnerCrashes(k, at),
        [
          'the owner is declared down; w1 retries X at the new owner: acknowledged once',
          async () => {
            await k.declare(at.owner, 'down');
            const x = await k.write('w1', 1, k.block(at.stripe, 0), {
              again: at.x,
              attemptsMax: 3,
            });
            expect(x.outcome).to.equal('acked');
            expect(await stampsOf(k, at.stripe, 0, 'w1', 1)).to.equal(1);
          },
        ],
      ]);
      await expectAllInvariants(k);
    });
  });

  it("a writer's retry after a failover, while another writer wrote the same block, does not undo the other write", async () => {
    const k = await kit(6);
    const at = landing();
    let y!: WriteRecord;
    await steps([
      ...xLandsThenOwnerCrashes(k, at),
      [
        'the owner is declared down; w2 writes Y over the same block at the new owner',
        async () => {
          await k.declare(at.owner, 'down');
          y = await k.write('w2', 1, k.block(at.stripe, 0), { attemptsMax: 3 });
          expect(y.outcome).to.equal('acked');
        },
      ],
      [
        'w1 retries X: recognised as landed before Y, not applied again',
        async () => {
          const x = await k.write('w1', 1, k.block(at.stripe, 0), { again: at.x, attemptsMax: 3 });
          expect(x.outcome).to.equal('acked');
          expect(new Set(await k.read(k.block(at.stripe, 0)))).to.deep.equal(new Set([y.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('a retry of a write that only a parity took, rolled forward by the next owner and then overwritten, is not applied again', async () => {
    // Seed 4526: the roll-forward rewrites the data fragment under the repair's stamp, so only
    // the parity's history still shows the writer's event.
    const k = await kit(9);
    let stripe = 0;
    let owner = '';
    let x!: WriteRecord;
    let y!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds no fragment',
        () => {
          stripe = k.findStripe((who, nodes) => !nodes.includes(who));
          owner = k.ownerOf(stripe);
        },
      ],
      [
        'w0 writes first, so that the owner has recovered the stripe',
        async () => {
          expect((await k.write('w0', 1, k.block(stripe, 0))).outcome).to.equal('acked');
        },
      ],
      [
        'w1 writes X: the data write and the second parity are lost, the first parity takes it',
        async () => {
          k.onCall((call) => call.from === owner && call.kind === 'writeData');
          k.lose(owner, 'applyParity', 3);
          x = await k.write('w1', 1, k.block(stripe, 0));
          expect(x.outcome).to.equal('unknown');
        },
      ],
      [
        'the owner is declared down; the next owner rolls X forward from the parity partition',
        async () => {
          await k.declare(owner, 'down');
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([x.id]));
        },
      ],
      [
        'w2 writes Y over the block',
        async () => {
          y = await k.write('w2', 1, k.block(stripe, 0), { attemptsMax: 3 });
          expect(y.outcome).to.equal('acked');
        },
      ],
      [
        'w1 retries X: recognised from the parity history, not applied over Y',
        async () => {
          x = await k.write('w1', 1, k.block(stripe, 0), { again: x, attemptsMax: 3 });
          expect(x.outcome).to.equal('acked');
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it("writes of one stripe carried by one update: a retried part that only a parity's record names, after a roll-forward and an overwrite, is not applied again", async () => {
    // The owner carries X (block 1) and Z (block 0), queued together, in one version; Z's data
    // write and one parity are lost. The roll-forward rewrites data fragment 0 under the repair's
    // stamp, so only the parity that took the update names Z, beside X, in its record.
    const k = await kit(9);
    let stripe = 0;
    let owner = '';
    let w!: WriteRecord;
    let x!: WriteRecord;
    let z!: WriteRecord;
    let y!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds no fragment',
        () => {
          stripe = k.findStripe((who, nodes) => !nodes.includes(who));
          owner = k.ownerOf(stripe);
        },
      ],
      [
        'w0 writes block 0, so that the owner has recovered the stripe and knows its blocks',
        async () => {
          expect((await k.write('w0', 1, k.block(stripe, 0))).outcome).to.equal('acked');
        },
      ],
      [
        "w0 writes block 0 again, its parity held; meanwhile w1 sends X (block 1) and w2 Z (block 0); Z's data write and parity 3 are lost",
        async () => {
          [w, x, z] = await queuedTogether(
            k,
            stripe,
            [
              ['w1', 1],
              ['w2', 0],
            ],
            [
              ['writeData', 0],
              ['applyParity', 3],
            ],
          );
          expect(w.outcome, 'W').to.equal('acked');
          expect(x.outcome, 'X').to.equal('unknown');
          expect(z.outcome, 'Z').to.equal('unknown');
        },
      ],
      [
        'the parity that took the update names both writes in one record',
        async () => {
          const history = await k.world.nodes
            .get(k.nodesOf(stripe)[2]!)!
            .store.history({ volume: 'sim', stripe, index: 2 });
          const carried = history.find((entry) => entry.writer?.writerId === 'w1');
          expect(carried?.alsoWriters?.map((writer) => writer.writerId)).to.deep.equal(['w2']);
        },
      ],
      [
        'the owner is declared down; the next owner rolls X and Z forward from the parity partition',
        async () => {
          await k.declare(owner, 'down');
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([z.id]));
          expect(new Set(await k.read(k.block(stripe, 1)))).to.deep.equal(new Set([x.id]));
        },
      ],
      [
        'w3 writes Y over block 0',
        async () => {
          y = await k.write('w3', 1, k.block(stripe, 0), { attemptsMax: 3 });
          expect(y.outcome).to.equal('acked');
        },
      ],
      [
        "w2 retries Z and w1 retries X: recognised (Z from the parity's record alone), Y stays",
        async () => {
          z = await k.write('w2', 1, k.block(stripe, 0), { again: z, attemptsMax: 3 });
          x = await k.write('w1', 1, k.block(stripe, 1), { again: x, attemptsMax: 3 });
          expect(z.outcome).to.equal('acked');
          expect(x.outcome).to.equal('acked');
          expect(z.versions.get(0)).to.deep.equal(x.versions.get(1));
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
          expect(new Set(await k.read(k.block(stripe, 1)))).to.deep.equal(new Set([x.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('an update of two writes that one data fragment and one parity took is rolled back, not half kept, and each retry is applied again', async () => {
    // Seed 8282 of 10,000. X (block 0) and Y (block 1) went as one update; data fragment 0 and
    // parity 2 missed it. Cut off from parity 3, the owner read data fragment 1 at the update's
    // version and data fragment 0 below it: settling from the data kept Y's half and dropped
    // X's, with nothing recording X's half as aborted, and X's retry was acknowledged from
    // parity 3's history. Data fragment 1's registry now names the other half.
    const k = await kit(12);
    let stripe = 0;
    let owner = '';
    let x!: WriteRecord;
    let y!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds no fragment',
        () => {
          stripe = k.findStripe((who, nodes) => !nodes.includes(who));
          owner = k.ownerOf(stripe);
        },
      ],
      [
        'w0 writes blocks 0 and 1',
        async () => {
          expect((await k.write('w0', 1, k.block(stripe, 0))).outcome).to.equal('acked');
          expect((await k.write('w0', 2, k.block(stripe, 1))).outcome).to.equal('acked');
        },
      ],
      [
        'w0 writes block 0 again, its parity held; meanwhile X and Y queue together; data fragment 0 and parity 2 lose their update',
        async () => {
          let w: WriteRecord;
          [w, x, y] = await queuedTogether(
            k,
            stripe,
            [
              ['w1', 0],
              ['w2', 1],
            ],
            [
              ['writeData', 0],
              ['applyParity', 2],
            ],
          );
          expect(w.outcome, 'W').to.equal('acked');
          expect([x.outcome, y.outcome]).to.deep.equal(['unknown', 'unknown']);
        },
      ],
      [
        'cut off from parity 3, the owner settles on the state before the update: block 1 reads as w0 wrote it',
        async () => {
          const holder = k.nodesOf(stripe)[3]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
          const values = new Set(await k.read(k.block(stripe, 1)));
          expect(values.has(y.id), "Y's half kept").to.equal(false);
          k.world.healAll();
        },
      ],
      [
        'w3 writes one cell of block 0, at a version above the update',
        async () => {
          const block = k.block(stripe, 0);
          expect((await k.write('w3', 1, { cell: block.cell, cells: 1 })).outcome).to.equal(
            'acked',
          );
        },
      ],
      [
        'X and Y are retried: applied again, so blocks 0 and 1 read as X and Y',
        async () => {
          x = await k.write('w1', 1, k.block(stripe, 0), { again: x, attemptsMax: 3 });
          y = await k.write('w2', 1, k.block(stripe, 1), { again: y, attemptsMax: 3 });
          expect([x.outcome, y.outcome]).to.deep.equal(['acked', 'acked']);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([x.id]));
          expect(new Set(await k.read(k.block(stripe, 1)))).to.deep.equal(new Set([y.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it("RS(4,2): an update of three data fragments that one data fragment and one parity took, with the other parity stale, is rolled back from that data fragment's history", async () => {
    // Seed 254 of RS(4,2). An update of data fragments 1 to 3 reached data fragment 2 and parity 5
    // alone; parity 4 was stale. The update was proved never acknowledged, and without it the
    // data are the newest state, but data fragment 2 holds part of it: it could be neither rolled
    // forward (fewer than k fragments hold it) nor kept, and the stripe waited for ever. The
    // owner now reads data fragment 2 from before the update and settles from the data.
    const k = await kit(21, RS42);
    let stripe = 0;
    let owner = '';
    let w!: WriteRecord;
    let x!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds data fragment 0; cut the owner off from parity 4',
        () => {
          stripe = k.findStripe((who, nodes) => nodes[0] === who);
          owner = k.ownerOf(stripe);
          const holder = k.nodesOf(stripe)[4]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
        },
      ],
      [
        'w0 writes block 0: acknowledged by five fragments, parity 4 marked stale',
        async () => {
          w = await k.write('w0', 1, k.block(stripe, 0), { attemptsMax: 3 });
          expect(w.outcome).to.equal('acked');
        },
      ],
      [
        'X writes blocks 1 to 3 in one update, which data fragments 1 and 3 lose: only data fragment 2 and parity 5 take it',
        async () => {
          k.lose(owner, 'writeData', 1);
          k.lose(owner, 'writeData', 3);
          const from = k.block(stripe, 1);
          x = await k.write('w1', 1, { cell: from.cell, cells: 3 * from.cells });
          expect(x.outcome).to.equal('unknown');
          expect(await stampsOf(k, stripe, 2, 'w1', 1), "data fragment 2 took X's part").to.equal(
            1,
          );
        },
      ],
      [
        'still cut off from parity 4, the owner rolls data fragment 2 back: block 0 reads as w0 wrote it, block 2 as never written',
        async () => {
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([w.id]));
          expect(new Set(await k.read(k.block(stripe, 2)))).to.deep.equal(new Set([0]));
          expect(k.world.nodes.get(owner)!.cm!.stats.historyRollbacks).to.equal(1);
          k.world.healAll();
        },
      ],
      [
        'X is retried and applied again',
        async () => {
          const from = k.block(stripe, 1);
          x = await k.write(
            'w1',
            1,
            { cell: from.cell, cells: 3 * from.cells },
            { again: x, attemptsMax: 3 },
          );
          expect(x.outcome).to.equal('acked');
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('RS(4,2): an update of every data fragment that three of them took and no parity, over an acknowledged one, is rolled back from their histories', async () => {
    // Seed 1700 of RS(4,2). U, an update of blocks 0 and 1, was acknowledged with parity 4
    // marked; V, of all four blocks, reached data fragments 0, 1 and 3 and no parity. U's
    // partition (data fragment 2 and parity 5 at U) was short because the others hold V, so the
    // stripe waited for ever. V is proved never acknowledged by data fragment 2, so the owner
    // reads the three from before V and settles on U.
    const k = await kit(22, RS42);
    let stripe = 0;
    let owner = '';
    let u!: WriteRecord;
    let v!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds data fragment 3; cut the owner off from parity 4',
        () => {
          stripe = k.findStripe((who, nodes) => nodes[3] === who);
          owner = k.ownerOf(stripe);
          const holder = k.nodesOf(stripe)[4]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
        },
      ],
      [
        'U writes blocks 0 and 1 in one update: acknowledged, parity 4 marked stale',
        async () => {
          const from = k.block(stripe, 0);
          u = await k.write(
            'w0',
            1,
            { cell: from.cell, cells: 2 * from.cells },
            { attemptsMax: 3 },
          );
          expect(u.outcome).to.equal('acked');
        },
      ],
      [
        'V writes all four blocks in one update, which data fragment 2 and parity 5 lose',
        async () => {
          k.lose(owner, 'writeData', 2);
          k.lose(owner, 'applyParity', 5);
          const from = k.block(stripe, 0);
          v = await k.write('w1', 1, { cell: from.cell, cells: 4 * from.cells });
          expect(v.outcome).to.equal('unknown');
          expect(await stampsOf(k, stripe, 0, 'w1', 1), "data fragment 0 took V's part").to.equal(
            1,
          );
        },
      ],
      [
        'still cut off from parity 4, the owner settles on U: blocks 0 and 1 read as U, block 3 as never written',
        async () => {
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([u.id]));
          expect(new Set(await k.read(k.block(stripe, 1)))).to.deep.equal(new Set([u.id]));
          expect(new Set(await k.read(k.block(stripe, 3)))).to.deep.equal(new Set([0]));
          expect(k.world.nodes.get(owner)!.cm!.stats.historyRollbacks).to.equal(1);
          k.world.healAll();
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('RS(4,2): an acknowledged update that only the parities hold is rolled forward from their histories, past a later update they took that was never acknowledged', async () => {
    // Seed 1909 of RS(4,2). U wrote block 0 while its node was listed down: acknowledged with no
    // mark, held by the parities alone. V, of blocks 1 to 3, then reached data fragment 3 and
    // both parities. V is disproved by data fragment 1, but the parities at V name U for data
    // fragment 0, which lacks it: the stripe waited for ever. The owner now reads the parities
    // (and data fragment 3) from before V, and U's partition rebuilds data fragment 0.
    const k = await kit(23, RS42);
    let held!: ParityHeld;
    await steps([
      [
        "with data fragment 0's node down, U writes block 0; V writes blocks 1 to 3, which data fragments 1 and 2 lose",
        async () => {
          held = await parityHeldUpdate(k);
        },
      ],
      [
        'the node restarts without U and is declared up: block 0 reads as U, block 3 as before V',
        async () => {
          k.world.restart(held.down);
          await k.declare(held.down, 'up');
          expect(new Set(await k.read(k.block(held.stripe, 0)))).to.deep.equal(
            new Set([held.u.id]),
          );
          expect(new Set(await k.read(k.block(held.stripe, 3)))).to.deep.equal(new Set([0]));
          const rollbacks = [...k.world.nodes.values()].reduce(
            (sum, node) => sum + (node.cm?.stats.historyRollbacks ?? 0),
            0,
          );
          expect(rollbacks).to.equal(1);
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('RS(4,2): the same, with the owner crashed between recording the later update aborted and the repair: the next owner still rolls the acknowledged one forward from the parities', async () => {
    // Found in review: once V is recorded aborted, the parities at V reflect an abort. Counted as
    // not read, they hid U, and data fragment 0 (under its node's mark, so read but never
    // evidence) let the next owner settle from the data without U. A parity that reflects an
    // abort is now read as its newest earlier version that does not (DESIGN.md's rule).
    const k = await kit(23, RS42);
    let held!: ParityHeld;
    await steps([
      [
        "with data fragment 0's node down, U writes block 0; V writes blocks 1 to 3, which data fragments 1 and 2 lose",
        async () => {
          held = await parityHeldUpdate(k);
        },
      ],
      [
        'the node comes back; the owner records V aborted and crashes at its first repair write',
        async () => {
          const repair = k.onCall(
            (call) => call.from === held.owner && call.kind === 'writeWhole',
            () => k.world.crash(held.owner),
          );
          k.world.restart(held.down);
          await k.declare(held.down, 'up');
          await k.readOnce(k.block(held.stripe, 0));
          expect(repair.happened(), 'the repair began').to.equal(true);
          expect(
            k.world.map.current.aborts.filter((abort) => abort.stripe === held.stripe),
            'V recorded aborted',
          ).to.have.length.greaterThan(0);
        },
      ],
      [
        'the owner is declared down: the next owner reads block 0 as U',
        async () => {
          await k.declare(held.owner, 'down');
          expect(new Set(await k.read(k.block(held.stripe, 0)))).to.deep.equal(
            new Set([held.u.id]),
          );
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it("a recovery's mark that timed out and applies late is proposed again by the next recovery first, so that the next one never keeps a version the mark aborts", async () => {
    // Seed 6784 of RS(4,2). An update X reached its data fragment alone. Cut off from it, the
    // owner's recovery marked it with the versions above recorded aborted; the proposal timed
    // out. The next recovery read everything and rolled X forward, and X's retry was
    // acknowledged. Then the mark applied, late: X was aborted on its data fragment, and lost.
    const k = await kit(24);
    let stripe = 0;
    let owner = '';
    let x!: WriteRecord;
    await steps([
      [
        'pick a stripe whose owner holds no fragment; w0 writes block 0',
        async () => {
          stripe = k.findStripe((who, nodes) => !nodes.includes(who));
          owner = k.ownerOf(stripe);
          expect((await k.write('w0', 1, k.block(stripe, 0))).outcome).to.equal('acked');
        },
      ],
      [
        'X writes block 0 again, and both parities lose it: only data fragment 0 takes it',
        async () => {
          for (const index of [2, 3])
            k.onCall(
              (call) =>
                call.from === owner &&
                call.kind === 'applyParity' &&
                call.fragment?.index === index,
            );
          x = await k.write('w1', 1, k.block(stripe, 0));
          expect(x.outcome).to.equal('unknown');
        },
      ],
      [
        "cut off from data fragment 0, the owner's recovery marks it, and its proposal arrives after the owner gave up on it",
        async () => {
          const holder = k.nodesOf(stripe)[0]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
          const late = k.hold((call) => call.from === owner && call.kind === 'mark_stale', 1500);
          expect(await k.readOnce(k.block(stripe, 1))).to.equal(null);
          expect(late.happened(), 'the mark was proposed').to.equal(true);
          k.world.healAll();
        },
      ],
      [
        'X is retried; once the late mark has applied, block 0 reads as X',
        async () => {
          x = await k.write('w1', 1, k.block(stripe, 0), { again: x, attemptsMax: 5 });
          expect(x.outcome).to.equal('acked');
          await k.world.runUntil(k.world.scheduler.nowMs + 2000);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([x.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('a retried write whose update the owner settled without, the abort recorded on the other parity alone, is applied again, not acknowledged from the parity that took it', async () => {
    // Seed 2393. X reached one parity, whose node was listed down, so the owner's recovery
    // decided without it and marked both parities, with the versions above recorded aborted;
    // the second mark was lost. A later recovery read that parity, saw that it reflects an abort
    // through the other parity, and settled without X. X's version is below a later partial
    // write's, so only an abort shows that X never landed: the one on the other parity.
    const k = await kit(11);
    let stripe = 0;
    let owner = '';
    let parityNode = '';
    let x!: WriteRecord;
    await steps([
      [
        "pick a stripe whose owner holds no fragment and keeps it while parity 3's node is out of the CM set",
        () => {
          stripe = k.findStripe(
            (who, nodes) =>
              !nodes.includes(who) && k.ownerWithout(stripeOf(k, who, nodes), nodes[3]!) === who,
          );
          owner = k.ownerOf(stripe);
          parityNode = k.nodesOf(stripe)[3]!;
        },
      ],
      [
        'w0 writes blocks 0 and 1',
        async () => {
          expect((await k.write('w0', 1, k.block(stripe, 0))).outcome).to.equal('acked');
          expect((await k.write('w0', 2, k.block(stripe, 1))).outcome).to.equal('acked');
        },
      ],
      [
        "parity 3's node is declared down, falsely: it still answers",
        async () => {
          await k.declare(parityNode, 'down');
          expect(k.ownerOf(stripe)).to.equal(owner);
        },
      ],
      [
        'w1 writes X to block 1: its data write and parity 2 are lost, parity 3 takes it',
        async () => {
          k.lose(owner, 'writeData', 1);
          k.lose(owner, 'applyParity', 2);
          x = await k.write('w1', 1, k.block(stripe, 1));
          expect(x.outcome).to.equal('unknown');
        },
      ],
      [
        "cut off from parity 2, the owner recovers without parity 3 (listed down) and marks both; parity 3's mark is lost, so the read is refused",
        async () => {
          const holder = k.nodesOf(stripe)[2]!;
          k.world.cut(owner, holder);
          k.world.cut(holder, owner);
          let marks = 0;
          const lost = k.onCall(
            (call) =>
              call.from === owner &&
              call.to === 'raft' &&
              call.kind === 'mark_stale' &&
              ++marks === 2,
          );
          expect(await k.readOnce(k.block(stripe, 1))).to.equal(null);
          expect(lost.happened(), 'the second mark was sent').to.equal(true);
          const aborted = (index: number): boolean =>
            k.world.map.current.aborts.some(
              (abort) => abort.stripe === stripe && abort.index === index,
            );
          expect([aborted(2), aborted(3)]).to.deep.equal([true, false]);
        },
      ],
      [
        'healed and parity 3 declared up, the owner settles without X: block 1 reads as w0 wrote it',
        async () => {
          k.world.healAll();
          await k.declare(parityNode, 'up');
          const values = new Set(await k.read(k.block(stripe, 1)));
          expect(values.has(x.id)).to.equal(false);
        },
      ],
      [
        'w2 writes Y over one cell of block 1, at a version above X',
        async () => {
          const block = k.block(stripe, 1);
          expect((await k.write('w2', 1, { cell: block.cell, cells: 1 })).outcome).to.equal(
            'acked',
          );
        },
      ],
      [
        'w1 retries X: found in parity 3, but aborted on parity 2, so applied again; block 1 reads as X',
        async () => {
          x = await k.write('w1', 1, k.block(stripe, 1), { again: x, attemptsMax: 3 });
          expect(x.outcome).to.equal('acked');
          expect(new Set(await k.read(k.block(stripe, 1)))).to.deep.equal(new Set([x.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('an owner restarted before the failure detector noticed takes its stripes with a new ownership epoch', async () => {
    const k = await kit(7);
    let owner = '';
    let x!: WriteRecord;
    let y!: WriteRecord;
    let z!: WriteRecord;
    const stripe = 0;
    await steps([
      [
        'w1 writes X',
        async () => {
          owner = k.ownerOf(stripe);
          x = await k.write('w1', 1, k.block(stripe, 0));
          expect(x.outcome).to.equal('acked');
        },
      ],
      [
        "the owner crashes as Y's first parity write leaves, and restarts at once (never declared down)",
        async () => {
          k.onCall(
            (call) => call.from === owner && call.kind === 'applyParity',
            () => {
              k.world.crash(owner);
              k.world.restart(owner);
            },
          );
          y = await k.write('w1', 2, k.block(stripe, 0));
          expect(y.outcome).to.equal('unknown');
          expect(k.ownerOf(stripe)).to.equal(owner);
        },
      ],
      [
        'w1 retries Y at the restarted owner, then writes Z: Z is stamped in a newer epoch than X',
        async () => {
          y = await k.write('w1', 2, k.block(stripe, 0), { again: y, attemptsMax: 5 });
          expect(y.outcome).to.equal('acked');
          z = await k.write('w1', 3, k.block(stripe, 0), { attemptsMax: 5 });
          expect(z.outcome).to.equal('acked');
          expect(z.versions.get(0)!.epoch).to.be.greaterThan(x.versions.get(0)!.epoch);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([z.id]));
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('ownership moving from A to B and back to A: each takes the stripe with a newer epoch and loses nothing', async () => {
    const k = await kit(8);
    const stripe = 0;
    let a = '';
    let b = '';
    const written: WriteRecord[] = [];
    await steps([
      [
        'A writes X',
        async () => {
          a = k.ownerOf(stripe);
          written.push(await k.write('w1', 1, k.block(stripe, 0)));
        },
      ],
      [
        'A is declared down; B owns the stripe and writes Y',
        async () => {
          await k.declare(a, 'down');
          b = k.ownerOf(stripe);
          expect(b).to.not.equal(a);
          written.push(await k.write('w1', 2, k.block(stripe, 0), { attemptsMax: 3 }));
        },
      ],
      [
        'A is declared up; A owns the stripe again and writes Z over Y',
        async () => {
          await k.declare(a, 'up');
          expect(k.ownerOf(stripe)).to.equal(a);
          written.push(await k.write('w1', 3, k.block(stripe, 0), { attemptsMax: 3 }));
        },
      ],
      [
        'every write was acknowledged in a newer epoch than the one before, and Z is read',
        async () => {
          expect(written.map((write) => write.outcome)).to.deep.equal(['acked', 'acked', 'acked']);
          const epochs = written.map((write) => write.versions.get(0)!.epoch);
          expect(epochs[1]).to.be.greaterThan(epochs[0]!);
          expect(epochs[2]).to.be.greaterThan(epochs[1]!);
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(
            new Set([written[2]!.id]),
          );
        },
      ],
    ]);
    await expectAllInvariants(k);
  });
  describe('repair', () => {
    it('keeps a pass within its byte budget (one block: one stripe), and without one repairs the rest', async () => {
      const k = await kit(5);
      const blockBytes = k.world.volume.blockBytes;
      let down = '';
      let repairer = '';
      let owned: number[] = [];
      await steps([
        [
          'a node crashes and is declared down; w1 writes every stripe once (those with a fragment there mark it)',
          async () => {
            down = k.nodesOf(0)[3]!;
            k.world.crash(down);
            await k.declare(down, 'down');
            for (let stripe = 0; stripe < 8; stripe++)
              expect((await k.write('w1', stripe + 1, k.block(stripe, 0))).outcome).to.equal(
                'acked',
              );
          },
        ],
        [
          'the node comes back; the CM with the most marked stripes is the repairer',
          async () => {
            k.world.restart(down);
            await k.world.runUntil(k.world.scheduler.nowMs + 200);
            await k.declare(down, 'up');
            const marked = new Map<string, number[]>();
            for (const mark of k.world.map.current.marks) {
              const owner = k.ownerOf(mark.stripe);
              const list = marked.get(owner) ?? [];
              if (!list.includes(mark.stripe)) marked.set(owner, [...list, mark.stripe]);
            }
            [repairer, owned] = [...marked].sort((a, b) => b[1].length - a[1].length)[0]!;
            expect(owned.length, 'stripes to repair').to.be.at.least(3);
          },
        ],
        [
          'a pass with a budget of one block repairs exactly one stripe',
          async () => {
            const cm = k.world.nodes.get(repairer)!.cm!;
            const done = await k.drive(cm.repairMarked(64, blockBytes));
            expect(done.stripes).to.equal(1);
            expect(done.bytes, 'what that stripe rewrote').to.be.at.least(blockBytes);
            // What the pass reserved for it (its marked data fragment, if any, and both parities)
            // covers what it wrote: the budget is not passed by more than the stripe it allowed.
            expect(done.bytes).to.be.at.most(3 * blockBytes);
          },
        ],
        [
          'a pass without a limit repairs the rest together; no mark is left on them',
          async () => {
            const cm = k.world.nodes.get(repairer)!.cm!;
            const done = await k.drive(cm.repairMarked(64));
            expect(done.stripes).to.equal(owned.length - 1);
            const left = k.world.map.current.marks.filter((mark) => owned.includes(mark.stripe));
            expect(left).to.deep.equal([]);
          },
        ],
      ]);
      await expectAllInvariants(k);
    });
  });

  describe('moves', () => {
    it('a drained node gives its fragment up under a switched layout; given back, with a new owner, the write reads back', async () => {
      const k = await kit(3);
      let stripe = 0;
      let owner = '';
      let drained = '';
      let y!: WriteRecord;
      await steps([
        [
          'pick a stripe whose first parity is not on its owner',
          () => {
            stripe = k.findStripe((holder, nodes) => nodes[2] !== holder);
            owner = k.ownerOf(stripe);
            drained = k.nodesOf(stripe)[2]!;
          },
        ],
        [
          'w1 writes X over data fragment 0',
          async () => {
            expect((await k.write('w1', 1, k.block(stripe, 0))).outcome).to.equal('acked');
          },
        ],
        [
          "the parity's node is drained; the owner's next read moves it and switches the layout",
          async () => {
            await k.declare(drained, 'draining');
            await k.read(k.block(stripe, 0));
            expect(k.nodesOf(stripe)[2], 'the layout names the new node').to.not.equal(drained);
            const left = await k.world.nodes
              .get(drained)!
              .store.history({ volume: 'sim', stripe, index: 2 });
            expect(left, 'the old copy is deleted').to.deep.equal([]);
          },
        ],
        [
          'w1 writes Y over data fragment 0 (the parity takes it on its new node)',
          async () => {
            y = await k.write('w1', 2, k.block(stripe, 0));
            expect(y.outcome).to.equal('acked');
          },
        ],
        [
          'the node is given back (placement puts the parity on it again), and the owner is declared down before it touches the stripe',
          async () => {
            await k.declare(drained, 'up');
            await k.declare(owner, 'down');
            expect(k.ownerOf(stripe)).to.not.equal(owner);
          },
        ],
        [
          'the new owner reads the parity at its location, not where placement now puts it: Y',
          async () => {
            expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
          },
        ],
      ]);
      await expectAllInvariants(k);
    });

    it('a layout switch whose proposal the owner gave up on, arriving late, is refused: the owner set the layout again under a newer stamp', async () => {
      const k = await kit(3);
      let stripe = 0;
      let owner = '';
      let drained = '';
      let y!: WriteRecord;
      let late!: { happened(): boolean };
      await steps([
        [
          'pick a stripe whose first parity is not on its owner',
          () => {
            stripe = k.findStripe((holder, nodes) => nodes[2] !== holder);
            owner = k.ownerOf(stripe);
            drained = k.nodesOf(stripe)[2]!;
          },
        ],
        [
          'w1 writes X over data fragment 0',
          async () => {
            expect((await k.write('w1', 1, k.block(stripe, 0))).outcome).to.equal('acked');
          },
        ],
        [
          "the parity's node is drained; the owner's next read copies the parity, and its set_layout is held up 3 s on the way, past the owner's timeout",
          async () => {
            late = k.hold((call) => call.from === owner && call.kind === 'set_layout', 3000);
            await k.declare(drained, 'draining');
            await k.readOnce(k.block(stripe, 0));
            expect(late.happened(), 'the switch was proposed').to.equal(true);
            expect(k.nodesOf(stripe)[2], 'not switched yet').to.equal(drained);
          },
        ],
        [
          'the node is given back (no move is due any more); w1 writes Y, which the parity takes on that node',
          async () => {
            await k.declare(drained, 'up');
            y = await k.write('w1', 2, k.block(stripe, 0), { attemptsMax: 3 });
            expect(y.outcome).to.equal('acked');
          },
        ],
        [
          'the held switch arrives: refused (its stamp is below the layout the owner set again), so the parity stays where Y is',
          async () => {
            await k.world.runUntil(k.world.scheduler.nowMs + 3500);
            expect(k.nodesOf(stripe)[2]).to.equal(drained);
            expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
          },
        ],
      ]);
      await expectAllInvariants(k);
    });

    it("a move's delete that arrives late, after a later move put the fragment back at the same version, removes nothing", async () => {
      const k = await kit(3);
      let stripe = 0;
      let drained = '';
      let x!: WriteRecord;
      let late!: { happened(): boolean };
      await steps([
        [
          'pick a stripe whose first parity is not on its owner',
          () => {
            stripe = k.findStripe((holder, nodes) => nodes[2] !== holder);
            drained = k.nodesOf(stripe)[2]!;
          },
        ],
        [
          'w1 writes X over data fragment 0',
          async () => {
            x = await k.write('w1', 1, k.block(stripe, 0));
            expect(x.outcome).to.equal('acked');
          },
        ],
        [
          "the parity's node is drained; the move's delete of the old copy is held up 3 s on the way",
          async () => {
            late = k.hold(
              (call) =>
                call.kind === 'deleteFragment' &&
                call.to === drained &&
                call.fragment?.stripe === stripe,
              3000,
            );
            await k.declare(drained, 'draining');
            await k.read(k.block(stripe, 0));
            expect(late.happened(), 'the delete was sent').to.equal(true);
            expect(k.nodesOf(stripe)[2], 'the layout names the new node').to.not.equal(drained);
          },
        ],
        [
          'the node is given back; the next read moves the parity back onto it, at the same version',
          async () => {
            await k.declare(drained, 'up');
            // The first read may find the earlier move's delete unanswered; the move back follows.
            await k.read(k.block(stripe, 0));
            await k.world.runUntil(k.world.scheduler.nowMs + 1200);
            await k.read(k.block(stripe, 0));
            expect(k.nodesOf(stripe)[2], 'the layout names the node again').to.equal(drained);
          },
        ],
        [
          'the held delete arrives (3 s after it was sent): refused, the copy stays',
          async () => {
            await k.world.runUntil(k.world.scheduler.nowMs + 3500);
            const history = await k.world.nodes
              .get(drained)!
              .store.history({ volume: 'sim', stripe, index: 2 });
            expect(history, 'the parity is still on the node the layout names').to.not.deep.equal(
              [],
            );
          },
        ],
        [
          'X reads back, and every invariant holds (the parity decodes where the map says it is)',
          async () => {
            expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([x.id]));
          },
        ],
      ]);
      await expectAllInvariants(k);
    });
  });
});

/** The stripe the predicate of findStripe is looking at (its owner and nodes identify it). */
/**
 * w0 writes block 0 of `stripe` again with its parity held 30 ms; meanwhile each writer of
 * `writers` sends a whole block (writer id, block), so that they queue together behind it and
 * the owner carries them in one update; of that update, the owner's `lost` calls (a store
 * method and a fragment) are dropped. Resolves with w0's write, then the writers' in order.
 */
async function queuedTogether(
  k: Kit,
  stripe: number,
  writers: [[string, number], [string, number]],
  lost: [string, number][],
): Promise<[WriteRecord, WriteRecord, WriteRecord]> {
  const owner = k.ownerOf(stripe);
  const seq =
    1 +
    Math.max(
      0,
      ...[...k.work.history.writes.values()]
        .filter((write) => write.writerId === 'w0')
        .map((write) => write.writerSeq),
    );
  const send = ([writer, block]: [string, number]): Promise<WriteRecord> =>
    k.work.write(writer, 1, k.block(stripe, block), { attemptsMax: 1 });
  k.hold((call) => call.from === owner && call.kind === 'applyParity', 30);
  const pending = Promise.all([
    k.work.write('w0', seq, k.block(stripe, 0), { attemptsMax: 1 }),
    send(writers[0]),
    send(writers[1]),
  ]);
  // w0's writes have left the owner; the others wait behind it in one batch.
  await k.world.runUntil(k.world.scheduler.nowMs + 5);
  for (const [kind, index] of lost)
    k.onCall((call) => call.from === owner && call.kind === kind && call.fragment?.index === index);
  return k.drive(pending);
}

function stripeOf(k: Kit, owner: string, nodes: string[]): number {
  for (let stripe = 0; stripe < 8; stripe++)
    if (k.ownerOf(stripe) === owner && k.nodesOf(stripe).join() === nodes.join()) return stripe;
  return 0;
}

/** How many versions of a data fragment's history carry the writer's event (on its node's store). */
async function stampsOf(
  k: Kit,
  stripe: number,
  index: number,
  writerId: string,
  writerSeq: number,
): Promise<number> {
  const node = k.world.nodes.get(k.nodesOf(stripe)[index]!)!;
  const history = await node.store.history({ volume: 'sim', stripe, index });
  return history.filter(
    (entry) => entry.writer?.writerId === writerId && entry.writer.writerSeq === writerSeq,
  ).length;
}

/** What parityHeldUpdate left: the stripe, its owner, the node that is down, and U. */
interface ParityHeld {
  stripe: number;
  owner: string;
  down: string;
  u: WriteRecord;
}

/**
 * RS(4,2): on a stripe that keeps its owner while data fragment 0's node is out, that node
 * crashes and is declared down; U writes block 0, acknowledged by the five others with no mark,
 * so the parities alone hold it; V writes blocks 1 to 3 in one update, which data fragments 1 and
 * 2 lose: data fragment 3 and both parities take it, and its outcome is unknown.
 */
async function parityHeldUpdate(k: Kit): Promise<ParityHeld> {
  const stripe = k.findStripe(
    (who, nodes, at) => nodes[0] !== who && k.ownerWithout(at, nodes[0]!) === who,
  );
  const owner = k.ownerOf(stripe);
  const down = k.nodesOf(stripe)[0]!;
  k.world.crash(down);
  await k.declare(down, 'down');
  expect(k.ownerOf(stripe), 'the owner with the node down').to.equal(owner);
  const u = await k.write('w0', 1, k.block(stripe, 0), { attemptsMax: 3 });
  expect(u.outcome, 'U').to.equal('acked');
  for (const index of [1, 2]) k.lose(owner, 'writeData', index);
  const from = k.block(stripe, 1);
  const v = await k.write('w1', 1, { cell: from.cell, cells: 3 * from.cells });
  expect(v.outcome, 'V').to.equal('unknown');
  return { stripe, owner, down, u };
}

/** What the retry-after-failover scenarios share between their steps. */
interface Landing {
  stripe: number;
  owner: string;
  x?: WriteRecord;
}

function landing(): Landing {
  return { stripe: 0, owner: '' };
}

/**
 * The steps both retry-after-failover scenarios start with: on a stripe whose owner holds no data
 * fragment (so its crash hides none), the owner recovers it with a first write; then w1's X lands
 * on every fragment, but the owner crashes as it confirms its ownership, before replying.
 */
function xLandsThenOwnerCrashes(k: Kit, at: Landing): [string, () => Promise<void> | void][] {
  return [
    [
      'pick a stripe whose owner holds no data fragment',
      () => {
        at.stripe = k.findStripe((who, nodes) => !nodes.slice(0, 2).includes(who));
        at.owner = k.ownerOf(at.stripe);
      },
    ],
    [
      'w0 writes the stripe first, so that its owner has recovered it',
      async () => {
        expect((await k.write('w0', 1, k.block(at.stripe, 0))).outcome).to.equal('acked');
      },
    ],
    [
      'w1 writes X; it lands everywhere, but the owner crashes as it confirms its ownership',
      async () => {
        k.onCall(
          (call) => call.from === at.owner && call.kind === 'confirm',
          () => k.world.crash(at.owner),
        );
        at.x = await k.write('w1', 1, k.block(at.stripe, 0));
        expect(at.x.outcome).to.equal('unknown');
        expect(await stampsOf(k, at.stripe, 0, 'w1', 1)).to.equal(1);
      },
    ],
  ];
}
