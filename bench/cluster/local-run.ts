/**
 * The benchmark's local cluster: the layout and node configurations of `tessera cluster up`
 * (layoutFor, in a temporary directory, 127.0.0.1 only), one `tessera node start` process per
 * node, and the cluster map as the nodes serve it (Cluster.View). The processes are started here
 * rather than through startNode for two reasons: the code measured is the source tree (through
 * tsx) unless BENCH_CLUSTER_FROM=dist asks for bin/tessera.js, whose dist/ may be older than the
 * source; BENCH_CLUSTER_CPU_PROF=DIR starts every node under --cpu-prof; BENCH_CLUSTER_NODE_FLAGS
 * adds flags to every node's command line (--trace-gc, say).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, clusterProto } from '../../proto/load.js';
import type { NodeView__Output } from '../../proto/generated/tessera/v1/NodeView.js';
import type { ClusterMapState } from '../../node/cluster/cluster-map-types.js';
import {
  layoutFor,
  tesseraBinary,
  type LocalLayout,
  type LocalNode,
} from '../../node/cli/local-cluster.js';
import { unaryCall } from '../../node/grpc/unary-call.js';
import { STORAGE_NODE_FLAGS } from '../../node/runtime/heap-flags.js';

/** The cluster map as one node serves it, with its Raft view. */
export interface MapView {
  map: ClusterMapState;
  /** The Raft leader's member number as that node knows it (0: none). */
  leaderRaftId: number;
  from: string;
}

const STOP_GRACE_MS = 8_000;
const VIEW_DEADLINE_MS = 2_000;

/** A local cluster of real node processes in a temporary directory that it removes. */
export class LocalRun {
  private readonly children = new Map<string, ChildProcess>();
  private readonly clients = new Map<string, grpc.Client>();
  private removed = false;

  private constructor(
    readonly dir: string,
    readonly layout: LocalLayout,
    private readonly profileDir: string | undefined,
  ) {}

  /** Lays out `nodes` nodes over `regions` regions in a new temporary directory (nothing started). */
  static async create(options: {
    nodes: number;
    regions: number;
    tickMs: number;
    profileDir?: string;
  }): Promise<LocalRun> {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-cluster-'));
    const { layout } = await layoutFor(dir, options.nodes, options.regions, options.tickMs);
    return new LocalRun(dir, layout, options.profileDir);
  }

  /** How the node processes run the code: the source through tsx, or bin/tessera.js (dist/). */
  static get codeFrom(): 'source' | 'dist' {
    return process.env.BENCH_CLUSTER_FROM === 'dist' ? 'dist' : 'source';
  }

  node(id: string): LocalNode {
    const node = this.layout.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no node ${id} in the layout`);
    return node;
  }

  /** Starts `tessera node start` for node `id`, its output appended to <dir>/<id>/node.log. */
  start(id: string): void {
    const node = this.node(id);
    const log = openSync(join(this.dir, node.id, 'node.log'), 'a');
    const entry =
      LocalRun.codeFrom === 'dist'
        ? [tesseraBinary()]
        : ['--import', 'tsx', fileURLToPath(new URL('../../node/cli/main.ts', import.meta.url))];
    const profile = this.profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${this.profileDir}`,
          `--cpu-prof-name=${node.id}-${Date.now()}.cpuprofile`,
        ]
      : [];
    const child = spawn(
      process.execPath,
      [
        ...profile,
        ...STORAGE_NODE_FLAGS,
        ...extraNodeFlags(),
        ...entry,
        'node',
        'start',
        '--config',
        join(this.dir, node.id, 'node.yaml'),
      ],
      { stdio: ['ignore', log, log], cwd: fileURLToPath(new URL('../..', import.meta.url)) },
    );
    this.children.set(id, child);
  }

  startAll(): void {
    for (const node of this.layout.nodes) this.start(node.id);
  }

  /** The node's process, while it runs. */
  running(id: string): boolean {
    const child = this.children.get(id);
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** A node that exited on its own (not killed here), if any: the cluster is broken. */
  crashed(): string | undefined {
    return [...this.children].find(
      ([, child]) => child.exitCode !== null && child.exitCode !== 0 && child.signalCode === null,
    )?.[0];
  }

  /** How node `id`'s process ended ('running' while it runs). */
  exitOf(id: string): string {
    const child = this.children.get(id);
    if (!child) return 'never started';
    if (child.exitCode !== null) return `exited with code ${child.exitCode}`;
    if (child.signalCode !== null) return `ended by ${child.signalCode}`;
    return 'running';
  }

  /** The last `lines` lines of node `id`'s log. */
  logTail(id: string, lines = 20): string {
    try {
      const text = readFileSync(join(this.dir, id, 'node.log'), 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** kill -9 of node `id`'s process; resolves once it is gone. */
  async kill(id: string): Promise<void> {
    const child = this.children.get(id);
    if (!child || !this.running(id)) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM to every node (a clean stop writes CPU profiles), SIGKILL to what is left after a grace. */
  async stopAll(): Promise<void> {
    const exits = [...this.children.values()]
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => {
        const gone = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        return Promise.race([
          gone,
          new Promise<void>((done) =>
            setTimeout(() => {
              child.kill('SIGKILL');
              done();
            }, STOP_GRACE_MS).unref(),
          ),
        ]);
      });
    await Promise.all(exits);
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** Synchronous last resort (an interrupt, an exit): SIGKILL everything, remove the directory. */
  killAllNow(): void {
    for (const child of this.children.values())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.remove();
  }

  /** Removes the temporary directory (once; kept when BENCH_CLUSTER_KEEP=1). */
  remove(): void {
    if (this.removed) return;
    if (process.env.BENCH_CLUSTER_KEEP === '1') {
      console.log(`kept ${this.dir} (BENCH_CLUSTER_KEEP=1)`);
      this.removed = true;
      return;
    }
    this.removed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The gRPC addresses of the nodes whose process runs. */
  liveAddresses(): string[] {
    return this.layout.nodes.filter((node) => this.running(node.id)).map((node) => node.grpc);
  }

  /** The map as the first running node that answers serves it. */
  async view(): Promise<MapView> {
    let last: unknown;
    for (const address of this.liveAddresses()) {
      try {
        return await this.viewAt(address);
      } catch (error) {
        last = error;
      }
    }
    throw new Error(
      `no node served its view: ${last instanceof Error ? last.message : 'none running'}`,
    );
  }

  /** The map as the node at `address` serves it (rejects when it does not answer). */
  async viewAt(address: string): Promise<MapView> {
    const view = await unaryCall<object, NodeView__Output>(
      this.client(address),
      'View',
      {},
      VIEW_DEADLINE_MS,
    );
    return {
      map: JSON.parse(view.mapJson) as ClusterMapState,
      leaderRaftId: view.leader,
      from: address,
    };
  }

  private client(address: string): grpc.Client {
    let client = this.clients.get(address);
    if (!client) {
      client = new (clusterProto().tessera.v1.Cluster)(
        address,
        grpc.credentials.createInsecure(),
        CHANNEL_OPTIONS,
      );
      this.clients.set(address, client);
    }
    return client;
  }
}

/** V8 and Node.js flags for every node, from BENCH_CLUSTER_NODE_FLAGS (space-separated), e.g. --trace-gc. */
function extraNodeFlags(): string[] {
  return (process.env.BENCH_CLUSTER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
}

/** Thrown by a check of waitFor to stop waiting at once (other errors are retried). */
export class StopWaiting extends Error {}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 200,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      last = error;
    }
    await new Promise((done) => setTimeout(done, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last instanceof Error ? ` (last: ${last.message})` : ''}`,
  );
}
