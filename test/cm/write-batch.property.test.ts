// Proves the cut of a batch of writes into groups that one update each carries: the order of the
// writes is kept, a write is never split, no group touches a data fragment twice, a retry stands
// alone, and a group ends only where the next write could not join it.
import { expect } from 'chai';
import fc from 'fast-check';
import { groupsOf } from '../../node/cm/write-batch.js';

interface Write {
  readonly id: number;
  readonly pieces: { index: number }[];
  readonly retry: boolean;
}

/** A write: 1 to k consecutive data fragments of RS(k, m), sometimes a retry. */
const write = (k: number) =>
  fc
    .record({
      first: fc.nat(k - 1),
      count: fc.integer({ min: 1, max: k }),
      retry: fc.boolean(),
    })
    .map(({ first, count, retry }) => ({
      pieces: Array.from({ length: Math.min(count, k - first) }, (_, at) => ({
        index: first + at,
      })),
      retry,
    }));

const batch = fc
  .integer({ min: 1, max: 8 })
  .chain((k) =>
    fc
      .array(write(k), { maxLength: 24 })
      .map((writes) => writes.map((each, id): Write => ({ ...each, id }))),
  );

describe('cm: writes of a batch cut into updates', () => {
  it('keeps order, keeps each write whole, touches a fragment once per group, and cuts only where it must', () => {
    fc.assert(
      fc.property(batch, (writes) => {
        const groups = groupsOf(writes, (each) => each.retry);
        expect(groups.flat().map((each) => each.id)).to.deep.equal(writes.map((each) => each.id));
        for (const group of groups) {
          expect(group.length).to.be.greaterThan(0);
          const indexes = group.flatMap((each) => each.pieces.map((piece) => piece.index));
          expect(new Set(indexes).size, 'a fragment twice in one group').to.equal(indexes.length);
          if (group.some((each) => each.retry)) expect(group.length).to.equal(1);
        }
        // Each cut is needed: the next group's first write is a retry, follows a retry, or
        // touches a fragment the group before already touches.
        for (let at = 1; at < groups.length; at++) {
          const before = groups[at - 1]!;
          const first = groups[at]![0]!;
          const touched = new Set(before.flatMap((each) => each.pieces.map((p) => p.index)));
          const clash = first.pieces.some((piece) => touched.has(piece.index));
          expect(first.retry || before[0]!.retry || clash, `cut before write ${first.id}`).to.equal(
            true,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('carries a stream of new blocks in one update per stripe', () => {
    const stream = Array.from({ length: 8 }, (_, id) => ({
      id,
      pieces: [{ index: id % 4 }],
    }));
    expect(
      groupsOf(stream, () => false).map((group) => group.map((each) => each.id)),
    ).to.deep.equal([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });
});
