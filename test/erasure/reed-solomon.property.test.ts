// Proves the algebra a user relies on, for random schemes, lengths (odd tails included), data
// and erasure patterns, on every kernel: any <= m lost shards rebuild exactly; the parity delta
// update equals a full re-encode; verify tells good stripes from damaged ones; kernels agree.
import { expect } from 'chai';
import fc from 'fast-check';
import { gfMul } from '../../erasure/index.js';
import { engine, KERNELS, randomShards } from './helpers.js';

/** A scheme, a shard length and a seed; mostly small, sometimes wide (k + m up to 256). */
const scheme = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ k: fc.integer({ min: 1, max: 12 }), m: fc.integer({ min: 1, max: 6 }) }),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 2, max: 255 })
      .chain((k) =>
        fc.record({ k: fc.constant(k), m: fc.integer({ min: 1, max: Math.min(24, 256 - k) }) }),
      ),
  },
);
const length = fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 4000, max: 9000 }));

describe('erasure: Reed-Solomon properties', () => {
  for (const kernel of KERNELS) {
    describe(`${kernel} kernel`, () => {
      it('rebuilds any set of at most m lost shards exactly (reconstruct and reconstructInto)', () => {
        fc.assert(
          fc.property(
            scheme,
            length,
            fc.integer(),
            fc.infiniteStream(fc.boolean()),
            ({ k, m }, bytes, seed, picks) => {
              const rs = engine(k, m, kernel);
              const shards = randomShards(k, m, bytes, seed);
              rs.encode(shards);
              const lost = chooseLost(k + m, m, seed);
              const damaged = shards.map((shard, index) => (lost.includes(index) ? null : shard));
              const rebuilt = rs.reconstruct(damaged);
              rebuilt.forEach((shard, index) =>
                expect(shard, `shard ${index}`).to.deep.equal(shards[index]),
              );
              // In place, on arena shards, with the lost ones scribbled over first.
              const arena = rs.allocateShards(bytes);
              try {
                shards.forEach((shard, index) => arena[index]!.set(shard));
                for (const index of lost) arena[index]!.fill(0xa5);
                const useUnavailable = picks.take(1).next().value === true;
                const targets = useUnavailable ? lost.filter((index) => index < k) : lost;
                const unavailable = useUnavailable ? lost.filter((index) => index >= k) : [];
                rs.reconstructInto(arena, targets, unavailable);
                for (const index of targets)
                  expect(arena[index], `arena shard ${index}`).to.deep.equal(shards[index]);
              } finally {
                rs.release(arena);
              }
            },
          ),
          { numRuns: 60 },
        );
      });

      it('updateParity over a random range equals a full re-encode', () => {
        fc.assert(
          fc.property(
            scheme,
            fc.integer({ min: 1, max: 9000 }),
            fc.integer(),
            fc.nat(),
            fc.nat(),
            ({ k, m }, bytes, seed, a, b) => {
              const rs = engine(k, m, kernel);
              const shards = randomShards(k, m, bytes, seed);
              rs.encode(shards);
              const dataIndex = Math.abs(seed) % k;
              const offset = a % bytes;
              const end = offset + (b % (bytes - offset + 1));
              const fresh = randomShards(1, 0, end - offset, seed ^ 0x5bd1e995)[0]!;
              const delta = fresh.map((byte, i) => byte ^ shards[dataIndex]![offset + i]!);
              const parity = shards.slice(k).map((shard) => Uint8Array.from(shard));
              rs.updateParity(parity, dataIndex, delta, offset);
              shards[dataIndex]!.set(fresh, offset);
              rs.encode(shards);
              parity.forEach((shard, index) =>
                expect(shard, `parity ${index}`).to.deep.equal(shards[k + index]),
              );
            },
          ),
          { numRuns: 60 },
        );
      });

      it('verify accepts an encoded stripe and rejects it after any single byte changes', () => {
        fc.assert(
          fc.property(
            scheme,
            fc.integer({ min: 1, max: 5000 }),
            fc.integer(),
            fc.nat(),
            fc.integer({ min: 1, max: 255 }),
            ({ k, m }, bytes, seed, where, flip) => {
              const rs = engine(k, m, kernel);
              const shards = randomShards(k, m, bytes, seed);
              rs.encode(shards);
              expect(rs.verify(shards)).to.equal(true);
              const shard = shards[where % (k + m)]!;
              shard[Math.floor(where / (k + m)) % bytes]! ^= flip;
              expect(rs.verify(shards)).to.equal(false);
            },
          ),
          { numRuns: 60 },
        );
      });
    });
  }

  it('every kernel computes the same parity as the byte-wise definition', () => {
    fc.assert(
      fc.property(scheme, length, fc.integer(), ({ k, m }, bytes, seed) => {
        const expected = randomShards(k, m, bytes, seed);
        const rows = Array.from({ length: m }, (_, i) =>
          Array.from({ length: k }, (_, j) => engine(k, m, 'portable').coefficient(i, j)),
        );
        for (let i = 0; i < m; i++) {
          for (let x = 0; x < bytes; x++) {
            let sum = 0;
            for (let j = 0; j < k; j++) sum ^= gfMul(rows[i]![j]!, expected[j]![x]!);
            expected[k + i]![x] = sum;
          }
        }
        for (const kernel of KERNELS) {
          const shards = randomShards(k, m, bytes, seed);
          engine(k, m, kernel).encode(shards);
          shards.forEach((shard, index) =>
            expect(shard, `${kernel} shard ${index}`).to.deep.equal(expected[index]),
          );
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** Up to m distinct shard indexes in [0, n), chosen from the seed. */
function chooseLost(n: number, m: number, seed: number): number[] {
  const count = Math.abs(seed) % (m + 1);
  const lost = new Set<number>();
  let state = (seed >>> 0) | 1;
  while (lost.size < count) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    lost.add(state % n);
  }
  return [...lost];
}
