// Proves that a storage node reaches the world only through its NodeEnv: three real StorageNodes
// run in one process on an in-process network (no sockets) and an in-memory store, elect a
// leader, agree on the cluster map, and take a proposal through a follower.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { STORE_DEFAULTS, type NodeConfig } from '../../node/config.js';
import { StorageNode } from '../../node/runtime/storage-node.js';
import { InProcessNetwork, inProcessEnv } from './in-process-env.js';

function config(id: number): NodeConfig {
  return {
    cluster: 'in-process',
    id: `n${id}`,
    raftId: id,
    dataDir: `n${id}`,
    region: `r${id}`,
    zone: `r${id}-a`,
    weight: 1,
    listen: { grpc: `node-${id}:7000`, admin: `node-${id}:8000` },
    peers: [1, 2, 3].map((peer) => ({ id: `n${peer}`, raftId: peer, grpc: `node-${peer}:7000` })),
    join: null,
    raft: { tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotEvery: 1000 },
    failureDetector: { heartbeatMs: 100, downAfterMs: 2000, outAfterMs: null, upStableMs: 1000 },
    store: { ...STORE_DEFAULTS, backend: 'memory' },
    repair: { bandwidthBytesPerS: 64 << 20, scrubIntervalMs: null },
    log: { level: 'error' },
  };
}

describe('node: a cluster in one process, through NodeEnv alone', function () {
  this.timeout(30_000);
  let dir: string;
  let nodes: StorageNode[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-inproc-'));
  });
  afterEach(async () => {
    for (const node of nodes) await node.stop();
    nodes = [];
    await rm(dir, { recursive: true, force: true });
  });

  it('elects a leader, agrees on the map, and commits a proposal made through a follower', async () => {
    const network = new InProcessNetwork();
    nodes = await Promise.all(
      [1, 2, 3].map((id) => StorageNode.start(config(id), { env: inProcessEnv(network, dir) })),
    );
    const end = Date.now() + 20_000;
    const agreed = async (): Promise<boolean> => {
      const statuses = await Promise.all(nodes.map((node) => node.status()));
      const maps = new Set(
        nodes.map((node) => JSON.stringify({ ...node.clusterMap.current, appliedIndex: 0 })),
      );
      return (
        statuses.every((status) => status.ready && status.members.length === 3) && maps.size === 1
      );
    };
    while (!(await agreed())) {
      if (Date.now() > end) expect.fail('the in-process cluster did not settle');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const statuses = await Promise.all(nodes.map((node) => node.status()));
    expect(new Set(statuses.map((status) => status.raft.leader)).size).to.equal(1);
    const follower = nodes.find((node, i) => statuses[i]!.raft.role === 'follower')!;
    const { result } = await follower.propose({
      type: 'create_volume',
      name: 'in-memory',
      k: 2,
      m: 1,
      blockBytes: 65536,
    });
    expect(result).to.deep.include({ ok: true });
    expect(network.delivered, 'Raft traffic went through the in-process network').to.be.greaterThan(
      0,
    );
    expect(follower.grpcAddress).to.equal(follower.config.listen.grpc);
  });
});
