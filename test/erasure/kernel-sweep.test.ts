// Proves that every fast kernel matches the portable one across shapes (groups of outputs past
// four included) and odd lengths around the kernel's step and chunk sizes, and that it writes
// no byte outside the shards it was asked to fill.
import { expect } from 'chai';
import type { ReedSolomon } from '../../erasure/index.js';
import { ARENA_ALIGN_BYTES } from '../../erasure/arena.js';
import { SimdKernel } from '../../erasure/simd-kernel.js';
import { CHUNK_BYTES, KERNEL_STEP_BYTES } from '../../erasure/wasm/simd-kernels.js';
import { engine, KERNELS, randomShards } from './helpers.js';

const SHAPES: [number, number][] = [
  [1, 1],
  [2, 1],
  [4, 2],
  [6, 3],
  [10, 4],
  [17, 3],
  [5, 7],
  [3, 9],
  [20, 20],
];
const LENGTHS = [
  0,
  1,
  KERNEL_STEP_BYTES - 1,
  KERNEL_STEP_BYTES,
  KERNEL_STEP_BYTES + 1,
  63,
  64,
  65,
  100,
  CHUNK_BYTES - 1,
  CHUNK_BYTES,
  CHUNK_BYTES + 1,
  2 * CHUNK_BYTES + 17,
  12345,
];
const GUARD = 0xee;
const FAST = KERNELS.filter((kernel) => kernel !== 'portable');

describe('erasure: fast kernels against the portable kernel', () => {
  it('has a fast kernel to sweep on this engine', () => {
    expect(FAST.length).to.be.greaterThan(0);
  });

  for (const kernel of FAST) {
    for (const [k, m] of SHAPES) {
      it(`${kernel} RS(${k},${m}): encode, reconstruct and updateParity equal portable's at every length`, () => {
        const fast = engine(k, m, kernel);
        const reference = engine(k, m, 'portable');
        for (const length of LENGTHS) {
          const expected = randomShards(k, m, length, length + 7);
          reference.encode(expected);
          withGuardedShards(fast, length, (shards) => {
            expected.slice(0, k).forEach((shard, index) => shards[index]!.set(shard));
            fast.encode(shards);
            expect(shards, `encode at ${length}`).to.deep.equal(expected);

            const lost = [0, ...(m > 1 ? [k + m - 1] : [])].slice(0, m);
            for (const index of lost) shards[index]!.fill(0x5a);
            fast.reconstructInto(shards, lost);
            expect(shards, `reconstruct at ${length}`).to.deep.equal(expected);

            if (length > 0) {
              const offset = Math.floor(length / 3);
              const delta = randomShards(1, 0, length - offset, length)[0]!;
              const parity = shards.slice(k);
              fast.updateParity(parity, k - 1, delta, offset);
              const expectedParity = expected.slice(k).map((shard) => Uint8Array.from(shard));
              reference.updateParity(expectedParity, k - 1, delta, offset);
              expect(parity, `updateParity at ${length}`).to.deep.equal(expectedParity);
            }
          });
        }
      });
    }
  }
});

/**
 * Runs `body` on arena shards whose surroundings that the test owns (each shard's alignment
 * padding, and a second set of shards allocated right after) are filled with GUARD, and checks
 * afterwards that none of it changed. (Other arena blocks, such as coefficient tables, are the
 * engine's and are left alone.)
 */
function withGuardedShards(
  rs: ReedSolomon,
  length: number,
  body: (shards: Uint8Array[]) => void,
): void {
  const shards = rs.allocateShards(length);
  const neighbours = rs.allocateShards(length + 64);
  const memory = new Uint8Array(shards[0]!.buffer);
  const padded = (shard: Uint8Array): Uint8Array =>
    memory.subarray(
      shard.byteOffset + shard.length,
      shard.byteOffset +
        Math.max(
          ARENA_ALIGN_BYTES,
          Math.ceil(shard.length / ARENA_ALIGN_BYTES) * ARENA_ALIGN_BYTES,
        ),
    );
  const guarded = [...shards.map(padded), ...neighbours, ...neighbours.map(padded)];
  try {
    for (const region of guarded) region.fill(GUARD);
    body(shards);
    for (const region of guarded) {
      const changed = region.findIndex((byte) => byte !== GUARD);
      if (changed >= 0)
        expect.fail(
          `byte at ${region.byteOffset + changed}, outside every shard, changed (length ${length})`,
        );
    }
  } finally {
    rs.release(shards);
    rs.release(neighbours);
  }
}

describe('erasure: the SIMD xor floor', () => {
  it('xors k inputs into one output exactly, at every length', () => {
    const kernel = new SimdKernel(4 << 20, 1 << 20, 'simd128');
    for (const length of LENGTHS) {
      const inputs = [1, 2, 3, 4, 5].map(() => kernel.arena.allocateView(length).fill(0));
      inputs.forEach((input, index) =>
        input.set(randomShards(1, 0, length, index * 31 + length)[0]!),
      );
      const output = kernel.arena.allocateView(length);
      kernel.xor(inputs, output);
      const expected = inputs.reduce(
        (sum, input) => sum.map((byte, i) => byte ^ input[i]!),
        new Uint8Array(length),
      );
      expect(output, `length ${length}`).to.deep.equal(expected);
    }
  });
});
