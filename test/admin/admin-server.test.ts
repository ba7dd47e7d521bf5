// Proves what operators and orchestrators rely on from a node's admin endpoints: liveness,
// readiness that says why not, Prometheus text with the node's figures, the status as JSON, a
// status page that lists every node (escaped), and clear answers to wrong paths and methods.
import { expect } from 'chai';
import { request } from 'undici';
import { serveAdmin, type RunningAdmin } from '../../node/admin/admin-server.js';
import { NodeMetrics } from '../../node/admin/metrics.js';
import type { NodeStatus } from '../../node/admin/node-status.js';

function status(overrides: Partial<NodeStatus> = {}): NodeStatus {
  return {
    nodeId: 'n1',
    region: 'r1',
    zone: 'r1-a',
    startedAtMs: 0,
    raft: { role: 'leader', term: 4, leader: 'n1', commitIndex: 17, appliedIndex: 17 },
    epoch: 3,
    topologyVersion: 2,
    members: ['n1', 'n2', '<n3>'].map((id, i) => ({
      id,
      region: `r${i + 1}`,
      zone: `r${i + 1}-a`,
      state: 'up',
      weight: 1,
      grpcAddress: `127.0.0.1:${7001 + i}`,
      adminAddress: `127.0.0.1:${8001 + i}`,
      role: i === 0 ? 'leader' : 'follower',
      fragments: 10 * i,
      healthy: i !== 2,
    })),
    volumes: [
      {
        name: 'db',
        k: 4,
        m: 2,
        blockBytes: 65536,
        writeQuorum: 5,
        rule: 'at most 2 per region',
        unplaced: 0,
        unplacedReason: null,
      },
    ],
    fragments: { count: 0, bytes: 0 },
    ready: true,
    notReadyReason: null,
    ...overrides,
  };
}

describe('admin: the HTTP endpoints', () => {
  let current: NodeStatus;
  let admin: RunningAdmin;
  let metrics: NodeMetrics;
  const get = async (path: string, method: 'GET' | 'POST' = 'GET') => {
    const response = await request(`http://${admin.address}${path}`, { method });
    return {
      code: response.statusCode,
      type: String(response.headers['content-type']),
      body: await response.body.text(),
    };
  };

  beforeEach(async () => {
    current = status();
    metrics = new NodeMetrics({ node: 'n1' });
    admin = await serveAdmin('127.0.0.1:0', { status: () => Promise.resolve(current) }, metrics);
  });
  afterEach(async () => {
    await admin.stop();
  });

  it('answers /healthz, and /readyz with 503 and the reason when not ready', async () => {
    expect(await get('/healthz')).to.deep.include({ code: 200, body: 'ok\n' });
    expect(await get('/readyz')).to.deep.include({ code: 200 });
    current = status({ ready: false, notReadyReason: 'no Raft leader known' });
    expect(await get('/readyz')).to.deep.include({
      code: 503,
      body: 'not ready: no Raft leader known\n',
    });
  });

  it('serves Prometheus text with the node label and its Raft figures', async () => {
    metrics.raftTerm.set(4);
    metrics.raftCommitIndex.set(17);
    const { code, type, body } = await get('/metrics');
    expect(code).to.equal(200);
    expect(type).to.match(/text\/plain/);
    expect(body).to.match(/^tessera_raft_term\{node="n1"\} 4$/m);
    expect(body).to.match(/^tessera_raft_commit_index\{node="n1"\} 17$/m);
    expect(body).to.match(/^# TYPE tessera_request_duration_seconds histogram$/m);
  });

  it('serves the status as JSON, and a page listing every node with its role, health and fragments', async () => {
    const json = await get('/v1/status');
    expect(JSON.parse(json.body)).to.deep.equal(current);
    const page = await get('/');
    expect(page.type).to.match(/text\/html/);
    expect(page.body).to.contain('<td>n1</td>').and.contain('<td>n2</td>');
    expect(page.body, 'ids are escaped').to.contain('<td>&lt;n3&gt;</td>').and.not.contain('<n3>');
    expect(page.body)
      .to.contain('<td>unreachable</td>')
      .and.contain('<td>leader</td>')
      .and.contain('<td>RS(4,2)</td>');
  });

  it('shows the repair queue, and the nodes back from down whose fragments are still being verified', async () => {
    const repair = {
      queuedStripes: 3,
      repairedStripes: 1,
      repairedBytes: 1 << 20,
      rateBytesPerS: 0,
      etaS: null,
      bandwidthBytesPerS: 64 << 20,
      nodeMarks: [] as string[],
    };
    current = status({ repair });
    let page = await get('/');
    expect(page.body).to.contain('repair queue <b>3</b> stripes').and.not.contain('node-marks');
    current = status({ repair: { ...repair, nodeMarks: ['n2', '<n3>'] } });
    page = await get('/');
    expect(page.body).to.match(/id="node-marks">[^<]*<b>n2, &lt;n3&gt;<\/b>/);
    const served = JSON.parse((await get('/v1/status')).body) as NodeStatus;
    expect(served.repair?.nodeMarks).to.deep.equal(['n2', '<n3>']);
  });

  it('answers an unknown path with 404 and a write method with 405, naming what is wrong', async () => {
    const missing = await get('/v2/nothing');
    expect(missing.code).to.equal(404);
    expect(JSON.parse(missing.body)).to.deep.equal({ error: 'no such endpoint: /v2/nothing' });
    const post = await get('/v1/status', 'POST');
    expect(post.code).to.equal(405);
    expect(post.body).to.match(/POST is not allowed/);
  });
});
