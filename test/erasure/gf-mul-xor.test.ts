// Proves that gfMulXor, what a parity fragment's store applies to an incoming delta, computes
// target ^= c·source byte for byte, at any length and alignment, and that applying each
// parity's coefficient·delta on its own gives the same parity as the engine's updateParity.
import { expect } from 'chai';
import fc from 'fast-check';
import { gfMul, gfMulXor, ShardLengthError, xorOf } from '../../erasure/index.js';
import { engine, KERNELS, randomBytes, randomShards } from './helpers.js';

describe('erasure: gfMulXor', () => {
  it('equals the byte-wise definition for any coefficient, length and offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 9000 }),
        fc.nat(15),
        fc.nat(15),
        fc.integer(),
        (c, length, targetShift, sourceShift, seed) => {
          const target = randomBytes(length + targetShift, seed).subarray(targetShift);
          const source = randomBytes(length + sourceShift, seed ^ 0x1234).subarray(sourceShift);
          const expected = target.map((byte, i) => byte ^ gfMul(c, source[i]!));
          gfMulXor(target, source, c);
          expect(target).to.deep.equal(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on multi-megabyte arrays (staged in chunks) equals the byte-wise definition', () => {
    const source = randomBytes(3 << 20, 5);
    const target = randomBytes(3 << 20, 6);
    const expected = target.map((byte, i) => byte ^ gfMul(0x8e, source[i]!));
    gfMulXor(target, source, 0x8e);
    expect(Buffer.from(target).equals(Buffer.from(expected))).to.equal(true);
  });

  it('applied per parity with coefficient(j, i) matches updateParity: the path of the cluster', () => {
    const rs = engine(6, 3, 'portable');
    const shards = randomShards(6, 3, 4096, 11);
    rs.encode(shards);
    const delta = randomBytes(1000, 12);
    const perStore = shards.slice(6).map((parity) => Uint8Array.from(parity));
    perStore.forEach((parity, j) =>
      gfMulXor(parity.subarray(96, 1096), delta, rs.coefficient(j, 2)),
    );
    rs.updateParity(shards.slice(6), 2, delta, 96);
    expect(perStore).to.deep.equal(shards.slice(6));
  });
});

describe('erasure: gfMulXor on arena shards', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: runs in place on two views of one engine's arena and equals the definition`, () => {
      const rs = engine(1, 1, kernel);
      for (const length of [0, 1, 17, 4096, 70_001]) {
        const [target, source] = rs.allocateShards(length) as [Uint8Array, Uint8Array];
        try {
          target.set(randomBytes(length, length));
          source.set(randomBytes(length, length + 1));
          const expected = target.map((byte, i) => byte ^ gfMul(0xc3, source[i]!));
          gfMulXor(target, source, 0xc3);
          expect(Buffer.from(target).equals(Buffer.from(expected)), `length ${length}`).to.equal(
            true,
          );
        } finally {
          rs.release([target, source]);
        }
      }
    });
  }
});

describe('erasure: xorOf (a delta: old xor new)', () => {
  it('equals the byte-wise xor at any length and offset, leaving both inputs as they were', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        (length, offsetA, offsetB, seed) => {
          const a = randomBytes(length + offsetA, seed).subarray(offsetA);
          const b = randomBytes(length + offsetB, seed + 1).subarray(offsetB);
          const [aBefore, bBefore] = [Uint8Array.from(a), Uint8Array.from(b)];
          const out = xorOf(a, b);
          expect(out.length).to.equal(length);
          for (let i = 0; i < length; i++) if (out[i] !== (a[i]! ^ b[i]!)) return false;
          expect(a).to.deep.equal(aBefore);
          expect(b).to.deep.equal(bBefore);
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses arrays of two lengths with a ShardLengthError naming both', () => {
    expect(() => xorOf(new Uint8Array(4), new Uint8Array(5))).to.throw(
      ShardLengthError,
      /4 bytes.*5/,
    );
  });
});
