/**
 * A local cluster of real `tessera node start` processes for the consistency-manager process
 * tests: started in a temporary directory (layoutFor's layout, loopback only), killed with
 * SIGKILL and restarted at will, stopped with SIGTERM, and always cleaned up: every process it
 * started is killed and its directory removed, even when a test fails or mocha exits early.
 *
 * The nodes run the TypeScript source through tsx rather than bin/tessera.js, which prefers the
 * build in dist/: a build older than the source would otherwise be what these tests exercise.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import type { NodeStatus } from '../../../node/admin/node-status.js';
import { layoutFor, type LocalLayout, type LocalNode } from '../../../node/cli/local-cluster.js';
import type {
  ClusterCommand,
  ClusterMapState,
  ClusterResult,
} from '../../../node/cluster/cluster-map-types.js';
import { unaryCall } from '../../../node/grpc/unary-call.js';
import { STORAGE_NODE_FLAGS } from '../../../node/runtime/heap-flags.js';
import type { ClusterClient } from '../../../proto/generated/tessera/v1/Cluster.js';
import type { NodeView__Output } from '../../../proto/generated/tessera/v1/NodeView.js';
import { CHANNEL_OPTIONS, clusterProto } from '../../../proto/load.js';
import { log } from './progress.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(REPOSITORY, 'node', 'cli', 'main.ts');

/** Every child process any ProcessCluster started and has not seen exit: killed if mocha exits. */
const LIVE = new Set<ChildProcess>();
/** Directories to remove if mocha exits before a test's cleanup ran. */
const DIRECTORIES = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of LIVE) child.kill('SIGKILL');
    for (const dir of DIRECTORIES) rmSync(dir, { recursive: true, force: true });
  });
}

export interface ProcessClusterOptions {
  nodes: number;
  regions: number;
  /** Raft tick (the failure detector's timings are layoutFor's: down after 2 s, up after 2 s stable). */
  tickMs?: number;
}

/** A node's map and Raft status, as its Cluster.View reports them. */
export interface NodeView {
  readonly view: NodeView__Output;
  readonly map: ClusterMapState;
}

export class ProcessCluster {
  private readonly processes = new Map<string, ChildProcess>();
  private readonly clients = new Map<string, ClusterClient>();
  private destroyed = false;

  private constructor(
    /** The temporary directory that holds every node's directory (removed by destroy()). */
    readonly root: string,
    readonly dir: string,
    readonly layout: LocalLayout,
  ) {}

  /** Lays out a cluster in a new temporary directory (nothing started yet). */
  static async create(prefix: string, options: ProcessClusterOptions): Promise<ProcessCluster> {
    installExitHook();
    const root = await mkdtemp(join(tmpdir(), prefix));
    DIRECTORIES.add(root);
    const dir = join(root, 'cluster');
    const { layout } = await layoutFor(dir, options.nodes, options.regions, options.tickMs ?? 50);
    return new ProcessCluster(root, dir, layout);
  }

  get nodes(): readonly LocalNode[] {
    return this.layout.nodes;
  }

  node(id: string): LocalNode {
    const node = this.layout.nodes.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`no node ${id} in the layout`);
    return node;
  }

  /** The ids of the nodes whose process is running. */
  running(): string[] {
    return this.layout.nodes.filter((node) => this.processes.has(node.id)).map((node) => node.id);
  }

  isRunning(id: string): boolean {
    return this.processes.has(id);
  }

  /** The gRPC addresses of every node (seeds for the SDK). */
  seeds(): string[] {
    return this.layout.nodes.map((node) => node.grpc);
  }

  /** Where node `id` keeps its data (its fragment store is in `fragments/` under it). */
  dataDir(id: string): string {
    return join(this.dir, id, 'data');
  }

  /** Starts node `id`'s process; its output goes to <dir>/<id>/node.log. */
  start(id: string): void {
    if (this.destroyed) throw new Error('the cluster was destroyed');
    if (this.processes.has(id)) throw new Error(`${id} is already running`);
    const node = this.node(id);
    const logFile = openSync(join(this.dir, id, 'node.log'), 'a');
    const child = spawn(
      process.execPath,
      [
        ...STORAGE_NODE_FLAGS,
        '--import',
        'tsx',
        MAIN,
        'node',
        'start',
        '--config',
        join(this.dir, id, 'node.yaml'),
      ],
      { cwd: REPOSITORY, stdio: ['ignore', logFile, logFile] },
    );
    closeSync(logFile);
    LIVE.add(child);
    child.once('exit', () => {
      LIVE.delete(child);
      if (this.processes.get(id) === child) this.processes.delete(id);
    });
    this.processes.set(node.id, child);
  }

  startAll(): void {
    for (const node of this.layout.nodes) if (!this.processes.has(node.id)) this.start(node.id);
  }

  /** kill -9 of node `id`; resolves once the process is gone. */
  async kill(id: string): Promise<void> {
    await this.signal(id, 'SIGKILL', 0);
  }

  /** SIGTERM (a clean stop: the store is closed), SIGKILL after `graceMs`; resolves once it is gone. */
  async terminate(id: string, graceMs = 15_000): Promise<void> {
    await this.signal(id, 'SIGTERM', graceMs);
  }

  private async signal(id: string, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.processes.get(id);
    if (!child) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    this.processes.delete(id);
    child.kill(signal);
    if (graceMs > 0) {
      const timer = setTimeout(() => {
        log(`${id} did not stop within ${graceMs} ms of ${signal}: SIGKILL`);
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    } else await exited;
  }

  /** Node `id`'s View, or undefined when it does not answer within `deadlineMs`. */
  async view(id: string, deadlineMs = 2_000): Promise<NodeView | undefined> {
    if (!this.processes.has(id)) return undefined;
    try {
      const view = await unaryCall<object, NodeView__Output>(
        this.client(id),
        'View',
        {},
        deadlineMs,
      );
      return { view, map: JSON.parse(view.mapJson) as ClusterMapState };
    } catch {
      return undefined;
    }
  }

  /** Node `id`'s /v1/status (what an operator reads), or undefined when it does not answer. */
  async status(id: string): Promise<NodeStatus | undefined> {
    if (!this.processes.has(id)) return undefined;
    try {
      const reply = await request(`http://${this.node(id).admin}/v1/status`, {
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      if (reply.statusCode !== 200) {
        await reply.body.dump();
        return undefined;
      }
      return (await reply.body.json()) as NodeStatus;
    } catch {
      return undefined;
    }
  }

  /** The Views of every running node that answers. */
  async views(): Promise<Map<string, NodeView>> {
    const answers = await Promise.all(
      this.running().map(async (id) => [id, await this.view(id)] as const),
    );
    const views = new Map<string, NodeView>();
    for (const [id, view] of answers) if (view) views.set(id, view);
    return views;
  }

  /** The newest map any running node has applied (undefined when none answers). */
  async map(): Promise<ClusterMapState | undefined> {
    let newest: ClusterMapState | undefined;
    for (const { map } of (await this.views()).values())
      if (!newest || map.appliedIndex > newest.appliedIndex) newest = map;
    return newest;
  }

  /** The node that a running node's View names as the Raft leader, if that node runs. */
  async leader(): Promise<string | undefined> {
    const views = await this.views();
    for (const { view } of views.values()) {
      if (view.role === 'leader') {
        const node = this.layout.nodes.find((candidate) => candidate.raftId === view.raftId);
        if (node) return node.id;
      }
    }
    return undefined;
  }

  /** Proposes a map command through the running nodes in turn until one answers. */
  async propose(command: ClusterCommand): Promise<ClusterResult> {
    let last: unknown = new Error('no node is running');
    for (const id of this.running()) {
      try {
        const reply = await unaryCall<object, { resultJson: string }>(
          this.client(id),
          'Propose',
          { commandJson: JSON.stringify(command) },
          10_000,
        );
        return JSON.parse(reply.resultJson) as ClusterResult;
      } catch (error) {
        last = error;
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  /** The last `lines` lines of node `id`'s log. */
  async logTail(id: string, lines = 30): Promise<string> {
    const text = await readFile(join(this.dir, id, 'node.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }

  /** The last `count` warnings and errors in node `id`'s log, to say why a wait failed. */
  troubles(id: string, count = 8): Promise<string> {
    return logTroubles(join(this.dir, id, 'node.log'), count);
  }

  /** The lines of node `id`'s log that match `pattern`. */
  async logLines(id: string, pattern: RegExp): Promise<string[]> {
    const text = await readFile(join(this.dir, id, 'node.log'), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => pattern.test(line));
  }

  /**
   * Kills every process (SIGKILL), closes the connections and removes the directory, unless
   * `keep` is set (a failed run with TESSERA_KEEP=1): then it says where the directory is.
   */
  async destroy(keep = false): Promise<void> {
    this.destroyed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    await Promise.all([...this.processes.keys()].map((id) => this.kill(id)));
    if (keep) {
      DIRECTORIES.delete(this.root);
      log(`kept ${this.root} (TESSERA_KEEP is set)`);
      return;
    }
    await rm(this.root, { recursive: true, force: true });
    DIRECTORIES.delete(this.root);
  }

  private client(id: string): ClusterClient {
    let client = this.clients.get(id);
    if (!client) {
      client = new (clusterProto().tessera.v1.Cluster)(
        this.node(id).grpc,
        grpc.credentials.createInsecure(),
        CHANNEL_OPTIONS,
      );
      this.clients.set(id, client);
    }
    return client;
  }
}

/** Polls `probe` every `everyMs` until it returns a value; fails after `timeoutMs` saying `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until every running node answers, they agree on a leader, and each one's map lists every
 * node of the layout with the running ones up and the others not. (Their applied indexes may
 * differ: the consistency managers keep proposing marks and clears in the background.)
 */
export async function settled(
  cluster: ProcessCluster,
  timeoutMs: number,
): Promise<ClusterMapState> {
  let why = 'no node asked yet';
  let suspects: string[] = [];
  try {
    return await eventually(
      'the cluster settles (one leader, the running nodes up)',
      async () => {
        const views = await cluster.views();
        const silent = cluster.running().filter((id) => !views.has(id));
        if (silent.length > 0) return void (why = `${silent.join(', ')} do not answer View`);
        const leaders = new Set([...views.values()].map(({ view }) => view.leader));
        if (leaders.size !== 1 || leaders.has(0))
          return void (why = `leaders named: ${[...leaders].join(', ')}`);
        for (const [id, { map }] of views) {
          const wrong = cluster.nodes.filter((node) => {
            const state = map.members.find((member) => member.id === node.id)?.state;
            return cluster.isRunning(node.id) ? state !== 'up' : state === 'up' || !state;
          });
          const leader = cluster.nodes.find((node) => node.raftId === views.get(id)!.view.leader);
          suspects = [id, ...wrong.map((node) => node.id)];
          if (wrong.length > 0)
            return void (why = `${id}'s map (epoch ${map.epoch}, leader ${leader?.id ?? 'none'}) has ${wrong.map((node) => `${node.id} ${map.members.find((member) => member.id === node.id)?.state ?? 'missing'}`).join(', ')}`);
        }
        return cluster.map();
      },
      timeoutMs,
    );
  } catch (error) {
    const troubles = await Promise.all(
      [...new Set(suspects)].map(async (id) => `${id}:\n${await cluster.troubles(id)}`),
    );
    throw new Error(
      `${(error as Error).message}: ${why}\nwarnings and errors in their logs:\n${troubles.join('\n')}`,
    );
  }
}

/** The last `count` lines of a node's log at warning level or above (pino's levels 40 to 60). */
export async function logTroubles(file: string, count: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((line) => /"level":(40|50|60)\b/.test(line));
  return lines.length === 0 ? '  (none)' : lines.slice(-count).join('\n');
}

/** Runs the `tessera` command line (from the source, as the nodes run) and returns its output. */
export async function tessera(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { cwd: REPOSITORY, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}
