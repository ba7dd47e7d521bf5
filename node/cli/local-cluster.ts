/**
 * A local cluster of real node processes on loopback, for `tessera cluster up`: its layout
 * (nodes spread over regions), its configuration files, and the processes. The layout is kept
 * in <dir>/cluster.json, so that a second `up` on the same directory restarts the same cluster
 * with its data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORAGE_NODE_FLAGS } from '../runtime/heap-flags.js';

export interface LocalNode {
  id: string;
  raftId: number;
  region: string;
  zone: string;
  grpc: string;
  admin: string;
}

export interface LocalLayout {
  cluster: string;
  nodes: LocalNode[];
  tickMs: number;
  /** Applied entries between snapshots of the cluster map (tests set it low). */
  snapshotEvery?: number;
}

/** Reads the layout of `dir`, or makes (and writes) one for `nodes` over `regions`. */
export async function layoutFor(
  dir: string,
  nodes: number,
  regions: number,
  tickMs: number,
): Promise<{ layout: LocalLayout; existing: boolean }> {
  const file = join(dir, 'cluster.json');
  if (existsSync(file))
    return { layout: JSON.parse(await readFile(file, 'utf8')) as LocalLayout, existing: true };
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 64)
    throw new RangeError(`--nodes must be an integer from 1 to 64, got ${nodes}`);
  if (!Number.isInteger(regions) || regions < 1 || regions > nodes)
    throw new RangeError(
      `--regions must be an integer from 1 to --nodes (${nodes}), got ${regions}`,
    );
  const ports = await freePorts(2 * nodes);
  const layout: LocalLayout = {
    cluster: `local-${Date.now().toString(36)}`,
    tickMs,
    nodes: Array.from({ length: nodes }, (_, i) => {
      const region = `r${(i % regions) + 1}`;
      return {
        id: `n${i + 1}`,
        raftId: i + 1,
        region,
        zone: `${region}-a`,
        grpc: `127.0.0.1:${ports[2 * i]}`,
        admin: `127.0.0.1:${ports[2 * i + 1]}`,
      };
    }),
  };
  await mkdir(dir, { recursive: true });
  for (const node of layout.nodes) {
    await mkdir(join(dir, node.id), { recursive: true });
    await writeFile(join(dir, node.id, 'node.yaml'), nodeConfig(layout, node));
  }
  await writeFile(file, `${JSON.stringify(layout, null, 2)}\n`);
  return { layout, existing: false };
}

function nodeConfig(layout: LocalLayout, node: LocalNode): string {
  const peers = layout.nodes
    .map((peer) => `  - { id: ${peer.id}, raftId: ${peer.raftId}, grpc: "${peer.grpc}" }`)
    .join('\n');
  return `# A node of the local cluster ${layout.cluster} (made by tessera cluster up).
cluster: ${layout.cluster}
id: ${node.id}
raftId: ${node.raftId}
dataDir: data
region: ${node.region}
zone: ${node.zone}
listen:
  grpc: "${node.grpc}"
  admin: "${node.admin}"
peers:
${peers}
raft:
  tickMs: ${layout.tickMs}
  electionTicks: 10
  heartbeatTicks: 1
  snapshotEvery: ${layout.snapshotEvery ?? 1000}
failureDetector:
  heartbeatMs: 250
  downAfterMs: 2000
  upStableMs: 2000
`;
}

/** Starts `tessera node start` for a node, its output appended to <dir>/<id>/node.log. */
export function startNode(dir: string, node: LocalNode): ChildProcess {
  const log = openSync(join(dir, node.id, 'node.log'), 'a');
  return spawn(
    process.execPath,
    [
      ...STORAGE_NODE_FLAGS,
      tesseraBinary(),
      'node',
      'start',
      '--config',
      join(dir, node.id, 'node.yaml'),
    ],
    { stdio: ['ignore', log, log] },
  );
}

/** bin/tessera.js, from the source tree (node/cli/) or the build (dist/node/cli/). */
export function tesseraBinary(): string {
  for (const candidate of ['../../bin/tessera.js', '../../../bin/tessera.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`bin/tessera.js not found from ${fileURLToPath(import.meta.url)}`);
}

/** `count` TCP ports on 127.0.0.1 that are free right now. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}
