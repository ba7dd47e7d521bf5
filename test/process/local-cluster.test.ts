// Proves, with real node processes on loopback, what an operator relies on from a cluster: a
// leader is elected and every node holds the same map; kill -9 of the leader gives a new leader
// and loses no committed change; the killed node, restarted, catches up and is marked up again;
// a node joins through a member and becomes a voter, and a member removed by command leaves.
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  freePorts,
  layoutFor,
  startNode,
  tesseraBinary,
  type LocalLayout,
  type LocalNode,
} from '../../node/cli/local-cluster.js';
import type { ClusterMapState } from '../../node/cluster/cluster-map-types.js';
import { unaryCall } from '../../node/grpc/unary-call.js';
import type { ClusterClient } from '../../proto/generated/tessera/v1/Cluster.js';
import type { NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import { CHANNEL_OPTIONS, clusterProto } from '../../proto/load.js';
import { eventually, logTroubles } from './cm-kit/process-cluster.js';

class Cluster {
  readonly processes = new Map<string, ChildProcess>();
  private readonly clients = new Map<string, ClusterClient>();
  constructor(
    readonly dir: string,
    readonly layout: LocalLayout,
  ) {}

  start(node: LocalNode): void {
    this.processes.set(node.id, startNode(this.dir, node));
  }

  kill(id: string): Promise<void> {
    const child = this.processes.get(id)!;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    this.processes.delete(id);
    return exited;
  }

  async view(node: LocalNode): Promise<NodeView__Output | undefined> {
    let client = this.clients.get(node.id);
    if (!client) {
      client = new (clusterProto().tessera.v1.Cluster)(
        node.grpc,
        grpc.credentials.createInsecure(),
        CHANNEL_OPTIONS,
      );
      this.clients.set(node.id, client);
    }
    return unaryCall<object, NodeView__Output>(client, 'View', {}, 1000).catch(() => undefined);
  }

  async views(): Promise<Map<string, NodeView__Output>> {
    const views = new Map<string, NodeView__Output>();
    for (const node of this.layout.nodes) {
      if (!this.processes.has(node.id)) continue;
      const view = await this.view(node);
      if (view) views.set(node.id, view);
    }
    return views;
  }

  async propose(node: LocalNode, command: object): Promise<{ ok: boolean }> {
    await this.view(node);
    const reply = await unaryCall<object, { resultJson: string }>(
      this.clients.get(node.id)!,
      'Propose',
      { commandJson: JSON.stringify(command) },
      10_000,
    );
    return JSON.parse(reply.resultJson) as { ok: boolean };
  }

  async stop(): Promise<void> {
    for (const client of this.clients.values()) client.close();
    await Promise.all([...this.processes.keys()].map((id) => this.kill(id)));
  }
}

/** The views once one leader is agreed on, every running node has applied the same map, and every member in it is `up`. */
async function settled(
  cluster: Cluster,
  expectedMembers: number,
): Promise<Map<string, NodeView__Output>> {
  return eventually('the cluster settles', async () => {
    const views = await cluster.views();
    if (views.size !== cluster.processes.size) return undefined;
    const all = [...views.values()];
    const leaders = new Set(all.map((view) => view.leader));
    const maps = new Set(
      all.map((view) =>
        JSON.stringify({ ...(JSON.parse(view.mapJson) as ClusterMapState), appliedIndex: 0 }),
      ),
    );
    const map = JSON.parse(all[0]!.mapJson) as ClusterMapState;
    const allUp =
      map.members.length === expectedMembers &&
      map.members.every((member) => member.state === 'up');
    return leaders.size === 1 && !leaders.has(0) && maps.size === 1 && allUp ? views : undefined;
  });
}

describe('process: a local cluster of real nodes', function () {
  this.timeout(120_000);
  let dir: string;
  let cluster: Cluster | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-cluster-'));
  });
  afterEach(async function () {
    await cluster?.stop();
    if (this.currentTest?.state === 'failed' && cluster) {
      // What the nodes said, for a failure in CI.
      for (const node of cluster.layout.nodes) {
        const log = await readFile(join(dir, node.id, 'node.log'), 'utf8').catch(() => '');
        console.log(
          `--- ${node.id} (last lines of node.log)\n${log.split('\n').slice(-15).join('\n')}`,
        );
      }
    }
    cluster = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('3 nodes: elect a leader, agree on the map, survive kill -9 of the leader, and take the killed node back', async () => {
    const { layout } = await layoutFor(dir, 3, 3, 50);
    cluster = new Cluster(dir, layout);
    for (const node of layout.nodes) cluster.start(node);
    const first = await settled(cluster, 3);
    const leaderId = first.values().next().value!.leader;
    const leader = layout.nodes.find((node) => node.raftId === leaderId)!;
    const firstTerm = first.get(leader.id)!.term;

    // A change committed before the crash, proposed through a follower (forwarded to the leader).
    const follower = layout.nodes.find((node) => node !== leader)!;
    expect(
      await cluster.propose(follower, {
        type: 'create_volume',
        name: 'before-crash',
        k: 1,
        m: 1,
        blockBytes: 65536,
      }),
    ).to.deep.include({ ok: true });

    await cluster.kill(leader.id);
    const after = await eventually('a new leader is elected', async () => {
      const views = await cluster!.views();
      const view = [...views.values()].find((candidate) => candidate.role === 'leader');
      return view && view.term > firstTerm ? view : undefined;
    });
    expect(after.raftId).not.to.equal(leader.raftId);
    const map = JSON.parse(after.mapJson) as ClusterMapState;
    expect(
      map.volumes.map((volume) => volume.name),
      'no committed change lost',
    ).to.deep.equal(['before-crash']);
    await eventually('the dead leader is marked down', async () => {
      const view = (await cluster!.views()).get(follower.id);
      return (JSON.parse(view?.mapJson ?? '{"members":[]}') as ClusterMapState).members.find(
        (member) => member.id === leader.id,
      )?.state === 'down'
        ? true
        : undefined;
    });

    // More changes while it is away; then it comes back, catches up and is marked up.
    expect(
      await cluster.propose(follower, {
        type: 'create_volume',
        name: 'while-away',
        k: 1,
        m: 1,
        blockBytes: 65536,
      }),
    ).to.deep.include({ ok: true });
    cluster.start(leader);
    const back = await settled(cluster, 3);
    const rejoined = JSON.parse(back.get(leader.id)!.mapJson) as ClusterMapState;
    expect(rejoined.volumes.map((volume) => volume.name)).to.deep.equal([
      'before-crash',
      'while-away',
    ]);
  });

  it('a node joins a running cluster and becomes a voter; a member removed by command leaves the Raft group', async () => {
    const { layout } = await layoutFor(dir, 3, 3, 50);
    cluster = new Cluster(dir, layout);
    for (const node of layout.nodes) cluster.start(node);
    await settled(cluster, 3);

    const [grpcPort, adminPort] = await freePorts(2);
    const n4: LocalNode = {
      id: 'n4',
      raftId: 4,
      region: 'r1',
      zone: 'r1-a',
      grpc: `127.0.0.1:${grpcPort}`,
      admin: `127.0.0.1:${adminPort}`,
    };
    await mkdir(join(dir, 'n4'));
    await writeFile(
      join(dir, 'n4', 'node.yaml'),
      `cluster: ${layout.cluster}\nid: n4\nraftId: 4\ndataDir: data\nregion: r1\nzone: r1-a\nlisten: { grpc: "${n4.grpc}", admin: "${n4.admin}" }\njoin: "${layout.nodes[0]!.grpc}"\nraft: { tickMs: 50 }\nfailureDetector: { heartbeatMs: 250, downAfterMs: 2000, upStableMs: 2000 }\n`,
    );
    layout.nodes.push(n4);
    cluster.start(n4);
    await settled(cluster, 4);
    // The joiner starts from the group's bootstrap configuration, not an empty one (from which it
    // would count itself a majority of one once promoted: a split brain this test once caught).
    expect((await cluster.view(n4))?.bootstrapVoters).to.deep.equal([1, 2, 3]);

    const removed = await promisify(execFile)(process.execPath, [
      tesseraBinary(),
      'cluster',
      'remove',
      '--node',
      'n2',
      '--grpc',
      layout.nodes[0]!.grpc,
    ]);
    expect(removed.stdout).to.match(/removed n2/);
    // Generous: on a loaded machine (a CI run beside other work) four nodes' Raft can take a
    // while to settle after a promotion and a removal. What n1 last listed says why, if not.
    let listed = 'nothing';
    await eventually(
      'n2 is out of the map',
      async () => {
        const view = await cluster!.view(layout.nodes[0]!);
        const map = JSON.parse(view?.mapJson ?? '{"members":[]}') as ClusterMapState;
        listed = `${map.members.map((member) => `${member.id}:${member.state}`).join(' ')} at epoch ${map.epoch}`;
        return map.members.length === 3 && !map.members.some((member) => member.id === 'n2')
          ? true
          : undefined;
      },
      60_000,
    ).catch(async (error: unknown) => {
      const logs = await Promise.all(
        layout.nodes.map(
          async (node) => `${node.id}:\n${await logTroubles(join(dir, node.id, 'node.log'), 8)}`,
        ),
      );
      throw new Error(
        `${(error as Error).message}; n1's map last listed ${listed}\nwarnings and errors in the logs:\n${logs.join('\n')}`,
      );
    });
    // With n2 and n3 gone, n1 and n4 are two of the three voters {n1, n3, n4}: a majority only
    // if n4 is a voter and n2 really left the group.
    await cluster.kill('n2');
    await cluster.kill('n3');
    const result = await eventually(
      'the two survivors commit',
      () =>
        cluster!
          .propose(layout.nodes[0]!, {
            type: 'create_volume',
            name: 'after-remove',
            k: 1,
            m: 1,
            blockBytes: 65536,
          })
          .catch(() => undefined),
      30_000,
    );
    expect(result).to.deep.include({ ok: true });
  });

  it('a node away while the log was compacted catches up by snapshot', async () => {
    const { layout } = await layoutFor(dir, 3, 3, 50);
    for (const node of layout.nodes) {
      const file = join(dir, node.id, 'node.yaml');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace(/snapshotEvery: \d+/, 'snapshotEvery: 10'),
      );
    }
    cluster = new Cluster(dir, layout);
    for (const node of layout.nodes) cluster.start(node);
    const first = await settled(cluster, 3);
    const leaderId = first.values().next().value!.leader;
    const away = layout.nodes.find((node) => node.raftId !== leaderId)!;
    const other = layout.nodes.find((node) => node.raftId !== leaderId && node !== away)!;
    await cluster.kill(away.id);
    for (let i = 0; i < 40; i++) {
      expect(
        await cluster.propose(other, {
          type: 'create_volume',
          name: `v${i}`,
          k: 1,
          m: 1,
          blockBytes: 65536,
        }),
      ).to.deep.include({ ok: true });
    }
    cluster.start(away);
    const views = await settled(cluster, 3);
    const map = JSON.parse(views.get(away.id)!.mapJson) as ClusterMapState;
    expect(map.volumes).to.have.length(40);
    expect(
      views.get(away.id)!.snapshotsInstalled,
      'caught up through a snapshot from the leader',
    ).to.be.at.least(1);
  });

  it('tessera volume create, ls and stat on a running cluster, and clear refusals', async () => {
    const { layout } = await layoutFor(dir, 3, 3, 50);
    cluster = new Cluster(dir, layout);
    for (const node of layout.nodes) cluster.start(node);
    await settled(cluster, 3);
    const tessera = (...args: string[]) =>
      promisify(execFile)(process.execPath, [
        tesseraBinary(),
        'volume',
        ...args,
        '--dir',
        dir,
      ]).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const created = await tessera('create', 'photos', '--k', '2', '--m', '1');
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.match(/volume photos: RS\(2,1\), 65536-byte blocks/);
    expect(created.stdout).to.match(/placement {4}at most 1 fragments per region/);
    expect(created.stdout).to.match(
      /write quorum 3 of 3: an acknowledged write has 1 failure\(s\) to spare/,
    );
    expect((await tessera('ls')).stdout).to.match(/^photos {2}RS\(2,1\)/m);
    expect(JSON.parse((await tessera('stat', 'photos', '--json')).stdout)).to.deep.include({
      name: 'photos',
      k: 2,
      m: 1,
      writeQuorum: 3,
    });

    const again = await tessera('create', 'photos');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(
      /volume photos not created: volume photos already exists \[ALREADY_EXISTS\]/,
    );
    const impossible = await tessera(
      'create',
      'wide',
      '--k',
      '10',
      '--m',
      '4',
      '--rule-level',
      'region',
      '--rule-max',
      '4',
    );
    expect(impossible.code).to.equal(1);
    expect(impossible.stderr).to.match(/cannot hold RS\(10,4\)/);
    const missing = await tessera('stat', 'nope');
    expect(missing.stderr).to.match(/no volume nope in the cluster \[NOT_FOUND\]/);
  });

  it('6 nodes in 3 regions: elect a leader and agree on the map, two members in each region', async () => {
    const { layout } = await layoutFor(dir, 6, 3, 50);
    cluster = new Cluster(dir, layout);
    for (const node of layout.nodes) cluster.start(node);
    const views = await settled(cluster, 6);
    const map = JSON.parse(views.values().next().value!.mapJson) as ClusterMapState;
    const perRegion = new Map<string, number>();
    for (const member of map.members)
      perRegion.set(member.region, (perRegion.get(member.region) ?? 0) + 1);
    expect([...perRegion.values()]).to.deep.equal([2, 2, 2]);
    expect(map.epochs.at(-1)?.cmSet).to.have.length(6);
  });
});
