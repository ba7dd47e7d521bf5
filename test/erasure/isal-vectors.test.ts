// Proves that Tessera's fragments are byte-for-byte those of ISA-L's Cauchy Reed-Solomon, on
// vectors that ISA-L itself produced, with every kernel, on ordinary arrays and arena shards.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { cauchyParityRows } from '../../erasure/index.js';
import { engine, hex, KERNELS } from './helpers.js';

interface IsalVector {
  k: number;
  m: number;
  len: number;
  data: string[];
  parity: string[];
  matrix: string[];
}

const vectors: IsalVector[] = readFileSync(
  new URL('../fixtures/rs-isal-cauchy.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as IsalVector);

describe('erasure: ISA-L Cauchy vectors', () => {
  it('has vectors to check', () => {
    expect(vectors.length).to.be.greaterThan(0);
  });

  for (const vector of vectors) {
    const name = `RS(${vector.k},${vector.m}) ${vector.len} bytes`;

    it(`${name}: the parity rows are ISA-L's gf_gen_cauchy1_matrix rows`, () => {
      const rows = cauchyParityRows(vector.k, vector.m).map(hex);
      expect(rows).to.deep.equal(vector.matrix);
    });

    for (const kernel of KERNELS) {
      it(`${name}: ${kernel} kernel encodes ISA-L's parity, on ordinary arrays and on arena shards`, () => {
        const rs = engine(vector.k, vector.m, kernel);
        const plain = [
          ...vector.data.map((h) => Uint8Array.from(Buffer.from(h, 'hex'))),
          ...vector.parity.map(() => new Uint8Array(vector.len)),
        ];
        rs.encode(plain);
        expect(plain.slice(vector.k).map(hex)).to.deep.equal(vector.parity);

        const arena = rs.allocateShards(vector.len);
        try {
          vector.data.forEach((h, i) => arena[i]!.set(Buffer.from(h, 'hex')));
          rs.encode(arena);
          expect(arena.slice(vector.k).map(hex)).to.deep.equal(vector.parity);
          expect(rs.verify(arena)).to.equal(true);
        } finally {
          rs.release(arena);
        }
      });

      it(`${name}: ${kernel} kernel rebuilds the data from the parity alone where m >= k, else from any k`, () => {
        const rs = engine(vector.k, vector.m, kernel);
        const shards: (Uint8Array | null)[] = [...vector.data, ...vector.parity].map((h) =>
          Uint8Array.from(Buffer.from(h, 'hex')),
        );
        // Lose the first min(m, k) data shards: the hardest case, parity must stand in for data.
        for (let i = 0; i < Math.min(vector.m, vector.k); i++) shards[i] = null;
        const rebuilt = rs.reconstruct(shards);
        expect(rebuilt.slice(0, vector.k).map(hex)).to.deep.equal(vector.data);
        expect(rebuilt.slice(vector.k).map(hex)).to.deep.equal(vector.parity);
      });
    }
  }
});
