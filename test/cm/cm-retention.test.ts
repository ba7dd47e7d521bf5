// Proves, as a scenario on the simulated cluster, what a writer's late retry meets once the
// retention sweep has folded its write's version into the fragments' bases: the retry is neither
// applied again (its bytes would go back over every later write) nor called landed (a rolled-back
// write folded the same way looks alike); it is "outcome unknown". Found by `tessera sim cluster
// --seed 1487 --retention-ms 0`, where the retry was applied again and a read went back in time.
import { expect } from 'chai';
import type { WriteRecord } from '../../simulations/cm/cm-workload.js';
import { expectAllInvariants, kit, steps } from './scenario-kit.js';

describe('cm: retries after the retention sweep', () => {
  it('a retry of a write folded into the bases is outcome unknown, and changes nothing', async () => {
    const k = await kit(3);
    let stripe = 0;
    let owner = '';
    let x!: WriteRecord;
    let y!: WriteRecord;
    let z!: WriteRecord;
    /** w1 sends `record` again: outcome unknown, and the block still reads Z. */
    const expectLateRetryUnknown = async (seq: number, record: WriteRecord): Promise<void> => {
      const retried = await k.write('w1', seq, k.block(stripe, 0), {
        again: record,
        attemptsMax: 3,
      });
      expect(retried.outcome).to.equal('unknown');
      expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([z.id]));
    };
    await steps([
      [
        'pick a stripe whose owner holds no fragment',
        () => {
          stripe = k.findStripe((who, nodes) => !nodes.includes(who));
          owner = k.ownerOf(stripe);
        },
      ],
      [
        'w1 writes X; then Y, whose owner dies as it confirms its ownership, before the ack',
        async () => {
          x = await k.write('w1', 1, k.block(stripe, 0));
          expect(x.outcome, 'X').to.equal('acked');
          const hit = k.onCall(
            (call) => call.from === owner && call.kind === 'confirm',
            () => k.world.crash(owner),
          );
          y = await k.write('w1', 2, k.block(stripe, 0));
          expect(hit.happened(), 'the crash point was reached').to.equal(true);
          expect(y.outcome, 'Y').to.equal('unknown');
        },
      ],
      [
        'the old owner is declared down; the next owner finds Y on every fragment and keeps it',
        async () => {
          await k.declare(owner, 'down');
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([y.id]));
        },
      ],
      [
        'w2 writes Z over the same block',
        async () => {
          z = await k.write('w2', 1, k.block(stripe, 0), { attemptsMax: 3 });
          expect(z.outcome).to.equal('acked');
        },
      ],
      [
        'the retention sweep folds every fragment of the stripe (its horizon past every write)',
        async () => {
          expect(await k.foldStripe(stripe)).to.be.greaterThan(0);
        },
      ],
      [
        "w1's late retry of Y is outcome unknown, and the block still reads Z",
        () => expectLateRetryUnknown(2, y),
      ],
      [
        // The base names each writer once, with its highest sequence folded (Y's): X, below it,
        // may have been folded too, and a late duplicate of it must not go back over Z either.
        'a late duplicate of X, below the highest sequence of w1 folded, is outcome unknown too',
        () => expectLateRetryUnknown(1, x),
      ],
    ]);
    await expectAllInvariants(k);
  });
});
