// Proves that a fragment's history moves with it: exported from one store and imported into
// another, every version reads back exactly as it did (property), aborted versions are left out
// with whatever reads from them, a bad export changes nothing, and a moved fragment's source is
// deleted only at exactly the version its mover saw and only by an owner the fence lets in; a
// fragment deleted and imported again is written over with the bytes imported, never with what
// the store's record cache held of the version before.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ChecksumMismatchError,
  InvalidRequestError,
  VersionNotFoundError,
} from '../../node/store/errors.js';
import type { FragmentStore } from '../../node/store/fragment-store.js';
import { decodeRecord, encodeRecord } from '../../node/store/store-codec.js';
import { VERSION_ZERO, type Version } from '../../node/store/version.js';
import { BACKENDS, BLOCK, dataWrite, filled, v } from './store-fixtures.js';

const F = { volume: 'moves', stripe: 5, index: 2 };
const [memory, segments] = [BACKENDS[0]!, BACKENDS[1]!];

/** Writes `length` bytes of `fill` at `offset` as version (1, seq) over (1, seq - 1). */
async function write(
  store: FragmentStore,
  seq: number,
  offset: number,
  length: number,
  fill: number,
): Promise<void> {
  const expected = seq === 1 ? VERSION_ZERO : v(1, seq - 1);
  const outcome = await store.writeData(
    dataWrite(F, expected, v(1, seq), offset, filled(length, fill)),
  );
  expect(outcome.ok, `write ${seq}`).to.equal(true);
}

async function everyVersion(store: FragmentStore): Promise<[Version, Uint8Array][]> {
  const versions: [Version, Uint8Array][] = [];
  for (const entry of await store.history(F))
    versions.push([entry.version, await store.readVersion(F, BLOCK, entry.version)]);
  return versions;
}

describe('store: a fragment moves with its history', function () {
  this.timeout(120_000);

  for (const [from, to] of [
    [memory, memory],
    [segments, memory],
  ] as const)
    it(`copies every version exactly, folded history included (${from.name} to ${to.name}, property)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              offset: fc.nat(BLOCK - 1),
              length: fc.integer({ min: 1, max: 6000 }),
              fill: fc.integer({ min: 1, max: 255 }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
          fc.option(fc.nat(13_000)),
          async (writes, foldAt) => {
            const [source, target] = [await from.open(), await to.open()];
            try {
              for (const [i, w] of writes.entries())
                await write(
                  source.store,
                  i + 1,
                  w.offset,
                  Math.min(w.length, BLOCK - w.offset),
                  w.fill,
                );
              if (foldAt !== null) {
                await source.store.markSettled(F, BLOCK, v(1, writes.length));
                await source.store.fold(F, BLOCK, foldAt);
              }
              const exported = await source.store.exportHistory(F, BLOCK);
              const outcome = await target.store.importHistory(F, BLOCK, exported, 1);
              expect(outcome).to.deep.include({ ok: true, version: v(1, writes.length) });
              expect(await target.store.history(F)).to.deep.equal(await source.store.history(F));
              expect(await everyVersion(target.store)).to.deep.equal(
                await everyVersion(source.store),
              );
              expect(await target.store.read(F, BLOCK)).to.deep.equal(
                await source.store.read(F, BLOCK),
              );
              // The copy goes on from where the source was.
              const next = await target.store.writeData(
                dataWrite(F, v(1, writes.length), v(1, writes.length + 1), 0, filled(10, 1)),
              );
              expect(next.ok).to.equal(true);
            } finally {
              await source.cleanup();
              await target.cleanup();
            }
          },
        ),
        { numRuns: from === memory ? 60 : 15 },
      );
    });

  it('leaves out aborted versions and every version that reads from them, and refuses when the current one does', async () => {
    const source = await memory.open();
    const target = await memory.open();
    try {
      await write(source.store, 1, 0, BLOCK, 0x11); // whole
      await write(source.store, 2, 0, 100, 0x22); // reads [100, BLOCK) from version 1
      await write(source.store, 3, 0, BLOCK, 0x33); // whole again: reads nothing older
      await write(source.store, 4, 50, 10, 0x44); // reads from 3
      const exported = await source.store.exportHistory(F, BLOCK, [v(1, 1)]);
      expect((await target.store.importHistory(F, BLOCK, exported, 1)).ok).to.equal(true);
      expect((await target.store.history(F)).map((entry) => entry.version)).to.deep.equal([
        v(1, 3),
        v(1, 4),
      ]);
      const gone = await target.store.readVersion(F, BLOCK, v(1, 2)).catch((e: unknown) => e);
      expect(gone).to.be.instanceOf(VersionNotFoundError);
      expect(await target.store.readVersion(F, BLOCK, v(1, 4))).to.deep.equal(
        await source.store.readVersion(F, BLOCK, v(1, 4)),
      );
      const refused = await source.store
        .exportHistory(F, BLOCK, [v(1, 3)])
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(InvalidRequestError);
      expect((refused as InvalidRequestError).field).to.equal('skip');
      expect((refused as Error).message).to.match(
        /current version 1\.4 reads bytes of version 1\.3/,
      );
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });

  it('refuses an import over a fragment that has a version, or past a newer fence, changing nothing', async () => {
    const source = await memory.open();
    const target = await memory.open();
    try {
      await write(source.store, 1, 0, BLOCK, 0x11);
      const exported = await source.store.exportHistory(F, BLOCK);
      const other = { ...F, index: 3 }; // no version here, but the stripe is fenced
      await target.store.fence(F.volume, F.stripe, 5);
      expect(await target.store.importHistory(other, BLOCK, exported, 4)).to.deep.include({
        ok: false,
        reason: 'fenced',
      });
      expect(await target.store.history(other)).to.deep.equal([]);
      await target.store.writeData(dataWrite(F, VERSION_ZERO, v(5, 1), 0, filled(10, 0x55)));
      expect(await target.store.importHistory(F, BLOCK, exported, 5)).to.deep.include({
        ok: false,
        reason: 'ahead',
      });
      expect((await target.store.read(F, BLOCK, 0, 10)).bytes).to.deep.equal(filled(10, 0x55));
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });

  it('refuses a damaged or incomplete export before writing anything', async () => {
    const source = await memory.open();
    const target = await memory.open();
    try {
      await write(source.store, 1, 0, BLOCK, 0x11);
      await write(source.store, 2, 10, 20, 0x22);
      const exported = await source.store.exportHistory(F, BLOCK);
      const damaged = Uint8Array.from(exported.records[0]!);
      damaged[damaged.length - 1]! ^= 0x01;
      const checksum = await target.store
        .importHistory(F, BLOCK, { ...exported, records: [damaged, exported.records[1]!] }, 1)
        .catch((e: unknown) => e);
      expect(checksum).to.be.instanceOf(ChecksumMismatchError);
      const missing = await target.store
        .importHistory(F, BLOCK, { ...exported, records: [exported.records[1]!] }, 1)
        .catch((e: unknown) => e);
      expect(missing).to.be.instanceOf(InvalidRequestError);
      expect((missing as Error).message).to.match(/version 1\.1, which is not in the history/);
      // A record whose header was altered with its checksum recomputed is still checked against the index.
      const { header, bytes } = decodeRecord(exported.records[1]!, 'x');
      const moved = encodeRecord({ ...header, version: v(1, 9) }, bytes);
      const inconsistent = await target.store
        .importHistory(F, BLOCK, { ...exported, records: [exported.records[0]!, moved] }, 1)
        .catch((e: unknown) => e);
      expect(inconsistent).to.be.instanceOf(InvalidRequestError);
      expect(await target.store.history(F)).to.deep.equal([]);
      expect((await target.store.read(F, BLOCK)).version).to.deep.equal(VERSION_ZERO);
    } finally {
      await source.cleanup();
      await target.cleanup();
    }
  });

  for (const backend of [memory, segments])
    it(`deletes a moved source only at exactly the version seen and under no newer fence (${backend.name})`, async () => {
      const opened = await backend.open();
      try {
        const { store } = opened;
        await write(store, 1, 0, BLOCK, 0x11);
        await write(store, 2, 0, 10, 0x22);
        // A later move fenced this store at (3, 5): a delete stamped below it arrives late.
        await store.fence(F.volume, F.stripe, 3, 5);
        expect(await store.deleteFragment(F, BLOCK, v(1, 1), v(3, 5))).to.deep.include({
          ok: false,
          reason: 'ahead',
        });
        expect(await store.deleteFragment(F, BLOCK, v(1, 3), v(3, 5))).to.deep.include({
          ok: false,
          reason: 'behind',
        });
        expect(await store.deleteFragment(F, BLOCK, v(1, 2), v(3, 4))).to.deep.include({
          ok: false,
          reason: 'fenced',
        });
        expect(await store.deleteFragment(F, BLOCK, v(1, 2), v(2, 9))).to.deep.include({
          ok: false,
          reason: 'fenced',
        });
        expect((await store.history(F)).length).to.equal(2);
        expect(await store.deleteFragment(F, BLOCK, v(1, 2), v(3, 5))).to.deep.include({
          ok: true,
        });
        const store2 = await opened.reopen();
        expect(await store2.history(F)).to.deep.equal([]);
        expect(await store2.read(F, BLOCK)).to.deep.include({ version: VERSION_ZERO });
        expect(await store2.fenceEpoch(F.volume, F.stripe), 'the stripe stays fenced').to.equal(3);
      } finally {
        await opened.cleanup();
      }
    });

  it('writes over a fragment imported at a version it held before with the imported bytes, not the cached ones', async () => {
    const [here, elsewhere] = [await segments.open(), await memory.open()];
    try {
      // Here: version (1, 1) of 0x11, cached by the write; deleted (moved away).
      await write(here.store, 1, 0, BLOCK, 0x11);
      expect((await here.store.deleteFragment(F, BLOCK, v(1, 1), v(1, 2))).ok).to.equal(true);
      // Elsewhere the same version key holds other bytes; their history comes back here.
      await write(elsewhere.store, 1, 0, BLOCK, 0x33);
      const exported = await elsewhere.store.exportHistory(F, BLOCK);
      expect((await here.store.importHistory(F, BLOCK, exported, 1)).ok).to.equal(true);
      const outcome = await here.store.writeData(
        dataWrite(F, v(1, 1), v(1, 2), 0, filled(8, 0x01)),
      );
      expect(outcome.ok && outcome.delta, 'old xor new, old as imported').to.deep.equal(
        filled(8, 0x33 ^ 0x01),
      );
    } finally {
      await here.cleanup();
      await elsewhere.cleanup();
    }
  });
});
