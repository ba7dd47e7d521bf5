// Proves that shards from allocateShards live in the fast kernel's fixed memory, that a long run
// of allocations and releases neither grows that memory, nor detaches a live view, nor leaks
// space to fragmentation, and that ordinary arrays larger than the staging area work too.
import { expect } from 'chai';
import fc from 'fast-check';
import { ReedSolomon } from '../../erasure/index.js';
import { Arena } from '../../erasure/arena.js';
import { engine, KERNELS, randomShards } from './helpers.js';

describe('erasure: the shard arena', () => {
  it('hands out shards that are views of one fixed memory, zeroed and 64-byte aligned', () => {
    const rs = new ReedSolomon(6, 3, { arenaBytes: 4 << 20 });
    const shards = rs.allocateShards(1000);
    expect(new Set(shards.map((shard) => shard.buffer)).size).to.equal(1);
    expect(
      shards.every(
        (shard) =>
          shard.byteOffset % 64 === 0 && shard.length === 1000 && shard.every((byte) => byte === 0),
      ),
    ).to.equal(true);
    rs.release(shards);
  });

  it('keeps its memory size and every live view through 20,000 random allocations and releases', () => {
    const rs = new ReedSolomon(4, 2, { arenaBytes: 8 << 20 });
    const memoryBytes = rs.allocateShards(0)[0]!.buffer.byteLength;
    const live: { shards: Uint8Array[]; tag: number }[] = [];
    let state = 12345;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let step = 0; step < 20_000; step++) {
      if (live.length > 0 && (next() % 3 === 0 || live.length > 40)) {
        const [entry] = live.splice(next() % live.length, 1);
        // Every byte still holds its tag: no view was detached, moved or overwritten.
        const holdsTag = (shard: Uint8Array): boolean =>
          shard.length === 0 ||
          [0, shard.length >> 1, shard.length - 1].every((at) => shard[at] === entry!.tag);
        expect(entry!.shards.every(holdsTag)).to.equal(true);
        rs.release(entry!.shards);
      } else {
        const tag = (step % 255) + 1;
        const shards = rs.allocateShards(next() % 20_000);
        for (const shard of shards) shard.fill(tag);
        live.push({ shards, tag });
      }
      expect(live.every((entry) => entry.shards[0]!.buffer.byteLength === memoryBytes)).to.equal(
        true,
      );
    }
    for (const entry of live) rs.release(entry.shards);
    // Nothing was lost to fragmentation: nearly the whole arena can be handed out again at once
    // (less the engine's own coefficient tables).
    const nearlyAll = Math.floor(((8 << 20) - (64 << 10)) / 6 / 64) * 64;
    rs.release(rs.allocateShards(nearlyAll));
  });

  it('merges released neighbours so the free space is one block again (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 60 }),
        fc.infiniteStream(fc.nat()),
        (sizes, order) => {
          const arena = new Arena(new ArrayBuffer(1 << 20), 0, 1 << 20);
          const offsets = sizes.map((size) => arena.allocate(size));
          const pending = [...offsets];
          const picks = order[Symbol.iterator]();
          while (pending.length > 0)
            arena.release(pending.splice(picks.next().value % pending.length, 1)[0]!);
          expect(arena.freeBytes).to.equal(1 << 20);
          expect(arena.allocate((1 << 20) - 64)).to.equal(0); // one block spans it all again
        },
      ),
      { numRuns: 100 },
    );
  });

  for (const kernel of KERNELS) {
    it(`${kernel}: encodes and rebuilds ordinary arrays far larger than the staging area`, () => {
      const rs = engine(10, 4, kernel);
      const reference = engine(10, 4, 'portable');
      const length = 300_001; // 14 streams of 300 kB do not fit 1 MiB of scratch at once
      const shards = randomShards(10, 4, length, 77);
      const expected = shards.map((shard) => Uint8Array.from(shard));
      reference.encode(expected);
      rs.encode(shards);
      expect(shards).to.deep.equal(expected);
      const rebuilt = rs.reconstruct([null, ...shards.slice(1, 12), null, null]);
      expect(rebuilt).to.deep.equal(expected);
    });
  }
});
