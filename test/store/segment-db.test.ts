// Proves that the segment store is a key-value database that keeps what it acknowledged: it
// agrees with a plain map through any sequence of batches, reopens and compactions; it cuts off
// a write cut short at the end of its newest file and refuses to open on damage anywhere else;
// a damaged value is an error, never bytes; one store per directory.
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ChecksumMismatchError,
  StoreCorruptError,
  StoreLockedError,
} from '../../node/store/errors.js';
import { SegmentDatabase } from '../../node/store/segment-db.js';
import { SortedKeys } from '../../node/store/sorted-keys.js';
import { FragmentStore } from '../../node/store/fragment-store.js';
import { VERSION_ZERO } from '../../node/store/version.js';
import { BLOCK, dataWrite, filled, v } from './store-fixtures.js';

const valueOf = (seed: number, length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

type Step =
  | { kind: 'batch'; ops: { key: number; length: number; seed: number; del: boolean }[] }
  | { kind: 'reopen' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      ops: fc.array(
        fc.record({
          key: fc.integer({ min: 0, max: 24 }),
          length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1000, max: 3000 })),
          seed: fc.integer({ min: 0, max: 255 }),
          del: fc.boolean(),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

describe('store: the segment store', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-segments-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Some values go in as parts (two or three, at places the seed picks), the rest whole. */
  const inParts = (value: Uint8Array, seed: number): Uint8Array | Uint8Array[] => {
    if (seed % 3 === 0) return value;
    const cut = seed % (value.length + 1);
    const parts = [value.subarray(0, cut), value.subarray(cut)];
    return seed % 3 === 1 ? parts : [...parts, new Uint8Array(0)];
  };

  it('agrees with a map through batches, reopens and compactions, values whole or in parts (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        const path = join(dir, `run-${run++}`);
        const options = { segmentBytes: 8192, inlineBytes: 512 };
        let db = new SegmentDatabase(path, options);
        await db.open();
        const model = new Map<string, Uint8Array>();
        const key = (n: number): string => `k!${String(n).padStart(2, '0')}`;
        try {
          for (const s of steps) {
            if (s.kind === 'reopen') {
              await db.close();
              db = new SegmentDatabase(path, options);
              await db.open();
            } else {
              await db.batch(
                s.ops.map((op) =>
                  op.del
                    ? { type: 'del' as const, key: key(op.key) }
                    : {
                        type: 'put' as const,
                        key: key(op.key),
                        value: inParts(valueOf(op.seed, op.length), op.seed),
                      },
                ),
                { sync: false },
              );
              for (const op of s.ops) {
                if (op.del) model.delete(key(op.key));
                else model.set(key(op.key), valueOf(op.seed, op.length));
              }
            }
            for (let n = 0; n <= 24; n++)
              expect(await db.get(key(n)), key(n)).to.deep.equal(model.get(key(n)));
          }
          const sorted = [...model.keys()].sort();
          expect((await collect(db.iterator())).map(([k]) => k)).to.deep.equal(sorted);
          expect(await collect(db.iterator({ gte: key(5), lt: key(15) }))).to.deep.equal(
            sorted.filter((k) => k >= key(5) && k < key(15)).map((k) => [k, model.get(k)]),
          );
          // What is left after compactions is bounded by what is live, not by what was written.
          const { bytes, liveBytes, segments } = db.stats;
          expect(bytes).to.be.at.most(Math.max(2 * liveBytes, 8192) + 2 * 8192 + 24 * 3100);
          expect(segments).to.be.at.least(1);
        } finally {
          await db.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('compacts overwritten segments away and keeps deletes deleted across reopens', async () => {
    const options = { segmentBytes: 16384, inlineBytes: 256 };
    let db = new SegmentDatabase(dir, options);
    await db.open();
    await db.put('gone', valueOf(1, 2000));
    for (let round = 0; round < 200; round++)
      await db.batch(
        [
          { type: 'put', key: `hot-${round % 4}`, value: valueOf(round, 2000) },
          { type: 'put', key: `meta-${round % 4}`, value: valueOf(round, 100) },
        ],
        { sync: false },
      );
    await db.batch([{ type: 'del', key: 'gone' }], { sync: true });
    for (let round = 200; round < 400; round++)
      await db.put(`hot-${round % 4}`, valueOf(round, 2000));
    expect(db.stats.compactions).to.be.above(0);
    await db.close(); // waits for a compaction in progress
    const files = (await readdir(dir)).filter((name) => name.endsWith('.seg'));
    expect(
      files.length,
      'about 860 KiB were written; the live bytes fit in a few segments',
    ).to.be.below(12);
    db = new SegmentDatabase(dir, options);
    await db.open();
    try {
      expect(await db.get('gone')).to.equal(undefined);
      for (let i = 0; i < 4; i++) {
        expect(await db.get(`hot-${i}`)).to.deep.equal(valueOf(396 + i, 2000));
        expect(await db.get(`meta-${i}`)).to.deep.equal(valueOf(196 + i, 100));
      }
    } finally {
      await db.close();
    }
  });

  it('keeps a delete whose tombstone is compacted while the deleted value is still in an older segment', async () => {
    const options = { segmentBytes: 8192, inlineBytes: 256 };
    let db = new SegmentDatabase(dir, options);
    await db.open();
    await db.put('keep', valueOf(1, 6000)); // segment 1 stays mostly live
    await db.put('gone', valueOf(2, 100));
    await db.put('pad-1', valueOf(3, 3000)); // segment 2
    await db.batch([{ type: 'del', key: 'gone' }], { sync: false });
    await db.put('pad-2', valueOf(4, 3000));
    await db.put('pad-1', valueOf(5, 3000)); // segment 3: segment 2 is now all dead but the tombstone
    await db.put('pad-2', valueOf(6, 3000));
    await db.put('pad-3', valueOf(7, 3000)); // segment 4: segment 3 is sealed too
    await db.close();
    expect(db.stats.compactions).to.be.above(0);
    const files = (await readdir(dir)).filter((name) => name.endsWith('.seg'));
    expect(files, 'segment 1 is kept, segment 2 compacted away').to.include('00000001.seg');
    expect(files).not.to.include('00000002.seg');
    db = new SegmentDatabase(dir, options);
    await db.open();
    try {
      expect(await db.get('gone')).to.equal(undefined);
      expect(await db.get('keep')).to.deep.equal(valueOf(1, 6000));
      expect(await db.get('pad-1')).to.deep.equal(valueOf(5, 3000));
    } finally {
      await db.close();
    }
  });

  it('cuts off a write cut short at the end of the newest segment, keeping every one before it', async () => {
    let db = new SegmentDatabase(dir);
    await db.open();
    await db.batch([{ type: 'put', key: 'a', value: valueOf(1, 5000) }], { sync: true });
    await db.batch([{ type: 'put', key: 'b', value: valueOf(2, 10) }], { sync: true });
    await db.close();
    const file = join(dir, '00000001.seg');
    const whole = (await stat(file)).size;
    // A third write that reached the disk only in part, then zeros that a crash left.
    await appendFile(file, Buffer.from([0x54, 0x53, 0x47, 0x31, 200, 0, 0, 0, 1, 2]));
    await appendFile(file, Buffer.alloc(3000));
    db = new SegmentDatabase(dir);
    await db.open();
    try {
      expect(await db.get('a')).to.deep.equal(valueOf(1, 5000));
      expect(await db.get('b')).to.deep.equal(valueOf(2, 10));
      expect((await stat(file)).size).to.equal(whole);
      await db.batch([{ type: 'put', key: 'c', value: valueOf(3, 10) }], { sync: true });
    } finally {
      await db.close();
    }
    db = new SegmentDatabase(dir);
    await db.open();
    expect(await db.get('c')).to.deep.equal(valueOf(3, 10));
    await db.close();
  });

  it('refuses to open on a damaged frame with good frames after it, naming the file and byte', async () => {
    const db = new SegmentDatabase(dir);
    await db.open();
    await db.put('first', valueOf(1, 10));
    await db.put('second', valueOf(2, 10));
    await db.close();
    const file = join(dir, '00000001.seg');
    const bytes = await readFile(file);
    bytes[14]! ^= 0x01; // inside the first frame's descriptor
    await writeFile(file, bytes);
    const error = await new SegmentDatabase(dir).open().catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(StoreCorruptError);
    expect((error as StoreCorruptError).code).to.equal('STORE_CORRUPT');
    expect((error as Error).message).to.include('00000001.seg at byte 0');
    expect((await readFile(file)).equals(bytes), 'nothing was cut off').to.equal(true);
  });

  it('answers a damaged value with ChecksumMismatchError and still serves the others', async () => {
    let db = new SegmentDatabase(dir, { inlineBytes: 16 });
    await db.open();
    await db.put('big', valueOf(1, 4000));
    await db.put('small', valueOf(2, 8));
    await db.close();
    const file = join(dir, '00000001.seg');
    const bytes = await readFile(file);
    const at = bytes.indexOf(Buffer.from(valueOf(1, 4000).subarray(1000, 1016)));
    expect(at).to.be.above(0);
    bytes[at]! ^= 0x80;
    await writeFile(file, bytes);
    db = new SegmentDatabase(dir, { inlineBytes: 16 });
    await db.open();
    try {
      const error = await db.get('big').catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(ChecksumMismatchError);
      expect((error as Error).message).to.match(
        /big: the value at byte \d+ of .*00000001.seg fails its CRC32C/,
      );
      expect(await db.get('small')).to.deep.equal(valueOf(2, 8));
    } finally {
      await db.close();
    }
  });

  it('under a fragment store: a record damaged on disk shows in the history as damaged, fails reads, and a whole rewrite repairs it', async () => {
    const fragment = { volume: 'vol', stripe: 3, index: 0 };
    let store = await FragmentStore.open({ db: new SegmentDatabase(dir) });
    const first = filled(BLOCK, 0x11);
    expect(
      (await store.writeData(dataWrite(fragment, VERSION_ZERO, v(1, 1), 0, first))).ok,
    ).to.equal(true);
    await store.close();
    const file = join(dir, '00000001.seg');
    const bytes = await readFile(file);
    const at = bytes.indexOf(Buffer.from(first.subarray(0, 64)));
    bytes[at + 100]! ^= 0x04;
    await writeFile(file, bytes);
    store = await FragmentStore.open({ db: new SegmentDatabase(dir) });
    try {
      const history = await store.history(fragment);
      expect(history.map((entry) => [entry.kind, entry.version])).to.deep.equal([
        ['damaged', v(1, 1)],
      ]);
      const error = await store.read(fragment, BLOCK).catch((caught: unknown) => caught);
      expect((error as { code?: string }).code).to.equal('STORE_CHECKSUM');
      const whole = filled(BLOCK, 0x22);
      const outcome = await store.writeWhole({
        ...dataWrite(fragment, v(1, 1), v(1, 2), 0, whole),
        registry: null,
      });
      expect(outcome.ok).to.equal(true);
      expect((await store.read(fragment, BLOCK)).bytes).to.deep.equal(whole);
    } finally {
      await store.close();
    }
  });

  it('lets one store at a time use a directory', async () => {
    const db = new SegmentDatabase(dir);
    await db.open();
    try {
      const error = await new SegmentDatabase(dir).open().catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(StoreLockedError);
      expect((error as Error).message).to.include('in use');
    } finally {
      await db.close();
    }
    const again = new SegmentDatabase(dir);
    await again.open();
    await again.close();
  });
});

describe('store: sorted keys', () => {
  it('keeps a set in order through adds and deletes, and answers ranges (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 })), { maxLength: 4000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        (ops, a, b) => {
          const keys = new SortedKeys();
          const model = new Set<string>();
          const name = (n: number): string => n.toString(36);
          for (const [add, n] of ops) {
            if (add) expect(keys.add(name(n))).to.equal(!model.has(name(n)));
            else expect(keys.delete(name(n))).to.equal(model.has(name(n)));
            if (add) model.add(name(n));
            else model.delete(name(n));
          }
          const sorted = [...model].sort();
          expect(keys.size).to.equal(model.size);
          expect(keys.range()).to.deep.equal(sorted);
          const [low, high] = [name(Math.min(a, b)), name(Math.max(a, b))];
          expect(keys.range(low, high)).to.deep.equal(sorted.filter((k) => k >= low && k < high));
        },
      ),
      { numRuns: 200 },
    );
  });
});
