/**
 * `tessera cluster up` starts a local cluster of real node processes on loopback and waits until
 * it has a leader and every node is up, showing progress; Ctrl-C stops every process it started,
 * and a second `up` on the same directory restarts the same cluster with its data.
 * `tessera cluster status` prints the cluster map, as a node sees it, as a table.
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { request } from 'undici';
import type { Argv } from 'yargs';
import type { NodeStatus } from '../admin/node-status.js';
import { layoutFor, startNode, type LocalLayout } from './local-cluster.js';
import { membershipCommands } from './membership-commands.js';

const UP_TIMEOUT_MS = 60_000;

export function registerCluster(parser: Argv): Argv {
  return parser.command('cluster', 'Run and inspect a cluster', (cluster) =>
    membershipCommands(cluster)
      .command(
        'up',
        'Start a local cluster of real node processes on 127.0.0.1; Ctrl-C stops it',
        (command) =>
          command
            .option('nodes', { type: 'number', default: 6, describe: 'how many nodes' })
            .option('regions', {
              type: 'number',
              default: 3,
              describe: 'regions the nodes are spread over',
            })
            .option('dir', {
              type: 'string',
              default: 'tessera-cluster',
              describe: "where the cluster keeps its nodes' data (reused by a second up)",
            })
            .option('tick-ms', {
              type: 'number',
              default: 100,
              describe: 'Raft tick of the nodes, in ms',
            }),
        async (argv) => {
          const dir = resolve(argv.dir);
          const { layout, existing } = await layoutFor(
            dir,
            argv.nodes,
            argv.regions,
            argv['tick-ms'],
          );
          say(
            `${existing ? 'restarting' : 'starting'} ${layout.nodes.length} nodes in ${new Set(layout.nodes.map((node) => node.region)).size} regions (${dir})`,
          );
          const children = layout.nodes.map((node) => startNode(dir, node));
          const stopping = stopAllOnSignal(children);
          const stopped = children.map(
            (child) => new Promise<void>((done) => child.once('exit', () => done())),
          );
          const ready = await waitUntilUp(layout, children);
          if (ready) {
            const first = layout.nodes[0]!;
            say(
              `cluster ${layout.cluster} is up: leader ${ready.raft.leader}, epoch ${ready.epoch}, ${ready.members.length} nodes up`,
            );
            say(`  status page  http://${first.admin}/`);
            say(
              `  metrics      ${layout.nodes.map((node) => `http://${node.admin}/metrics`).join(' ')}`,
            );
            say(`  status       tessera cluster status --dir ${argv.dir}`);
            say(
              'Ctrl-C stops every node; a second `tessera cluster up` on this directory restarts them with their data.',
            );
          }
          await Promise.race([stopping, Promise.all(stopped)]);
          if (!ready) process.exitCode = 1;
        },
      )
      .command(
        'status',
        'Print the cluster map as a node of the cluster sees it',
        (command) =>
          command
            .option('admin', { type: 'string', describe: "host:port of a node's admin endpoint" })
            .option('dir', {
              type: 'string',
              default: 'tessera-cluster',
              describe: "a local cluster's directory (used when --admin is not given)",
            })
            .option('json', { type: 'boolean', default: false }),
        async (argv) => {
          const addresses = argv.admin
            ? [argv.admin]
            : (
                await layoutFor(resolve(argv.dir), 0, 0, 0).catch(() => {
                  throw new Error(`no cluster in ${argv.dir}: give --admin host:port or --dir`);
                })
              ).layout.nodes.map((node) => node.admin);
          const status = await firstStatus(addresses);
          if (argv.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
          else printStatus(status);
        },
      )
      .demandCommand(1, 'Name a cluster command: up, status, remove or set-state.'),
  );
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Polls the nodes' status until a leader is known and every node is in the map and up. */
async function waitUntilUp(
  layout: LocalLayout,
  children: ChildProcess[],
): Promise<NodeStatus | undefined> {
  const started = Date.now();
  const tty = process.stdout.isTTY;
  let last = '';
  while (Date.now() - started < UP_TIMEOUT_MS) {
    const exited = children.findIndex((child) => child.exitCode !== null);
    if (exited >= 0) {
      say(
        `node ${layout.nodes[exited]!.id} exited (code ${children[exited]!.exitCode}); see its node.log`,
      );
      return undefined;
    }
    const status = await firstStatus(layout.nodes.map((node) => node.admin)).catch(() => undefined);
    const upCount = status?.members.filter((member) => member.state === 'up').length ?? 0;
    const line = `waiting: ${upCount}/${layout.nodes.length} nodes up in the map, leader ${status?.raft.leader ?? 'none yet'}`;
    if (line !== last) {
      process.stdout.write(tty ? `\r${line}   ` : `${line}\n`);
      last = line;
    }
    if (status && status.raft.leader !== null && upCount === layout.nodes.length) {
      if (tty) process.stdout.write('\n');
      return status;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  say(`\nthe cluster did not come up within ${UP_TIMEOUT_MS / 1000} s; see the nodes' node.log`);
  return undefined;
}

function stopAllOnSignal(children: ChildProcess[]): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      say('\nstopping every node…');
      for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
      void Promise.all(
        children.map((child) =>
          child.exitCode !== null
            ? Promise.resolve()
            : new Promise((exited) => child.once('exit', exited)),
        ),
      ).then(() => done());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** The status of the first node that answers. */
async function firstStatus(addresses: string[]): Promise<NodeStatus> {
  for (const address of addresses) {
    try {
      const response = await request(`http://${address}/v1/status`, {
        headersTimeout: 2000,
        bodyTimeout: 2000,
      });
      if (response.statusCode === 200) return (await response.body.json()) as NodeStatus;
      await response.body.dump();
    } catch {
      // Try the next node.
    }
  }
  throw new Error(`no node answered at ${addresses.join(', ')}`);
}

function printStatus(status: NodeStatus): void {
  say(
    `cluster as ${status.nodeId} sees it: leader ${status.raft.leader ?? 'none'}, term ${status.raft.term}, epoch ${status.epoch}, topology version ${status.topologyVersion}`,
  );
  const rows = status.members.map((member) => [
    member.id,
    member.region,
    member.zone,
    member.state,
    member.healthy ? 'healthy' : 'unreachable',
    member.role ?? '?',
    String(member.fragments ?? '?'),
    member.grpcAddress,
    member.adminAddress,
  ]);
  const header = [
    'node',
    'region',
    'zone',
    'state',
    'health',
    'role',
    'fragments',
    'gRPC',
    'admin',
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  for (const row of [header, ...rows])
    say(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  if (status.volumes.length > 0) {
    say('');
    for (const volume of status.volumes)
      say(
        `volume ${volume.name}: RS(${volume.k},${volume.m}), ${volume.blockBytes}-byte blocks, write quorum ${volume.writeQuorum}; ${volume.rule}`,
      );
  }
}
