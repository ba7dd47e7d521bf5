// Proves that a fragment's history reads back every past version exactly (whole or any range),
// without replaying deltas, for random sequences of partial writes, and that folding history
// older than a horizon keeps every later version and the base exact and drops only what it must.
import { expect } from 'chai';
import fc from 'fast-check';
import { VersionNotFoundError } from '../../node/store/errors.js';
import type { Level } from '../../node/store/fragment-store.js';
import { decodeBase, encodeBase, keys } from '../../node/store/store-codec.js';
import { digestOf } from '../../node/store/store-requests.js';
import { mayBeFolded, VERSION_ZERO } from '../../node/store/version.js';
import { BACKENDS, BLOCK, dataWrite, filled, v } from './store-fixtures.js';

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

    it("keeps a folded parity version's registry with the base, and its bytes readable at that version", async () => {
      const opened = await backend.open();
      try {
        const { store } = opened;
        const parity = { ...F, index: 5 };
        const registryAt = (seq: number) => Array.from({ length: 6 }, () => v(1, seq));
        for (let seq = 1; seq <= 3; seq++) {
          const delta = new Uint8Array(16).fill(seq);
          await store.applyParity({
            fragment: parity,
            blockBytes: BLOCK,
            expected: seq === 1 ? VERSION_ZERO : v(1, seq - 1),
            next: v(1, seq),
            writer: { writerId: 'w', writerSeq: seq, part: 0, parts: 1, eventTimeMs: seq },
            offset: 0,
            delta,
            coefficient: 1,
            registry: registryAt(seq),
            digest: digestOf(delta),
          });
        }
        const atTwo = await store.readVersion(parity, BLOCK, v(1, 2));
        await store.markSettled(parity, BLOCK, v(1, 2));
        expect(await store.fold(parity, BLOCK, Number.MAX_SAFE_INTEGER)).to.equal(2);
        const [base] = await store.history(parity);
        // A recovery that steps this parity back below 1.3 reads the base as version 1.2: it
        // needs the registry 1.2 was written with, and its bytes.
        expect(base).to.deep.include({ kind: 'base', version: v(1, 2), registry: registryAt(2) });
        expect(await store.readVersion(parity, BLOCK, v(1, 2))).to.deep.equal(atTwo);
      } finally {
        await opened.cleanup();
      }
    });

    it('names each writer folded into the base once, with its highest sequence, across folds and from bases that named every write', async () => {
      const opened = await backend.open();
      try {
        const write = (seq: number, writerId: string, writerSeq: number) => {
          const request = dataWrite(
            F,
            seq === 1 ? VERSION_ZERO : v(1, seq - 1),
            v(1, seq),
            0,
            filled(8, seq),
          );
          return opened.store.writeData({
            ...request,
            writer: { ...request.writer, writerId, writerSeq },
          });
        };
        for (let seq = 1; seq <= 3; seq++) await write(seq, 'writer-a', seq);
        await write(4, 'writer-b', 7);
        await opened.store.markSettled(F, BLOCK, v(1, 2));
        expect(await opened.store.fold(F, BLOCK, Number.MAX_SAFE_INTEGER)).to.equal(2);
        expect((await opened.store.history(F))[0]?.foldedWriters).to.deep.equal([
          { writerId: 'writer-a', writerSeq: 2 },
        ]);
        await opened.store.markSettled(F, BLOCK, v(1, 4));
        expect(await opened.store.fold(F, BLOCK, Number.MAX_SAFE_INTEGER)).to.equal(2);
        const folded = (await opened.store.history(F))[0]?.foldedWriters ?? [];
        expect(folded).to.deep.equal([
          { writerId: 'writer-a', writerSeq: 3 },
          { writerId: 'writer-b', writerSeq: 7 },
        ]);
        // A retry at or below a writer's highest folded sequence may have been folded.
        expect(mayBeFolded(folded, { writerId: 'writer-a', writerSeq: 1 })).to.equal(true);
        expect(mayBeFolded(folded, { writerId: 'writer-b', writerSeq: 7 })).to.equal(true);
        expect(mayBeFolded(folded, { writerId: 'writer-b', writerSeq: 8 })).to.equal(false);
        expect(mayBeFolded(folded, { writerId: 'writer-c', writerSeq: 1 })).to.equal(false);

        // A base as stores folded them before: every write part by name, writer ids with colons.
        const db = (opened.store as unknown as { db: Level }).db;
        const { header, bytes } = decodeBase((await db.get(keys.base(F)))!, 'F');
        const { payloadCrc: _payloadCrc, folded: _folded, ...rest } = header;
        const writers = ['host:1:9:0', 'host:1:4:1', 'writer-a:12:0', 'writer-a:3:0'];
        await db.batch(
          [{ type: 'put', key: keys.base(F), value: encodeBase({ ...rest, writers }, bytes) }],
          {
            sync: true,
          },
        );
        const store = await opened.reopen();
        const named = [
          { writerId: 'host:1', writerSeq: 9 },
          { writerId: 'writer-a', writerSeq: 12 },
        ];
        expect((await store.history(F))[0]?.foldedWriters).to.deep.equal(named);
        // The next fold writes the new form: one name a writer, the older names merged in.
        const request = dataWrite(F, v(1, 4), v(1, 5), 0, filled(8, 5));
        await store.writeData({
          ...request,
          writer: { ...request.writer, writerId: 'writer-b', writerSeq: 8 },
        });
        await store.markSettled(F, BLOCK, v(1, 5));
        expect(await store.fold(F, BLOCK, Number.MAX_SAFE_INTEGER)).to.equal(1);
        expect((await store.history(F))[0]?.foldedWriters).to.deep.equal([
          ...named,
          { writerId: 'writer-b', writerSeq: 8 },
        ]);
        const reopened = (store as unknown as { db: Level }).db;
        const rewritten = decodeBase((await reopened.get(keys.base(F)))!, 'F').header;
        expect(rewritten.writers).to.equal(undefined);
        expect(rewritten.folded).to.have.length(3);
      } finally {
        await opened.cleanup();
      }
    });
  });
}
