// Proves the core's small pure parts on their own: majorities and the commit index a majority
// holds, vote tallies, the ReadIndex queue releasing reads in order once a majority confirms
// them, and the snapshot receiver resuming at the right byte after lost or repeated chunks.
import { expect } from 'chai';
import { ReadIndexQueue } from '../../consensus/read-index.js';
import { quorumIndex, quorumSize, tallyVotes } from '../../consensus/quorum.js';
import { SnapshotReceiver } from '../../consensus/snapshot-receiver.js';
import type { SnapshotChunk, SnapshotMeta } from '../../consensus/index.js';

describe('majorities', () => {
  it('need more than half of the voters', () => {
    expect(
      [1, 2, 3, 4, 5, 6].map((n) => quorumSize(Array.from({ length: n }, (_, i) => i + 1))),
    ).to.deep.equal([1, 2, 2, 3, 3, 4]);
  });

  it('commit to the highest index a majority holds, whatever the order of matches', () => {
    const match = new Map([
      [1, 9],
      [2, 4],
      [3, 7],
      [4, 2],
      [5, 7],
    ]);
    expect(quorumIndex([1, 2, 3, 4, 5], (id) => match.get(id) ?? 0)).to.equal(7);
    expect(quorumIndex([1, 2, 4], (id) => match.get(id) ?? 0)).to.equal(4);
  });

  it('decide an election only once a majority has answered one way', () => {
    const votes = new Map([
      [1, true],
      [2, false],
    ]);
    expect(tallyVotes([1, 2, 3], votes)).to.equal('pending');
    expect(tallyVotes([1, 2, 3], new Map([...votes, [3, true]]))).to.equal('won');
    expect(tallyVotes([1, 2, 3], new Map([...votes, [3, false]]))).to.equal('lost');
    expect(tallyVotes([1, 2, 3], new Map([...votes, [9, true]]))).to.equal('pending'); // not a voter
  });
});

describe('the ReadIndex queue', () => {
  it('releases reads in order, each once a majority answered a heartbeat of its round or later', () => {
    const queue = new ReadIndexQueue();
    const voters = [1, 2, 3, 4, 5];
    expect(queue.add(100, 7, 1, voters)).to.deep.equal([]);
    expect(queue.add(101, 8, 1, voters)).to.deep.equal([]);
    expect(queue.ack(2, 1, voters)).to.deep.equal([]); // leader and 2: not yet a majority of 5
    expect(queue.ack(3, 2, voters)).to.deep.equal([{ context: 100, index: 7 }]); // 1, 2, 3
    expect(queue.ack(9, 2, voters)).to.deep.equal([]); // 9 is not a voter
    expect(queue.ack(4, 2, voters)).to.deep.equal([{ context: 101, index: 8 }]);
    expect(queue.size).to.equal(0);
  });

  it('serves a lone voter at once', () => {
    expect(new ReadIndexQueue().add(5, 3, 1, [1])).to.deep.equal([{ context: 5, index: 3 }]);
  });
});

describe('the snapshot receiver', () => {
  const meta: SnapshotMeta = { index: 40, term: 3, config: { voters: [1, 2, 3], learners: [] } };
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);
  const chunk = (offset: number, end: number): SnapshotChunk => ({
    type: 'snapshot',
    from: 1,
    to: 2,
    term: 3,
    meta,
    offset,
    data: bytes.subarray(offset, end),
    done: end === bytes.length,
    totalBytes: bytes.length,
  });

  it('assembles chunks in order and asks again for the byte after a lost chunk', () => {
    const receiver = new SnapshotReceiver();
    expect(receiver.accept(chunk(0, 4))).to.deep.equal({ kind: 'more', nextOffset: 4 });
    expect(receiver.accept(chunk(8, 10))).to.deep.equal({ kind: 'more', nextOffset: 4 }); // 4..8 lost
    expect(receiver.accept(chunk(0, 4))).to.deep.equal({ kind: 'more', nextOffset: 4 }); // restart
    expect(receiver.accept(chunk(4, 8))).to.deep.equal({ kind: 'more', nextOffset: 8 });
    expect(receiver.accept(chunk(4, 8))).to.deep.equal({ kind: 'more', nextOffset: 8 }); // duplicate
    const done = receiver.accept(chunk(8, 10));
    expect(done.kind).to.equal('complete');
    expect(done.kind === 'complete' ? [...done.snapshot.data] : []).to.deep.equal([...bytes]);
  });

  it('asks for the start when a chunk belongs to a snapshot it has not begun', () => {
    expect(new SnapshotReceiver().accept(chunk(4, 8))).to.deep.equal({
      kind: 'more',
      nextOffset: 0,
    });
  });
});
