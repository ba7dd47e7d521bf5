// Proves that the retention sweep folds, across every fragment of a store, exactly the settled
// history older than the window, and leaves newer versions readable.
import { expect } from 'chai';
import { VersionNotFoundError } from '../../node/store/errors.js';
import { sweepRetention } from '../../node/store/retention.js';
import { VERSION_ZERO } from '../../node/store/version.js';
import { BACKENDS, BLOCK, dataWrite, filled, v } from './store-fixtures.js';

describe('store: retention sweep', () => {
  it('folds settled versions older than the horizon in every fragment, and nothing newer', async () => {
    const opened = await BACKENDS[0]!.open();
    try {
      const { store } = opened;
      for (let stripe = 0; stripe < 5; stripe++) {
        const fragment = { volume: 'retained', stripe, index: 0 };
        for (let seq = 1; seq <= 6; seq++) {
          // dataWrite stamps event time 1000 · seq.
          await store.writeData(
            dataWrite(
              fragment,
              seq === 1 ? VERSION_ZERO : v(1, seq - 1),
              v(1, seq),
              seq,
              filled(8, seq),
            ),
          );
        }
        if (stripe !== 4) await store.markSettled(fragment, BLOCK, v(1, 6)); // stripe 4: nothing settled
      }
      const report = await sweepRetention(store, 3500); // versions 1, 2 and 3 are older
      expect(report).to.deep.equal({ fragments: 5, versionsFolded: 4 * 3 });
      const folded = { volume: 'retained', stripe: 0, index: 0 };
      const gone = await store.readVersion(folded, BLOCK, v(1, 2)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(gone).to.be.instanceOf(VersionNotFoundError);
      expect((await store.readVersion(folded, BLOCK, v(1, 4), 0, 12))[4]).to.equal(4);
      expect(
        (await store.history({ volume: 'retained', stripe: 4, index: 0 })).length,
        'unsettled history stays',
      ).to.equal(6);
    } finally {
      await opened.cleanup();
    }
  });
});
