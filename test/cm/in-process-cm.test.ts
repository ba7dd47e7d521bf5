// Proves that the storage node runs its consistency manager end to end: eight real StorageNodes in
// one process (three regions, RS(4,2)) start their CMs through the map, take writes at each
// stripe's owner, answer NOT_OWNER elsewhere, read every byte back, and keep reading it (decoded)
// once a node is stopped.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { cmSetOf, owner, stripeKey } from '../../placement/index.js';
import { STORE_DEFAULTS, type NodeConfig } from '../../node/config.js';
import { CmInvalidRequestError, NotOwnerError } from '../../node/cm/errors.js';
import { StorageNode } from '../../node/runtime/storage-node.js';
import { fragmentNodes } from '../../node/cm/owned-stripe.js';
import { fragmentLocations } from '../../node/cluster/stripe-records.js';
import { formatVersion, type FragmentId, type Version } from '../../node/store/version.js';
import { InProcessNetwork, inProcessEnv } from '../node/in-process-env.js';

// Eight nodes in three regions (3, 3, 2): with one of a three-node region declared out, the rule
// (at most m = 2 fragments per region) still has six places for RS(4,2)'s six fragments.
const IDS = [1, 2, 3, 4, 5, 6, 7, 8];

function config(id: number): NodeConfig {
  const region = `r${((id - 1) % 3) + 1}`;
  return {
    cluster: 'in-process-cm',
    id: `n${id}`,
    raftId: id,
    dataDir: `n${id}`,
    region,
    zone: `${region}-z${id}`,
    weight: 1,
    listen: { grpc: `node-${id}:7000`, admin: `node-${id}:8000` },
    peers: IDS.map((peer) => ({ id: `n${peer}`, raftId: peer, grpc: `node-${peer}:7000` })),
    join: null,
    raft: { tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotEvery: 1000 },
    failureDetector: { heartbeatMs: 100, downAfterMs: 60_000, outAfterMs: null, upStableMs: 1000 },
    store: { ...STORE_DEFAULTS, backend: 'memory' },
    repair: { bandwidthBytesPerS: 64 << 20, scrubIntervalMs: null },
    log: { level: 'error' },
  };
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) expect.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('cm: consistency managers inside storage nodes', function () {
  this.timeout(60_000);
  let dir: string;
  let nodes: StorageNode[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cm-'));
  });
  afterEach(async () => {
    for (const node of nodes) await node.stop();
    nodes = [];
    await rm(dir, { recursive: true, force: true });
  });

  /** Sets a node's state (a placement change) and waits until every owner's rebuild pass ran after it. */
  async function setStateAndRebuild(id: string, state: 'out' | 'draining'): Promise<void> {
    const { result } = await nodes[0]!.propose({ type: 'set_state', id, state, reason: 'test' });
    const topology = result.ok ? result.topologyVersion : expect.fail(`${state} was refused`);
    await until(
      'every owner rebuilt its stripes after the topology change',
      () => nodes.every((node) => node.cm.sweep.rebuild.topologyVersion >= topology),
      30_000,
    );
  }

  /**
   * Starts the eight nodes, creates volume `vol` (RS(4,2), 4 KiB blocks) and waits until every CM
   * runs in the newest epoch; resolves with the stripe's owner in it.
   */
  async function startWithVolume(
    network: InProcessNetwork,
  ): Promise<(stripe: number) => StorageNode> {
    nodes = await Promise.all(
      IDS.map((id) => StorageNode.start(config(id), { env: inProcessEnv(network, dir) })),
    );
    await until(
      'every node is in the map',
      () => nodes[0]!.clusterMap.current.members.length === 8,
    );
    const { result } = await nodes[0]!.propose({
      type: 'create_volume',
      name: 'vol',
      k: 4,
      m: 2,
      blockBytes: 4096,
    });
    expect(result).to.deep.include({ ok: true });
    await until('every CM has started, sees the volume and applied the newest epoch', () =>
      nodes.every(
        (node) =>
          node.cm.manager !== null &&
          node.clusterMap.volume('vol') !== undefined &&
          node.clusterMap.current.epoch === nodes[0]!.clusterMap.current.epoch,
      ),
    );
    return (stripe) => {
      const state = nodes[0]!.clusterMap.current;
      const newest = state.epochs[state.epochs.length - 1]!;
      const id = owner(stripeKey('vol', stripe), cmSetOf(newest.epoch, newest.cmSet));
      return nodes.find((node) => node.config.id === id)!;
    };
  }

  it('writes at the owner, refuses elsewhere, reads back, and reads degraded with a node stopped', async () => {
    const network = new InProcessNetwork();
    const ownerOf = await startWithVolume(network);
    const stripeBytes = 4 * 4096;
    const data = [randomBytes(stripeBytes), randomBytes(stripeBytes), randomBytes(stripeBytes)];
    for (const [stripe, bytes] of data.entries()) {
      const writer = {
        writerId: 'test',
        writerSeq: stripe + 1,
        eventTimeMs: Date.now(),
        parts: 4,
        firstPart: 0,
      };
      const acked = await ownerOf(stripe).cm.write({
        volume: 'vol',
        offset: stripe * stripeBytes,
        bytes,
        writer,
        retry: false,
      });
      expect(acked.pieces.map((piece) => piece.index)).to.deep.equal([0, 1, 2, 3]);
    }
    // A partial write that spans two blocks of stripe 1.
    const patch = randomBytes(5000);
    const patchAt = stripeBytes + 3000;
    await ownerOf(1).cm.write({
      volume: 'vol',
      offset: patchAt,
      bytes: patch,
      writer: { writerId: 'test', writerSeq: 10, eventTimeMs: Date.now(), parts: 2, firstPart: 0 },
      retry: false,
    });
    patch.copy(data[1]!, 3000);

    // An event that claims fewer parts than the fragments its write covers is refused whole.
    const miscounted = await ownerOf(2)
      .cm.write({
        volume: 'vol',
        offset: 2 * stripeBytes,
        bytes: randomBytes(stripeBytes),
        writer: {
          writerId: 'test',
          writerSeq: 11,
          eventTimeMs: Date.now(),
          parts: 1,
          firstPart: 0,
        },
        retry: false,
      })
      .catch((error: unknown) => error);
    expect(miscounted).to.be.instanceOf(CmInvalidRequestError);
    expect((miscounted as CmInvalidRequestError).message).to.match(
      /writer\.parts: .* at least 4 parts, not 1/,
    );

    const notOwner = nodes.find((node) => node !== ownerOf(0))!;
    const refused = await notOwner.cm
      .read({ volume: 'vol', offset: 0, length: 10 })
      .catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(NotOwnerError);
    expect((refused as NotOwnerError).owner).to.equal(ownerOf(0).config.id);

    for (const { degraded } of await readsBack(ownerOf, data, stripeBytes, ''))
      expect(degraded).to.equal(false);

    // Stop a node that owns none of these stripes: reads decode around its fragments.
    const owners = new Set([0, 1, 2].map(ownerOf));
    const victim = nodes.find(
      (node) => !owners.has(node) && node !== nodes[0] && node.config.region !== 'r3',
    )!;
    await victim.stop();
    nodes = nodes.filter((node) => node !== victim);
    let degraded = false;
    for (const read of await readsBack(
      ownerOf,
      data,
      stripeBytes,
      ` with ${victim.config.id} stopped`,
    ))
      degraded ||= read.degraded;
    expect(degraded, 'some stripe had a fragment on the stopped node').to.equal(true);

    expect((await nodes[0]!.status()).volumes[0]).to.deep.include({
      unplaced: 0,
      unplacedReason: null,
    });

    // Declared out: placement moves its fragments to the other nodes, and each owner rebuilds them
    // there (the rebuild pass that follows a topology change), with nothing lost.
    await setStateAndRebuild(victim.config.id, 'out');
    expect(
      (await nodes[0]!.status()).volumes[0]!.unplaced,
      'six places remain for six fragments',
    ).to.equal(0);
    const rebuilt = nodes.reduce((sum, node) => sum + node.cm.sweep.rebuild.repaired, 0);
    expect(rebuilt, 'stripes that had a fragment on the node now out').to.be.greaterThan(0);
    for (const { stripe, degraded } of await readsBack(
      ownerOf,
      data,
      stripeBytes,
      ' after the rebuild',
    )) {
      expect(degraded, `stripe ${stripe} reads whole after the rebuild`).to.equal(false);
      const scrub = await ownerOf(stripe).cm.scrub('vol', stripe);
      expect(scrub.findings, `stripe ${stripe} scrubs clean`).to.deep.equal([]);
    }

    // A node of the two-node region declared out too: the rule has five places for six fragments,
    // and the status says so plainly instead of waiting silently.
    const second = nodes.find((node) => node.config.region === 'r3' && node !== nodes[0])!;
    await nodes[0]!.propose({
      type: 'set_state',
      id: second.config.id,
      state: 'out',
      reason: 'test',
    });
    await until(
      'the map shows the second node out',
      () => nodes[0]!.clusterMap.member(second.config.id)?.state === 'out',
    );
    const reduced = (await nodes[0]!.status()).volumes[0]!;
    expect(reduced.unplaced).to.equal(1);
    expect(reduced.unplacedReason).to.be.a('string').and.not.equal('');
  });

  it('drains a node: each fragment moves with its history, the layout switches, and the old copy is deleted', async () => {
    const network = new InProcessNetwork();
    const ownerOf = await startWithVolume(network);
    const stripeBytes = 4 * 4096;
    const STRIPES = 6;
    const data = Array.from({ length: STRIPES }, () => randomBytes(stripeBytes));
    let writerSeq = 0;
    const write = async (stripe: number, offset: number, bytes: Buffer): Promise<void> => {
      writerSeq++;
      const parts = Math.ceil((offset + bytes.length) / 4096) - Math.floor(offset / 4096);
      await ownerOf(stripe).cm.write({
        volume: 'vol',
        offset: stripe * stripeBytes + offset,
        bytes,
        writer: { writerId: 'test', writerSeq, eventTimeMs: Date.now(), parts, firstPart: 0 },
        retry: false,
      });
    };
    // Two versions of every fragment: the whole stripe, then a patch over every block.
    for (const [stripe, bytes] of data.entries()) {
      await write(stripe, 0, bytes);
      for (let block = 0; block < 4; block++) {
        const patch = randomBytes(100);
        await write(stripe, block * 4096 + 7, patch);
        patch.copy(bytes, block * 4096 + 7);
      }
    }
    // Drain a node that owns none of the stripes, and remember every version it holds.
    const owners = new Set(data.map((_, stripe) => ownerOf(stripe)));
    const drained = nodes.find((node) => !owners.has(node) && node.config.region !== 'r3')!;
    const source = network.storeAt(drained.config.listen.grpc);
    const before = new Map<string, { fragment: FragmentId; versions: [Version, Uint8Array][] }>();
    for await (const { fragment } of source.list('vol')) {
      const versions: [Version, Uint8Array][] = [];
      for (const entry of await source.history(fragment))
        versions.push([entry.version, await source.readVersion(fragment, 4096, entry.version)]);
      before.set(`${fragment.stripe}/${fragment.index}`, { fragment, versions });
    }
    expect(before.size, 'the drained node holds fragments').to.be.greaterThan(0);
    await setStateAndRebuild(drained.config.id, 'draining');
    const left: FragmentId[] = [];
    for await (const { fragment } of source.list('vol')) left.push(fragment);
    expect(left, 'every old copy on the drained node was deleted').to.deep.equal([]);
    const state = nodes[0]!.clusterMap.current;
    const volume = nodes[0]!.clusterMap.volume('vol')!;
    for (const { fragment, versions } of before.values()) {
      const now = fragmentNodes(state, volume, fragment.stripe)[fragment.index]!;
      expect(now).to.not.equal(drained.config.id);
      const target = network.storeAt(
        nodes.find((node) => node.config.id === now)!.config.listen.grpc,
      );
      for (const [version, bytes] of versions)
        expect(
          await target.readVersion(fragment, 4096, version),
          `fragment ${fragment.stripe}/${fragment.index} at ${formatVersion(version)} on ${now}`,
        ).to.deep.equal(bytes);
    }
    const stats = nodes.map((node) => node.cm.manager!.stats);
    expect(stats.reduce((sum, s) => sum + s.historiesCopied, 0)).to.equal(before.size);
    expect(stats.reduce((sum, s) => sum + s.sourcesDeleted, 0)).to.equal(before.size);
    for (const { fragment } of before.values())
      expect(
        fragmentLocations(state, volume, fragment.stripe)[fragment.index],
        'the layout names the new node',
      ).to.equal(fragmentNodes(state, volume, fragment.stripe)[fragment.index]);
    for (const { degraded } of await readsBack(ownerOf, data, stripeBytes, ' after the drain'))
      expect(degraded).to.equal(false);
  });
});

/**
 * Reads each stripe of `data` whole through its owner and expects exactly its bytes (`when` ends
 * the message); returns whether each read was degraded.
 */
async function readsBack(
  ownerOf: (stripe: number) => StorageNode,
  data: readonly Buffer[],
  stripeBytes: number,
  when: string,
): Promise<{ stripe: number; degraded: boolean }[]> {
  const reads: { stripe: number; degraded: boolean }[] = [];
  for (const [stripe, bytes] of data.entries()) {
    const read = await ownerOf(stripe).cm.read({
      volume: 'vol',
      offset: stripe * stripeBytes,
      length: stripeBytes,
    });
    expect(Buffer.from(read.bytes).equals(bytes), `stripe ${stripe}${when}`).to.equal(true);
    reads.push({ stripe, degraded: read.degraded });
  }
  return reads;
}
