// Proves that every kind of bad input gets its own typed error, naming what is wrong, and
// leaves every shard exactly as it was.
import { expect } from 'chai';
import {
  ArenaFullError,
  DetachedShardError,
  ErasureRangeError,
  ForeignShardError,
  gfMulXor,
  ReedSolomon,
  ShardCountError,
  ShardLengthError,
  ShardOverlapError,
  TooManyMissingError,
} from '../../erasure/index.js';
import { engine, KERNELS, randomShards, snapshot } from './helpers.js';

/** Expects `action` to throw `type` with a message matching `pattern`, changing no shard. */
function rejects(
  shards: (Uint8Array | null)[],
  action: () => unknown,
  type: abstract new (...args: never[]) => Error,
  pattern: RegExp,
): void {
  const before = snapshot(shards);
  expect(action).to.throw(type, pattern);
  expect(snapshot(shards)).to.deep.equal(before);
}

/** A view whose buffer has since been transferred away (as postMessage would). */
function detached(length: number): Uint8Array {
  const view = new Uint8Array(length);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

describe('erasure: bad input', () => {
  describe('the constructor', () => {
    for (const [k, m, name] of [
      [0, 2, 'k'],
      [4, 0, 'm'],
      [-1, 2, 'k'],
      [2.5, 2, 'k'],
      [4, Number.NaN, 'm'],
      [200, 57, 'k \\+ m'],
    ] as const) {
      it(`refuses RS(${k},${m}) with a RangeError naming ${name.replace('\\', '')}`, () => {
        expect(() => new ReedSolomon(k, m)).to.throw(RangeError, new RegExp(`^${name}`));
        expect(() => new ReedSolomon(k, m)).to.throw(ErasureRangeError);
      });
    }
    it('accepts the widest scheme, k + m = 256', () => {
      expect(new ReedSolomon(200, 56, { arenaBytes: 1 << 20 }).k).to.equal(200);
    });
    it('refuses an unknown kernel and an impossible arena', () => {
      expect(() => new ReedSolomon(2, 1, { kernel: 'gpu' as never })).to.throw(
        RangeError,
        /kernel/,
      );
      expect(() => new ReedSolomon(2, 1, { arenaBytes: -1 })).to.throw(RangeError, /arenaBytes/);
      expect(() => new ReedSolomon(2, 1, { scratchBytes: 10 })).to.throw(
        RangeError,
        /scratchBytes/,
      );
    });
  });

  for (const kernel of KERNELS) {
    describe(`${kernel} kernel`, () => {
      const rs = engine(4, 2, kernel);

      it('encode refuses a wrong shard count, and lengths that differ, naming the shard', () => {
        const shards = randomShards(4, 2, 64, 1);
        rejects(
          shards,
          () => rs.encode(shards.slice(0, 5)),
          ShardCountError,
          /expected 6 shards, got 5/,
        );
        const uneven = [...shards.slice(0, 5), new Uint8Array(63)];
        rejects(
          uneven,
          () => rs.encode(uneven),
          ShardLengthError,
          /parity shard 1 \(shard 5\) has 63 bytes/,
        );
      });

      it('encode refuses parity that overlaps data or other parity', () => {
        const backing = new Uint8Array(64 * 6);
        const shards = Array.from({ length: 6 }, (_, i) => backing.subarray(i * 64, i * 64 + 64));
        shards[5] = backing.subarray(32, 96); // overlaps data shards 0 and 1
        rejects(
          shards,
          () => rs.encode(shards),
          ShardOverlapError,
          /parity shard 1 \(shard 5\) and data shard 0 share memory/,
        );
        const twice = [...shards.slice(0, 4), shards[4]!, shards[4]!];
        rejects(twice, () => rs.encode(twice), ShardOverlapError, /share memory/);
      });

      it('encode refuses a detached shard', () => {
        const shards = randomShards(4, 2, 64, 1);
        shards[2] = detached(64);
        rejects(
          shards,
          () => rs.encode(shards),
          DetachedShardError,
          /data shard 2 is a view of a detached ArrayBuffer/,
        );
      });

      it('reconstruct with more than m missing says how many are missing and how many may be', () => {
        const shards: (Uint8Array | null)[] = randomShards(4, 2, 64, 3);
        shards[0] = shards[3] = shards[5] = null;
        rejects(
          shards,
          () => rs.reconstruct(shards),
          TooManyMissingError,
          /3 shards are missing but at most 2 may be/,
        );
        const error = (() => {
          try {
            rs.reconstruct(shards);
          } catch (caught) {
            return caught as TooManyMissingError;
          }
          return undefined;
        })();
        expect(error?.code).to.equal('ERASURE_TOO_MANY_MISSING');
        expect([error?.missing, error?.tolerated]).to.deep.equal([3, 2]);
      });

      it('reconstructInto refuses an index out of range', () => {
        const shards = randomShards(4, 2, 64, 4);
        rejects(
          shards,
          () => rs.reconstructInto(shards, [6]),
          ErasureRangeError,
          /missing or unavailable index must be an integer in \[0, 5\], got 6/,
        );
      });

      it('updateParity refuses an offset or range outside the shard, a bad index, and the wrong parity count', () => {
        const parity = randomShards(0, 2, 128, 0).map((_, i) => randomShards(1, 0, 128, i + 9)[0]!);
        const delta = new Uint8Array(16).fill(1);
        rejects(
          parity,
          () => rs.updateParity(parity, 0, delta, 120),
          ShardLengthError,
          /offset 120 with a delta of 16 bytes falls outside parity shards of 128 bytes/,
        );
        rejects(parity, () => rs.updateParity(parity, 0, delta, -1), ShardLengthError, /offset -1/);
        rejects(
          parity,
          () => rs.updateParity(parity, 4, delta, 0),
          ErasureRangeError,
          /dataIndex must be an integer in \[0, 3\], got 4/,
        );
        rejects(
          parity,
          () => rs.updateParity(parity.slice(0, 1), 0, delta, 0),
          ShardCountError,
          /expected 2 shards, got 1/,
        );
        rejects(
          parity,
          () => rs.updateParity(parity, 0, parity[1]!.subarray(0, 16), 8),
          ShardOverlapError,
          /delta/,
        );
      });

      it('coefficient refuses indexes out of range', () => {
        expect(() => rs.coefficient(2, 0)).to.throw(
          ErasureRangeError,
          /parityIndex must be an integer in \[0, 1\], got 2/,
        );
        expect(() => rs.coefficient(0, -1)).to.throw(ErasureRangeError, /dataIndex/);
      });

      it('allocateShards throws ArenaFullError when full and hands out nothing; release refuses foreign and double releases', () => {
        const small = new ReedSolomon(4, 2, { kernel, arenaBytes: 256 << 10 });
        const taken = small.allocateShards(16 << 10);
        expect(() => small.allocateShards(64 << 10)).to.throw(ArenaFullError, /cannot hold/);
        const more = small.allocateShards(16 << 10); // the failed call left nothing behind
        expect(() => small.release([new Uint8Array(16)])).to.throw(ForeignShardError);
        small.release(taken);
        expect(() => small.release(taken)).to.throw(ForeignShardError, /released already/);
        small.release(more);
      });
    });
  }

  describe('gfMulXor', () => {
    it('refuses lengths that differ, a coefficient out of range, and overlap, changing nothing', () => {
      const target = new Uint8Array(32).fill(7);
      const source = new Uint8Array(31).fill(9);
      rejects(
        [target],
        () => gfMulXor(target, source, 3),
        ShardLengthError,
        /target has 32 bytes but source has 31/,
      );
      rejects(
        [target],
        () => gfMulXor(target, new Uint8Array(32), 256),
        ErasureRangeError,
        /coefficient must be an integer in \[0, 255\], got 256/,
      );
      rejects(
        [target],
        () => gfMulXor(target.subarray(0, 16), target.subarray(8, 24), 3),
        ShardOverlapError,
        /target and source share memory/,
      );
    });
  });
});
