// Proves the fragment store's contract from DESIGN.md's write path, step 1, on LevelDB and on the
// in-memory backend: exact expected versions, idempotent repeats, refused conflicting stamps,
// durable per-stripe fences, parity deltas, checksums that refuse to return bad bytes, a quota
// that refuses writes but keeps reads, and group commit.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { gfMul, ReedSolomon } from '../../erasure/index.js';
import {
  ChecksumMismatchError,
  InvalidRequestError,
  StoreFullError,
} from '../../node/store/errors.js';
import type { Level } from '../../node/store/fragment-store.js';
import { decodeRecord, encodeRecord, keys } from '../../node/store/store-codec.js';
import { digestOf } from '../../node/store/store-requests.js';
import { VERSION_ZERO } from '../../node/store/version.js';
import { BACKENDS, BLOCK, dataWrite, filled, v } from './store-fixtures.js';

const A = { volume: 'vol-1', stripe: 7, index: 0 };

for (const backend of BACKENDS) {
  describe(`store: fragment store on ${backend.name}`, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    beforeEach(async () => {
      opened = await backend.open();
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it('applies a write at the expected version, returns old xor new, and reads back', async () => {
      const { store } = opened;
      const first = await store.writeData(
        dataWrite(A, VERSION_ZERO, v(1, 1), 100, filled(5000, 0x11)),
      );
      expect(first).to.deep.include({ ok: true, version: v(1, 1), repeated: false });
      if (!first.ok) return;
      expect(first.delta).to.deep.equal(filled(5000, 0x11)); // old bytes were zero
      const second = await store.writeData(dataWrite(A, v(1, 1), v(1, 2), 3000, filled(10, 0x33)));
      expect(second.ok && second.delta).to.deep.equal(filled(10, 0x11 ^ 0x33));
      const read = await store.read(A, BLOCK);
      expect(read.version).to.deep.equal(v(1, 2));
      const expected = new Uint8Array(BLOCK);
      expected.fill(0x11, 100, 5100);
      expected.fill(0x33, 3000, 3010);
      expect(read.bytes).to.deep.equal(expected);
      expect((await store.read(A, BLOCK, 3005, 10)).bytes).to.deep.equal(
        Uint8Array.of(0x33, 0x33, 0x33, 0x33, 0x33, 0x11, 0x11, 0x11, 0x11, 0x11),
      );
    });

    it("keeps a small write's bytes apart from the larger buffer they are a view of", async () => {
      const { store } = opened;
      // Like a 4 KiB write's bytes inside a 64 KiB socket chunk: the record must not keep the
      // chunk, so a later change of the chunk's memory changes nothing stored.
      const chunk = filled(64 * 1024, 0x11);
      const bytes = chunk.subarray(1000, 1000 + 4096);
      expect((await store.writeData(dataWrite(A, VERSION_ZERO, v(1, 1), 0, bytes))).ok).to.equal(
        true,
      );
      chunk.fill(0x77);
      // The next write's delta is computed from the old bytes (through the record cache).
      const next = await store.writeData(dataWrite(A, v(1, 1), v(1, 2), 0, filled(4096, 0x33)));
      expect(next.ok && next.delta).to.deep.equal(filled(4096, 0x11 ^ 0x33));
      expect((await store.read(A, BLOCK, 0, 4096)).bytes).to.deep.equal(filled(4096, 0x33));
    });

    it('keeps the registry of an update that wrote several data fragments with that version alone, after a restart too', async () => {
      let { store } = opened;
      const registry = [v(1, 1), v(1, 1), v(1, 1), v(1, 1)];
      const merged = await store.writeData({
        ...dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(64, 1)),
        registry,
      });
      expect(merged.ok).to.equal(true);
      expect((await store.read(A, BLOCK)).registry).to.deep.equal(registry);
      store = await opened.reopen();
      expect((await store.read(A, BLOCK)).registry).to.deep.equal(registry);
      // An update of this fragment alone names no other: the registry goes with its version.
      await store.writeData(dataWrite(A, v(1, 1), v(1, 2), 0, filled(64, 2)));
      expect((await store.read(A, BLOCK)).registry).to.equal(null);
      const bad = await store
        .writeData({ ...dataWrite(A, v(1, 2), v(1, 3), 0, filled(4, 3)), registry: [v(1, 3)] })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(bad).to.be.instanceOf(InvalidRequestError);
      expect((bad as InvalidRequestError).field).to.equal('registry');
      expect((await store.read(A, BLOCK)).version).to.deep.equal(v(1, 2));
    });

    it("refuses a write whose expected version is not the fragment's, saying behind or ahead, and changes nothing", async () => {
      const { store } = opened;
      await store.writeData(dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(10, 1)));
      const behind = await store.writeData(dataWrite(A, v(1, 5), v(1, 6), 0, filled(10, 2)));
      expect(behind).to.deep.equal({
        ok: false,
        reason: 'behind',
        current: v(1, 1),
        fenceEpoch: 0,
      });
      const ahead = await store.writeData(dataWrite(A, VERSION_ZERO, v(1, 2), 0, filled(10, 3)));
      expect(ahead).to.deep.include({ ok: false, reason: 'ahead' });
      expect((await store.read(A, BLOCK, 0, 10)).bytes).to.deep.equal(filled(10, 1));
      expect((await store.history(A)).map((entry) => entry.version)).to.deep.equal([v(1, 1)]);
      // A data write of one fragment's update has no registry to keep.
      expect((await store.history(A))[0]).to.not.have.property('registry');
    });

    it('answers a repeated stamp with the recorded delta, even after later writes, and refuses the same stamp with other bytes', async () => {
      const { store } = opened;
      const write = dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(64, 9));
      const first = await store.writeData(write);
      await store.writeData(dataWrite(A, v(1, 1), v(1, 2), 0, filled(64, 4)));
      const again = await store.writeData(write);
      expect(again).to.deep.include({ ok: true, version: v(1, 1), repeated: true });
      expect(again.ok && first.ok && again.delta).to.deep.equal(first.ok && first.delta);
      const conflict = await store.writeData(dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(64, 8)));
      expect(conflict).to.deep.include({ ok: false, reason: 'stamp_conflict' });
      expect((await store.read(A, BLOCK, 0, 64)).bytes).to.deep.equal(filled(64, 4));
    });

    it('recognises a repeat of a version recorded with a SHA-256 digest (as stores kept them before CRC32C digests), and refuses other bytes under its stamp', async () => {
      const bytes = filled(64, 9);
      const write = dataWrite(A, VERSION_ZERO, v(1, 1), 0, bytes);
      expect(write.digest).to.match(/^[0-9a-f]{8}$/);
      expect((await opened.store.writeData(write)).ok).to.equal(true);
      // Give the record the digest an older store wrote, behind the store's back; a restart
      // empties the record cache, so that the record is read as it is on disk.
      const db = (opened.store as unknown as { db: Level }).db;
      const recorded = decodeRecord((await db.get(keys.record(A, v(1, 1))))!, 'A');
      const { payloadCrc: _payloadCrc, ...header } = recorded.header;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await db.batch(
        [
          {
            type: 'put',
            key: keys.record(A, v(1, 1)),
            value: encodeRecord({ ...header, digest: sha256 }, recorded.bytes),
          },
        ],
        { sync: true },
      );
      const store = await opened.reopen();
      const again = await store.writeData(write);
      expect(again).to.deep.include({ ok: true, version: v(1, 1), repeated: true });
      expect(again.ok && again.delta).to.deep.equal(bytes);
      const other = await store.writeData(dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(64, 8)));
      expect(other).to.deep.include({ ok: false, reason: 'stamp_conflict' });
      expect((await store.read(A, BLOCK, 0, 64)).bytes).to.deep.equal(bytes);
    });

    it('fences a stripe durably: older ownership epochs are refused, after a restart too, and a fence never moves back', async () => {
      expect(await opened.store.fence('vol-1', 7, 5)).to.equal(5);
      expect(await opened.store.fence('vol-1', 7, 3)).to.equal(5);
      const store = await opened.reopen();
      const refused = await store.writeData(dataWrite(A, VERSION_ZERO, v(4, 1), 0, filled(8, 1)));
      expect(refused).to.deep.equal({
        ok: false,
        reason: 'fenced',
        current: VERSION_ZERO,
        fenceEpoch: 5,
      });
      const other = await store.writeData(
        dataWrite({ ...A, stripe: 8 }, VERSION_ZERO, v(4, 1), 0, filled(8, 1)),
      );
      expect(other.ok, 'the fence is per stripe').to.equal(true);
      expect(
        (await store.writeData(dataWrite(A, VERSION_ZERO, v(5, 1), 0, filled(8, 1)))).ok,
      ).to.equal(true);
    });

    it('fences at a version: an owner recovering its own stripe shuts out the writes it issued before', async () => {
      const { store } = opened;
      await store.writeData(dataWrite(A, VERSION_ZERO, v(6, 1), 0, filled(8, 1)));
      expect(await store.fence('vol-1', 7, 6, 3)).to.equal(6);
      // A write of seq 2 or 3 was issued before the fence (it may have been on its way): refused.
      const late = await store.writeData(dataWrite(A, v(6, 1), v(6, 3), 0, filled(8, 2)));
      expect(late).to.deep.include({ ok: false, reason: 'fenced', fenceEpoch: 6 });
      expect((await store.writeData(dataWrite(A, v(6, 1), v(6, 4), 0, filled(8, 3)))).ok).to.equal(
        true,
      );
      expect(await store.fence('vol-1', 7, 6, 2), 'a fence never moves back').to.equal(6);
      expect(await store.fenceVersion('vol-1', 7)).to.deep.equal(v(6, 3));
      expect((await store.read(A, BLOCK, 0, 8)).bytes).to.deep.equal(filled(8, 3));
    });

    it('applies coefficient·delta to a parity fragment as the erasure engine would, with its registry', async () => {
      const { store } = opened;
      const rs = new ReedSolomon(4, 2, { kernel: 'portable', arenaBytes: 1 << 20 });
      const shards = Array.from({ length: 6 }, (_, i) =>
        i < 4 ? filled(BLOCK, i * 17 + 3) : new Uint8Array(BLOCK),
      );
      rs.encode(shards);
      const parity = { volume: 'vol-1', stripe: 9, index: 5 };
      const registry = [v(1, 1), v(1, 1), v(1, 1), v(1, 1), v(1, 1), v(1, 1)];
      await store.writeWhole({
        fragment: parity,
        blockBytes: BLOCK,
        expected: VERSION_ZERO,
        next: v(1, 1),
        bytes: shards[5]!,
        digest: digestOf(shards[5]!),
        registry,
        writer: dataWrite(A, VERSION_ZERO, v(1, 1), 0, new Uint8Array(0)).writer,
      });
      const delta = filled(300, 0x5a);
      const nextRegistry = [v(1, 1), v(1, 1), v(1, 2), v(1, 1), v(1, 2), v(1, 2)];
      const outcome = await store.applyParity({
        fragment: parity,
        blockBytes: BLOCK,
        expected: v(1, 1),
        next: v(1, 2),
        offset: 1000,
        delta,
        coefficient: rs.coefficient(1, 2),
        registry: nextRegistry,
        digest: digestOf(delta),
        writer: dataWrite(A, v(1, 1), v(1, 2), 0, delta).writer,
        // One update that carries two writers' parts: each must be found in the history.
        alsoWriters: [{ writerId: 'writer-b', writerSeq: 7, part: 1, parts: 2, eventTimeMs: 9 }],
      });
      expect(outcome.ok).to.equal(true);
      const entry = (await store.history(parity)).find((item) => item.version.seq === 2);
      expect(entry?.writer?.writerId).to.equal('writer-a');
      expect(entry?.alsoWriters).to.deep.equal([
        { writerId: 'writer-b', writerSeq: 7, part: 1, parts: 2, eventTimeMs: 9 },
      ]);
      expect((await store.history(parity))[0]).to.not.have.property('alsoWriters');
      // Each version keeps the registry it was written with: a recovery reads a parity from
      // before a version proved never acknowledged as that earlier version.
      expect(entry?.registry).to.deep.equal(nextRegistry);
      expect((await store.history(parity))[0]?.registry).to.deep.equal(registry);
      rs.updateParity(shards.slice(4), 2, delta, 1000);
      const read = await store.read(parity, BLOCK);
      expect(read.bytes).to.deep.equal(shards[5]);
      expect(read.registry).to.deep.equal(nextRegistry);
      // Only [1000, 1300) changed, and by exactly coefficient·0x5a.
      const before = Uint8Array.from(shards[5]!);
      rs.updateParity([new Uint8Array(BLOCK), before], 2, delta, 1000); // undo: xor is its own inverse
      expect(read.bytes[1000]! ^ before[1000]!).to.equal(gfMul(rs.coefficient(1, 2), 0x5a));
      expect(read.bytes[999]).to.equal(before[999]);
    });

    it('refuses to return bytes whose CRC32C fails, with an error of its own kind', async () => {
      let { store } = opened;
      await store.writeData(dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(BLOCK, 7)));
      // Flip a byte of the version's record behind the store's back.
      const db = (
        store as unknown as {
          db: {
            get(k: string): Promise<Uint8Array>;
            put(k: string, value: Uint8Array): Promise<void>;
          };
        }
      ).db;
      const record = await db.get(keys.record(A, v(1, 1)));
      const damaged = Uint8Array.from(record);
      damaged[damaged.length - 100]! ^= 1;
      await db.put(keys.record(A, v(1, 1)), damaged);
      const error = await store.read(A, BLOCK).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(ChecksumMismatchError);
      expect((error as ChecksumMismatchError).code).to.equal('STORE_CHECKSUM');
      expect((error as Error).message).to.match(/the record of version .* fails its CRC32C/);
      // A write right after it takes the old bytes from the record cache, which holds them as
      // they were committed: its delta is the true old xor new, and the damage still reads as
      // damage.
      const cachedWrite = await store.writeData(
        dataWrite(A, v(1, 1), v(1, 2), 2 * 4096 + 10, filled(4, 1)),
      );
      expect(cachedWrite.ok && cachedWrite.delta).to.deep.equal(filled(4, 7 ^ 1));
      expect(store.recordCacheStats.hits).to.be.greaterThan(0);
      const stillDamaged = await store.read(A, BLOCK).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(stillDamaged).to.be.instanceOf(ChecksumMismatchError);
      // Once the cache is gone (a restart), a write over the damaged bytes must read them: refused.
      store = await opened.reopen();
      const write = await store.writeData(dataWrite(A, v(1, 2), v(1, 3), 10, filled(4, 1))).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(write, 'a write over corrupt bytes is refused too').to.be.instanceOf(
        ChecksumMismatchError,
      );
      // A whole rewrite reads nothing old: it repairs the fragment.
      const whole = filled(BLOCK, 9);
      const repaired = await store.writeWhole({
        ...dataWrite(A, v(1, 2), v(1, 3), 0, whole),
        registry: null,
      });
      expect(repaired.ok).to.equal(true);
      expect((await store.read(A, BLOCK)).bytes).to.deep.equal(whole);
    });

    it('refuses malformed requests with the field named, changing nothing', async () => {
      const { store } = opened;
      const good = dataWrite(A, VERSION_ZERO, v(1, 1), 0, filled(10, 1));
      const cases: [string, object][] = [
        ['bytes', { offset: BLOCK - 5 }],
        ['bytes.offset', { offset: -1 }],
        ['digest', { digest: digestOf(filled(10, 2)) }],
        ['next', { next: VERSION_ZERO }],
        ['fragment.volume', { fragment: { ...A, volume: 'has space' } }],
        ['fragment.index', { fragment: { ...A, index: 256 } }],
        ['writer.writerId', { writer: { ...good.writer, writerId: '' } }],
        ['alsoWriters[1].part', { alsoWriters: [good.writer, { ...good.writer, part: 1 }] }],
        ['alsoWriters', { alsoWriters: good.writer }],
        ['blockBytes', { blockBytes: 0 }],
      ];
      for (const [field, change] of cases) {
        const error = await store.writeData({ ...good, ...change }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, field).to.be.instanceOf(InvalidRequestError);
        expect((error as InvalidRequestError).field).to.equal(field);
      }
      expect((await store.read(A, BLOCK)).version).to.deep.equal(VERSION_ZERO);
    });

    it(`runs writes to different stripes side by side${backend.groupsCommits ? ', several to one fsync' : ''}`, async () => {
      const { store } = opened;
      const writes = Array.from({ length: 64 }, (_, stripe) =>
        store.writeData(
          dataWrite({ ...A, stripe }, VERSION_ZERO, v(1, 1), 0, filled(4096, stripe)),
        ),
      );
      const outcomes = await Promise.all(writes);
      expect(outcomes.every((outcome) => outcome.ok)).to.equal(true);
      const { groups, batches } = store.commitStats;
      expect(batches).to.equal(64);
      if (backend.groupsCommits) expect(groups).to.be.lessThan(batches);
      else expect(groups).to.equal(batches);
    });
  });
}

describe('store: a full store', () => {
  it('refuses new writes with StoreFullError, keeps serving reads, and loses nothing acknowledged', async () => {
    const opened = await BACKENDS[1]!.open({ quotaBytes: 200_000 });
    try {
      const { store } = opened;
      const acknowledged: number[] = [];
      let full: unknown;
      for (let stripe = 0; stripe < 100 && !full; stripe++) {
        try {
          const outcome = await store.writeData(
            dataWrite({ ...A, stripe }, VERSION_ZERO, v(1, 1), 0, filled(BLOCK, stripe + 1)),
          );
          if (outcome.ok) acknowledged.push(stripe);
        } catch (error) {
          full = error;
        }
      }
      expect(full).to.be.instanceOf(StoreFullError);
      expect((full as StoreFullError).code).to.equal('STORE_FULL');
      expect(acknowledged.length).to.be.greaterThan(3);
      const reopened = await opened.reopen();
      for (const stripe of acknowledged) {
        expect((await reopened.read({ ...A, stripe }, BLOCK)).bytes).to.deep.equal(
          filled(BLOCK, stripe + 1),
        );
      }
    } finally {
      await opened.cleanup();
    }
  });
});
