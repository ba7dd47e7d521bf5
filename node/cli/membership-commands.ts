/**
 * Operator commands on a cluster's membership: `tessera cluster remove --node ID` takes a member
 * out of the map and the Raft group; `tessera cluster set-state --node ID --state S` marks a
 * member up, down, draining or out (out and draining move its data; down does not).
 */
import type { Argv } from 'yargs';
import type { ClusterResult } from '../cluster/cluster-map-types.js';
import { callAny } from './cluster-calls.js';

export function membershipCommands(cluster: Argv): Argv {
  return cluster
    .command(
      'remove',
      'Take a member out of the cluster map and the Raft group',
      (command) =>
        command
          .option('node', { type: 'string', demandOption: true, describe: 'the node id to remove' })
          .option('grpc', { type: 'string', describe: "host:port of any member's gRPC" })
          .option('dir', { type: 'string', default: 'tessera-cluster' }),
      async (argv) => {
        const reply = await callAny<{ epoch: number }>(argv, 'Remove', { nodeId: argv.node });
        process.stdout.write(`removed ${argv.node}; the map is at epoch ${reply.epoch}\n`);
      },
    )
    .command(
      'set-state',
      'Mark a member up, down, draining or out (draining and out move its data; down does not)',
      (command) =>
        command
          .option('node', { type: 'string', demandOption: true })
          .option('state', {
            choices: ['up', 'down', 'draining', 'out'] as const,
            demandOption: true,
          })
          .option('reason', { type: 'string', default: 'operator' })
          .option('grpc', { type: 'string', describe: "host:port of any member's gRPC" })
          .option('dir', { type: 'string', default: 'tessera-cluster' }),
      async (argv) => {
        const command = {
          type: 'set_state',
          id: argv.node,
          state: argv.state,
          reason: argv.reason,
        };
        const reply = await callAny<{ resultJson: string }>(argv, 'Propose', {
          commandJson: JSON.stringify(command),
        });
        const result = JSON.parse(reply.resultJson) as ClusterResult;
        if (!result.ok) throw Object.assign(new Error(result.message), { code: result.code });
        process.stdout.write(
          `${argv.node} is now ${argv.state}; the map is at epoch ${result.epoch}\n`,
        );
      },
    );
}
