// Proves what the README's main command promises: `tessera cluster up` starts a local cluster and
// says when it is up, Ctrl-C stops every process it started, and a second `up` on the same
// directory restarts the same cluster with its data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { request } from 'undici';
import { tesseraBinary, type LocalLayout } from '../../node/cli/local-cluster.js';
import type { ClusterMapState } from '../../node/cluster/cluster-map-types.js';
import { unaryCall } from '../../node/grpc/unary-call.js';
import type { NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import { CHANNEL_OPTIONS, clusterProto } from '../../proto/load.js';

/** Starts `cluster up` and resolves with the process and its output once it says it is up. */
function up(dir: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      tesseraBinary(),
      'cluster',
      'up',
      '--nodes',
      '3',
      '--regions',
      '3',
      '--dir',
      dir,
      '--tick-ms',
      '50',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cluster up did not come up:\n${output}`)),
      60_000,
    );
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      // The "is up" line and the addresses after it may arrive in separate chunks: wait for both.
      if (
        /is up: leader n\d/.test(output) &&
        /status page {2}http:\/\/127\.0\.0\.1:\d+\//.test(output)
      ) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`cluster up exited (${code}):\n${output}`)));
  });
}

async function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill('SIGINT');
  return exited;
}

async function call<Reply>(address: string, method: string, body: object): Promise<Reply> {
  const client = new (clusterProto().tessera.v1.Cluster)(
    address,
    grpc.credentials.createInsecure(),
    CHANNEL_OPTIONS,
  );
  try {
    return await unaryCall<object, Reply>(client, method, body, 10_000);
  } finally {
    client.close();
  }
}

describe('process: tessera cluster up', function () {
  this.timeout(180_000);
  let dir: string;
  let running: ChildProcess | undefined;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'tessera-up-')), 'cluster');
  });
  afterEach(async () => {
    if (running && running.exitCode === null) await interrupt(running);
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('starts, stops every node on Ctrl-C, and restarts the same cluster with its data', async () => {
    const first = await up(dir);
    running = first.child;
    expect(first.output()).to.match(/starting 3 nodes in 3 regions/);
    expect(first.output()).to.match(/status page {2}http:\/\/127\.0\.0\.1:\d+\//);
    const layout = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as LocalLayout;
    const command = { type: 'create_volume', name: 'kept', k: 2, m: 1, blockBytes: 65536 };
    const created = await call<{ resultJson: string }>(layout.nodes[0]!.grpc, 'Propose', {
      commandJson: JSON.stringify(command),
    });
    expect(JSON.parse(created.resultJson)).to.deep.include({ ok: true });

    expect(await interrupt(first.child)).to.equal(0);
    for (const node of layout.nodes) {
      const answered = await request(`http://${node.admin}/healthz`, { headersTimeout: 1000 }).then(
        () => true,
        () => false,
      );
      expect(answered, `${node.id} still answers after Ctrl-C`).to.equal(false);
    }

    const second = await up(dir);
    running = second.child;
    expect(second.output()).to.match(/restarting 3 nodes/);
    // `up` reports from the first node that answers; n2 may still be applying the log it kept.
    let volumes: string[] = [];
    for (
      const end = Date.now() + 10_000;
      Date.now() < end;
      await new Promise((resolve) => setTimeout(resolve, 100))
    ) {
      const view = await call<NodeView__Output>(layout.nodes[1]!.grpc, 'View', {});
      volumes = (JSON.parse(view.mapJson) as ClusterMapState).volumes.map((volume) => volume.name);
      if (volumes.length > 0) break;
    }
    expect(volumes).to.deep.equal(['kept']);
    expect(await interrupt(second.child)).to.equal(0);
  });
});
