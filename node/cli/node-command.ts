/**
 * `tessera node start --config FILE`: runs a storage node until SIGINT or SIGTERM, then stops it
 * cleanly. Flags override the file's settings.
 */
import type { Argv } from 'yargs';
import { loadNodeConfig } from '../config.js';
import { StorageNode } from '../runtime/storage-node.js';
import { tuneHeapAtRunTime } from '../runtime/heap-flags.js';

export function registerNode(parser: Argv): Argv {
  return parser.command('node', 'Run a storage node', (node) =>
    node
      .command(
        'start',
        'Start a storage node from a configuration file (YAML or JSON) and flags',
        (command) =>
          command
            .option('config', { type: 'string', describe: 'the node configuration file' })
            .option('id', { type: 'string', describe: 'node id (overrides the file)' })
            .option('data-dir', { type: 'string', describe: 'where the node keeps its data' })
            .option('grpc', { type: 'string', describe: 'host:port for the gRPC services' })
            .option('admin', { type: 'string', describe: 'host:port for the admin HTTP endpoints' })
            .option('region', { type: 'string' })
            .option('zone', { type: 'string' })
            .option('weight', { type: 'number' }),
        async (argv) => {
          const config = loadNodeConfig(argv.config, {
            id: argv.id,
            dataDir: argv['data-dir'],
            region: argv.region,
            zone: argv.zone,
            weight: argv.weight,
            listen: argv.grpc || argv.admin ? { grpc: argv.grpc, admin: argv.admin } : undefined,
          });
          tuneHeapAtRunTime();
          const node = await StorageNode.start(config);
          await new Promise<void>((resolve) => {
            const stop = (): void => {
              node.stop().then(resolve, resolve);
            };
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
        },
      )
      .demandCommand(1, 'Name a node command: start.'),
  );
}
