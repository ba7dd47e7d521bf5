// Proves that the SDK splits a writer's event into one request per stripe (numbered parts, each
// request's firstPart its first block) and sends each straight to the stripe's owner as the nodes
// compute it, so a multi-stripe write lands whole and reads back byte for byte.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { connect, splitEvent, type Cluster } from '../../client/index.js';
import { startFakeCluster, volumeRecord, type FakeCluster } from './fake-cluster.js';

const BLOCK = 4096;

describe('client: routing and the split of an event', () => {
  let cluster: FakeCluster;
  let client: Cluster;

  beforeEach(async () => {
    cluster = await startFakeCluster(3, [volumeRecord('disk', 2, 1, BLOCK)]);
    client = await connect({ seeds: [cluster.seeds[0]!], mapRefreshMs: 3_600_000 });
  });
  afterEach(async () => {
    await client.close();
    await cluster.stop();
  });

  it('sends each stripe of a write to its owner, with the parts of the whole event', async () => {
    const volume = await client.openVolume('disk');
    const offset = 5000; // inside block 1 of stripe 0
    const bytes = randomBytes(12 * 2 * BLOCK + 3000); // through stripe 12
    const result = await volume.write(offset, bytes);

    const writes = cluster.state.writes();
    const firstBlock = Math.floor(offset / BLOCK);
    const parts = Math.floor((offset + bytes.length - 1) / BLOCK) - firstBlock + 1;
    // Step 1: one request per stripe 0…12, each at that stripe's owner at the first try.
    expect(writes.map((call) => call.stripe).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 13 }, (_, stripe) => stripe),
    );
    for (const call of writes) {
      expect(call.outcome).to.equal('applied');
      expect(call.node, `stripe ${call.stripe}`).to.equal(
        cluster.state.ownerOf('disk', call.stripe),
      );
    }
    expect(new Set(writes.map((call) => call.node)).size, 'owners spread').to.be.greaterThan(1);
    // Step 2: every request carries the same event: writer, sequence, part count.
    for (const call of writes) {
      expect(call).to.include({ writerId: client.writerId, writerSeq: result.writerSeq, parts });
      expect(call.retry).to.equal(false);
      expect(call.firstPart).to.equal(Math.floor(call.offset / BLOCK) - firstBlock);
    }
    // Step 3: the parts are covered exactly once.
    const covered = writes.flatMap((call) => {
      const blocks =
        Math.floor((call.offset + call.length - 1) / BLOCK) - Math.floor(call.offset / BLOCK) + 1;
      return Array.from({ length: blocks }, (_, at) => call.firstPart + at);
    });
    expect(covered.sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: parts }, (_, part) => part),
    );
    expect(result.stripes).to.have.length(13);

    // Step 4: the bytes read back, each stripe again from its owner.
    expect((await volume.read(offset, bytes.length)).equals(bytes)).to.equal(true);
    for (const call of cluster.state.calls.filter((candidate) => candidate.kind === 'read'))
      expect(call.node).to.equal(cluster.state.ownerOf('disk', call.stripe));
  });

  it('gives each write the next writer sequence', async () => {
    const volume = await client.openVolume('disk');
    const first = await volume.write(0, Buffer.from('one'));
    const second = await volume.write(100_000, Buffer.from('two'));
    expect(second.writerSeq).to.equal(first.writerSeq + 1);
    expect((await volume.read(0, 3)).toString()).to.equal('one');
    expect((await volume.read(99_999, 5)).equals(Buffer.from('\0two\0'))).to.equal(true);
  });

  it('cuts a stripe longer than requestBytesMax at block boundaries, parts still in order', async () => {
    await client.close();
    client = await connect({
      seeds: cluster.seeds,
      requestBytesMax: BLOCK,
      mapRefreshMs: 3_600_000,
    });
    const volume = await client.openVolume('disk');
    const bytes = randomBytes(3 * BLOCK);
    await volume.write(BLOCK / 2, bytes);
    const writes = cluster.state.writes().sort((a, b) => a.offset - b.offset);
    expect(
      writes.map((call) => [call.stripe, call.offset, call.length, call.firstPart]),
    ).to.deep.equal([
      [0, BLOCK / 2, BLOCK / 2, 0],
      [0, BLOCK, BLOCK, 1],
      [1, 2 * BLOCK, BLOCK, 2],
      [1, 3 * BLOCK, BLOCK / 2, 3],
    ]);
    expect(writes.every((call) => call.parts === 4)).to.equal(true);
  });
});

describe('client: splitEvent', () => {
  it('covers the range once, in stripe-bounded pieces whose parts count its blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(4096, 8192),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (k, blockBytes, offset, length, requestBytesMax) => {
          const split = splitEvent({ k, blockBytes }, offset, length, requestBytesMax);
          const firstBlock = Math.floor(offset / blockBytes);
          expect(split.parts).to.equal(
            Math.floor((offset + length - 1) / blockBytes) - firstBlock + 1,
          );
          let at = offset;
          let nextPart = 0;
          for (const piece of split.pieces) {
            expect(piece.offset).to.equal(at);
            expect(piece.at).to.equal(at - offset);
            expect(piece.length).to.be.greaterThan(0);
            const stripeBytes = k * blockBytes;
            expect(piece.stripe).to.equal(Math.floor(piece.offset / stripeBytes));
            expect(piece.offset + piece.length).to.be.at.most((piece.stripe + 1) * stripeBytes);
            if (piece.length > requestBytesMax)
              expect(Math.floor(piece.offset / blockBytes)).to.equal(
                Math.floor((piece.offset + piece.length - 1) / blockBytes),
              );
            // Pieces follow each other, so parts continue where the last one ended (or in it).
            const pieceFirstBlock = Math.floor(piece.offset / blockBytes);
            expect(piece.firstPart).to.equal(pieceFirstBlock - firstBlock);
            expect(piece.firstPart === nextPart || piece.firstPart === nextPart - 1).to.equal(true);
            nextPart = Math.floor((piece.offset + piece.length - 1) / blockBytes) - firstBlock + 1;
            at += piece.length;
          }
          expect(at).to.equal(offset + length);
          expect(nextPart).to.equal(split.parts);
        },
      ),
    );
  });
});
