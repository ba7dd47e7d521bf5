// Proves, on 7 real node processes in 3 regions (3, 2, 2) with an RS(4,2) volume, that draining a
// node of the three-node region (which leaves six places for six fragments)
// (tessera cluster set-state --state draining) moves every fragment it holds: each is copied with
// its history to where placement now puts it, the stripe's layout is switched in the map, and the
// drained node's copy is deleted; every byte reads back throughout, and every stripe verifies on
// disk where the map says its fragments are.
//
// TESSERA_KEEP=1 keeps a failed run's directory (node logs in <dir>/cluster/<node>/node.log).
import { expect } from 'chai';
import { connect, type Cluster } from '../../client/index.js';
import { SeededRandom } from '../../consensus/index.js';
import type { ClusterMapState } from '../../node/cluster/cluster-map-types.js';
import { fragmentLocations } from '../../node/cluster/stripe-records.js';
import { FragmentStore } from '../../node/store/fragment-store.js';
import { openDatabase } from '../../node/store/open-database.js';
import { join } from 'node:path';
import { ProcessCluster, eventually, settled, tessera } from './cm-kit/process-cluster.js';
import { log } from './cm-kit/progress.js';
import { checkStoredStripes } from './cm-kit/store-check.js';

const K = 4;
const M = 2;
const BLOCK_BYTES = 4096;
const STRIPES = 4;
const VOLUME_BYTES = STRIPES * K * BLOCK_BYTES;
const VOLUME = 'drained';

describe('process: draining a node (RS(4,2) on 7 nodes in 3 regions)', function () {
  this.timeout(300_000);
  let cluster: ProcessCluster | undefined;
  let client: Cluster | undefined;
  let failed = true;

  after(async () => {
    await client?.close();
    await cluster?.destroy(failed && process.env.TESSERA_KEEP === '1');
  });

  it('moves each fragment with its history, switches the layout, deletes the old copy, and loses no byte', async () => {
    const random = new SeededRandom(20_261_126);
    cluster = await ProcessCluster.create('tessera-cm-drain-', { nodes: 7, regions: 3 });
    const nodes = cluster;
    nodes.startAll();
    await settled(nodes, 90_000);
    await eventually(
      'every node has started its consistency manager',
      async () => {
        const map = await nodes.map();
        return map?.members.every((member) => (member.incarnation ?? 0) >= 1) ? map : undefined;
      },
      30_000,
    );
    client = await connect({ seeds: nodes.seeds(), writerId: 'drain-writer' });
    await client.createVolume(VOLUME, { k: K, m: M, blockBytes: BLOCK_BYTES });
    const volume = await client.openVolume(VOLUME);
    const content = Buffer.from(Array.from({ length: VOLUME_BYTES }, () => random.int(256)));
    await volume.write(0, content);
    // A second version of every block, so that each fragment has a history to carry.
    for (let block = 0; block < STRIPES * K; block++) {
      const patch = Buffer.from(Array.from({ length: 300 }, () => random.int(256)));
      await volume.write(block * BLOCK_BYTES + 50, patch);
      patch.copy(content, block * BLOCK_BYTES + 50);
    }
    const before = (await nodes.map())!;
    const record = before.volumes.find((candidate) => candidate.name === VOLUME)!;
    const holds = (map: ClusterMapState, node: string): number =>
      Array.from({ length: STRIPES }, (_, stripe) =>
        fragmentLocations(map, record, stripe).filter((at) => at === node),
      ).flat().length;
    const regionSize = (region: string): number =>
      nodes.nodes.filter((node) => node.region === region).length;
    const drained = nodes.nodes
      .filter((node) => regionSize(node.region) === 3)
      .map((node) => node.id)
      .sort((a, b) => holds(before, b) - holds(before, a))[0]!;
    log(`draining ${drained}, which holds ${holds(before, drained)} fragments of ${VOLUME}`);
    expect(holds(before, drained)).to.be.greaterThan(0);
    const live = nodes.nodes.find((node) => node.id !== drained)!;
    const result = await tessera(
      'cluster',
      'set-state',
      '--node',
      drained,
      '--state',
      'draining',
      '--reason',
      'test',
      '--grpc',
      live.grpc,
    );
    expect(result.code, result.stderr).to.equal(0);
    const after = await eventually(
      `every stripe's layout moves its fragments off ${drained}`,
      async () => {
        const map = await nodes.map();
        return map && holds(map, drained) === 0 ? map : undefined;
      },
      60_000,
      500,
    );
    expect(Buffer.from(await volume.read(0, VOLUME_BYTES)).equals(content)).to.equal(true);
    await client.close();
    client = undefined;
    for (const id of nodes.running()) await nodes.terminate(id);
    const reports = await checkStoredStripes(after, record, STRIPES, (id) => nodes.dataDir(id));
    expect(reports.flatMap((report) => report.problems)).to.deep.equal([]);
    const store = await FragmentStore.open({
      db: await openDatabase('segments', join(nodes.dataDir(drained), 'fragments')),
      sync: false,
    });
    try {
      const left: string[] = [];
      for await (const item of store.list(VOLUME))
        left.push(`${item.fragment.stripe}/${item.fragment.index}`);
      expect(left, 'the drained node keeps no fragment').to.deep.equal([]);
    } finally {
      await store.close();
    }
    // A moved data fragment reads, on its new node, at the version before the patch too.
    const moved = Array.from({ length: STRIPES }, (_, stripe) => stripe).flatMap((stripe) =>
      fragmentLocations(before, record, stripe).flatMap((node, index) =>
        node === drained && index < K ? [{ stripe, index }] : [],
      ),
    );
    for (const { stripe, index } of moved) {
      const now = fragmentLocations(after, record, stripe)[index]!;
      const target = await FragmentStore.open({
        db: await openDatabase('segments', join(nodes.dataDir(now), 'fragments')),
        sync: false,
      });
      try {
        const history = await target.history({ volume: VOLUME, stripe, index });
        expect(history.length, `fragment ${stripe}/${index} on ${now}`).to.be.at.least(2);
      } finally {
        await target.close();
      }
    }
    failed = false;
  });
});
