// Proves that a fragment's history reads back every past version exactly (whole or any range),
// without replaying deltas, for random sequences of partial writes, and that folding history
// older than a horizon keeps every later version and the base exact and drops only what it must.
import { expect } from 'chai';
import fc from 'fast-check';
import { VersionNotFoundError } from '../../node/store/errors.js';
import { VERSION_ZERO } from '../../node/store/version.js';
import { BACKENDS, BLOCK, dataWrite, v } from './store-fixtures.js';

const F = { volume: 'history', stripe: 3, index: 1 };

const writes = fc.array(
  fc.record({
    offset: fc.nat(BLOCK - 1),
    length: fc.integer({ min: 1, max: 6000 }),
    fill: fc.integer({ min: 1, max: 255 }),
  }),
  { minLength: 1, maxLength: 25 },
);

for (const backend of BACKENDS) {
  describe(`store: history on ${backend.name}`, () => {
    it('reads every version exactly, and after a fold every version above the horizon and the base', async () => {
      await fc.assert(
        fc.asyncProperty(writes, fc.nat(), fc.nat(BLOCK - 1), async (sequence, foldAt, probe) => {
          const opened = await backend.open();
          try {
            const { store } = opened;
            const states: Uint8Array[] = [new Uint8Array(BLOCK)];
            for (const [i, write] of sequence.entries()) {
              const length = Math.min(write.length, BLOCK - write.offset);
              const bytes = new Uint8Array(length).map((_, j) => (write.fill + j) & 255);
              const outcome = await store.writeData(
                dataWrite(F, i === 0 ? VERSION_ZERO : v(1, i), v(1, i + 1), write.offset, bytes),
              );
              expect(outcome.ok).to.equal(true);
              const state = Uint8Array.from(states[i]!);
              state.set(bytes, write.offset);
              states.push(state);
            }
            const last = sequence.length;
            for (let seq = 1; seq <= last; seq++) {
              expect(await store.readVersion(F, BLOCK, v(1, seq)), `version ${seq}`).to.deep.equal(
                states[seq],
              );
              const length = Math.min(777, BLOCK - probe);
              expect(await store.readVersion(F, BLOCK, v(1, seq), probe, length)).to.deep.equal(
                states[seq]!.subarray(probe, probe + length),
              );
            }
            // Fold everything written before the horizon (event time 1000·seq) that is settled.
            await store.markSettled(F, BLOCK, v(1, last));
            const foldTo = foldAt % (last + 1);
            const folded = await store.fold(F, BLOCK, 1000 * foldTo + 1);
            expect(folded).to.equal(foldTo);
            for (let seq = 1; seq <= last; seq++) {
              if (seq < foldTo) {
                const error = await store.readVersion(F, BLOCK, v(1, seq)).then(
                  () => undefined,
                  (caught: unknown) => caught,
                );
                expect(error, `version ${seq} was folded`).to.be.instanceOf(VersionNotFoundError);
              } else {
                expect(
                  await store.readVersion(F, BLOCK, v(1, seq)),
                  `version ${seq} after fold`,
                ).to.deep.equal(states[seq]);
              }
            }
            expect((await store.read(F, BLOCK)).bytes).to.deep.equal(states[last]);
            const history = await store.history(F);
            expect(history.map((entry) => entry.version.seq)).to.deep.equal(
              foldTo === 0
                ? states.slice(1).map((_, i) => i + 1)
                : Array.from({ length: last - foldTo + 1 }, (_, i) => foldTo + i),
            );
          } finally {
            await opened.cleanup();
          }
        }),
        { numRuns: backend.name === 'memory-level' ? 60 : 15 },
      );
    });

    it('folds only settled versions', async () => {
      const opened = await backend.open();
      try {
        const { store } = opened;
        for (let seq = 1; seq <= 4; seq++) {
          await store.writeData(
            dataWrite(
              F,
              seq === 1 ? VERSION_ZERO : v(1, seq - 1),
              v(1, seq),
              seq * 10,
              new Uint8Array(10).fill(seq),
            ),
          );
        }
        await store.markSettled(F, BLOCK, v(1, 2));
        expect(await store.fold(F, BLOCK, Number.MAX_SAFE_INTEGER)).to.equal(2);
        expect(
          (await store.history(F)).map((entry) => [entry.kind, entry.version.seq]),
        ).to.deep.equal([
          ['base', 2],
          ['data', 3],
          ['data', 4],
        ]);
      } finally {
        await opened.cleanup();
      }
    });
  });
}
