// Proves that damage on a disk is never returned as data and is repaired: bytes that fail their
// CRC32C are decoded around on a read, found by a scrub and rewritten; parity bytes changed
// behind the checksum's back (so that only the erasure code can tell) is found by the scrub's
// parity check and re-encoded from the data.
import { expect } from 'chai';
import { decodeRecord, encodeRecord, keys } from '../../node/store/store-codec.js';
import { expectAllInvariants, kit, steps } from './scenario-kit.js';

describe('cm: scrubbing', function () {
  this.timeout(60_000);

  it('reads around bytes that fail their checksum, then the scrub finds it and rewrites the fragment', async () => {
    const k = await kit(11);
    let stripe = 0;
    let owner = '';
    let written = 0;
    await steps([
      [
        'w1 writes X over data fragment 0 of a stripe whose owner does not hold it',
        async () => {
          stripe = k.findStripe((who, nodes) => nodes[0] !== who);
          owner = k.ownerOf(stripe);
          const x = await k.write('w1', 1, k.block(stripe, 0));
          expect(x.outcome).to.equal('acked');
          written = x.id;
        },
      ],
      [
        'one byte of that fragment flips on its disk',
        async () => {
          const node = k.world.nodes.get(k.nodesOf(stripe)[0]!)!;
          const fragment = { volume: 'sim', stripe, index: 0 };
          const key = keys.record(fragment, (await node.store.read(fragment, 4096)).version);
          const value = Uint8Array.from((await node.db.get(key))!);
          value[value.length - 10] = value[value.length - 10]! ^ 0xff;
          await node.db.put(key, value);
          const error = await node.store
            .read({ volume: 'sim', stripe, index: 0 }, 4096)
            .catch((e: unknown) => e);
          expect((error as { code?: string }).code).to.equal('STORE_CHECKSUM');
        },
      ],
      [
        'a read returns X, decoded from the other fragments',
        async () => {
          expect(new Set(await k.read(k.block(stripe, 0)))).to.deep.equal(new Set([written]));
          expect(k.world.nodes.get(owner)!.cm!.stats.degradedReads).to.be.greaterThan(0);
        },
      ],
      [
        'the owner scrubs the stripe: a checksum finding on fragment 0, repaired',
        async () => {
          const result = await k.drive(k.world.nodes.get(owner)!.cm!.scrubStripe('sim', stripe));
          expect(result.findings).to.deep.equal([{ index: 0, kind: 'checksum' }]);
          expect(result.repaired).to.equal(true);
          const node = k.world.nodes.get(k.nodesOf(stripe)[0]!)!;
          const read = await node.store.read({ volume: 'sim', stripe, index: 0 }, 4096);
          expect(read.bytes.length).to.equal(4096);
        },
      ],
      [
        'a second scrub finds nothing',
        async () => {
          const result = await k.drive(k.world.nodes.get(owner)!.cm!.scrubStripe('sim', stripe));
          expect(result).to.deep.equal({ findings: [], repaired: false });
        },
      ],
    ]);
    await expectAllInvariants(k);
  });

  it('finds parity that no longer matches the data (with valid checksums) and re-encodes it', async () => {
    const k = await kit(12);
    let stripe = 0;
    let owner = '';
    await steps([
      [
        'w1 writes X over data fragment 1',
        async () => {
          stripe = k.findStripe(() => true);
          owner = k.ownerOf(stripe);
          expect((await k.write('w1', 1, k.block(stripe, 1))).outcome).to.equal('acked');
        },
      ],
      [
        'a byte of the first parity changes, its checksum recomputed to match',
        async () => {
          const node = k.world.nodes.get(k.nodesOf(stripe)[2]!)!;
          const fragment = { volume: 'sim', stripe, index: 2 };
          const key = keys.record(fragment, (await node.store.read(fragment, 4096)).version);
          const { header, bytes } = decodeRecord((await node.db.get(key))!, 'parity');
          const content = Uint8Array.from(bytes);
          content[0] = content[0]! ^ 0x01;
          await node.db.put(key, encodeRecord(header, content));
        },
      ],
      [
        'the scrub reports the stripe as a whole and re-encodes its parity',
        async () => {
          const result = await k.drive(k.world.nodes.get(owner)!.cm!.scrubStripe('sim', stripe));
          expect(result.findings).to.deep.equal([{ index: -1, kind: 'parity' }]);
          expect(result.repaired).to.equal(true);
          const again = await k.drive(k.world.nodes.get(owner)!.cm!.scrubStripe('sim', stripe));
          expect(again.findings).to.deep.equal([]);
        },
      ],
    ]);
    await expectAllInvariants(k);
  });
});
