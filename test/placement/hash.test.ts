// Proves that the placement hashes are the published MurmurHash3 (x86, 32-bit) and a mixer
// that spreads nearby inputs evenly, so that any reimplementation can reproduce placements.
import { expect } from 'chai';
import fc from 'fast-check';
import { mix32, murmur3 } from '../../placement/index.js';

describe('placement hashes', () => {
  it('murmur3 matches the reference vectors of MurmurHash3_x86_32', () => {
    const vectors: [string, number, number][] = [
      ['', 0, 0],
      ['', 1, 0x514e28b7],
      ['', 0xffffffff, 0x81f16f39],
      ['test', 0, 0xba6bd213],
      ['Hello, world!', 0, 0xc0363e43],
      ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
      ['a', 0x9747b28c, 0x7fa09ea6],
      ['aaaa', 0x9747b28c, 0x5a97808a],
      ['abc', 0, 0xb3dd93fa],
    ];
    for (const [text, seed, expected] of vectors) {
      expect(murmur3(text, seed), `murmur3(${JSON.stringify(text)}, ${seed})`).to.equal(expected);
    }
  });

  it('murmur3 hashes the UTF-8 bytes, so a non-ASCII id hashes like its bytes', () => {
    // "é" is C3 A9 in UTF-8: the same bytes as the Latin-1 string "Ã©" only if hashed as UTF-8.
    expect(murmur3('é', 0)).to.not.equal(murmur3('\u00e9'.normalize('NFD'), 0));
    expect(murmur3('é', 7)).to.equal(murmur3('\u00e9', 7));
  });

  it('mix32 is a bijection on sampled inputs and returns unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 0xffffffff }),
        (a, delta) => {
          const b = (a + delta) >>> 0;
          const [x, y] = [mix32(a), mix32(b)];
          return x !== y && x >= 0 && x <= 0xffffffff && Number.isInteger(x);
        },
      ),
    );
  });

  it('mix32 flips about half the output bits for a one-bit input change', () => {
    let flipped = 0;
    let trials = 0;
    for (let value = 0; value < 2000; value++) {
      for (let bit = 0; bit < 32; bit++) {
        let diff = (mix32(value * 7919) ^ mix32((value * 7919) ^ (1 << bit))) >>> 0;
        while (diff !== 0) {
          flipped += diff & 1;
          diff >>>= 1;
        }
        trials++;
      }
    }
    expect(flipped / trials).to.be.within(15.5, 16.5);
  });
});
