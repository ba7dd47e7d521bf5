/**
 * `tessera volume create|ls|stat`: the volume catalog of a running cluster. A volume's scheme,
 * block size, write quorum and placement rule are fixed at creation; the cluster map refuses a
 * rule the topology cannot hold. (write, read and verify come with the consistency managers.)
 */
import type { Argv } from 'yargs';
import type { ClusterMapState, ClusterResult, VolumeRecord } from '../cluster/cluster-map-types.js';
import { callAny, type Target } from './cluster-calls.js';

const target = (command: Argv): Argv<Target> =>
  command
    .option('grpc', { type: 'string', describe: "host:port of any member's gRPC" })
    .option('dir', {
      type: 'string',
      default: 'tessera-cluster',
      describe: "a local cluster's directory (used without --grpc)",
    });

async function catalog(argv: Target): Promise<VolumeRecord[]> {
  const view = await callAny<{ mapJson: string }>(argv, 'View', {});
  return (JSON.parse(view.mapJson) as ClusterMapState).volumes;
}

/** What a volume's description says: its scheme, its rule and why, and what its quorum means. */
export function describeVolume(volume: VolumeRecord): string[] {
  const spare = volume.writeQuorum - volume.k;
  return [
    `volume ${volume.name}: RS(${volume.k},${volume.m}), ${volume.blockBytes}-byte blocks`,
    `placement    at most ${volume.rule.maxPerDomain} fragments per ${volume.rule.level}: ${volume.ruleReason}`,
    `write quorum ${volume.writeQuorum} of ${volume.k + volume.m}: ` +
      (spare > 0
        ? `an acknowledged write has ${spare} failure(s) to spare; writes pause when fewer than ${volume.writeQuorum} fragments are reachable (reads go on, degraded)`
        : `writes go on through the loss of ${volume.m} fragments, with nothing to spare`),
  ];
}

export function registerVolume(parser: Argv): Argv {
  return parser.command('volume', "Manage a cluster's volumes", (volume) =>
    volume
      .command(
        'create <name>',
        'Create a volume: its erasure scheme, block size, write quorum and placement rule are fixed from then on',
        (command) =>
          target(command)
            .positional('name', { type: 'string', demandOption: true })
            .option('k', { type: 'number', default: 4, describe: 'data fragments per stripe' })
            .option('m', {
              type: 'number',
              default: 2,
              describe: 'parity fragments per stripe (how many may be lost)',
            })
            .option('block-bytes', {
              type: 'number',
              default: 65536,
              describe: 'bytes per block (a power of two, 4 KiB to 16 MiB)',
            })
            .option('write-quorum', {
              type: 'number',
              describe:
                'fragments that must hold a write before it is acknowledged (k to k+m; default k+1)',
            })
            .option('rule-level', {
              choices: ['region', 'zone', 'node'] as const,
              describe:
                'failure domain of the placement rule (default: the best the topology allows)',
            })
            .option('rule-max', {
              type: 'number',
              describe: 'most fragments of one stripe in one failure domain',
            })
            .check((argv) => {
              if ((argv['rule-level'] === undefined) !== (argv['rule-max'] === undefined))
                throw new Error('--rule-level and --rule-max go together');
              return true;
            }),
        async (argv) => {
          const command = {
            type: 'create_volume',
            name: argv.name,
            k: argv.k,
            m: argv.m,
            blockBytes: argv['block-bytes'],
            ...(argv['write-quorum'] === undefined ? {} : { writeQuorum: argv['write-quorum'] }),
            ...(argv['rule-level'] === undefined
              ? {}
              : { rule: { level: argv['rule-level'], maxPerDomain: argv['rule-max'] } }),
          };
          const reply = await callAny<{ resultJson: string }>(argv, 'Propose', {
            commandJson: JSON.stringify(command),
          });
          const result = JSON.parse(reply.resultJson) as ClusterResult;
          if (!result.ok)
            throw Object.assign(new Error(`volume ${argv.name} not created: ${result.message}`), {
              code: result.code,
            });
          process.stdout.write(`${describeVolume(result.volume!).join('\n')}\n`);
        },
      )
      .command(
        'ls',
        'List the volumes',
        (command) => target(command).option('json', { type: 'boolean', default: false }),
        async (argv) => {
          const volumes = await catalog(argv);
          if (argv.json) {
            process.stdout.write(`${JSON.stringify(volumes)}\n`);
            return;
          }
          if (volumes.length === 0) process.stdout.write('no volumes\n');
          for (const volume of volumes) {
            process.stdout.write(
              `${volume.name}  RS(${volume.k},${volume.m})  ${volume.blockBytes} B blocks  quorum ${volume.writeQuorum}  ${volume.rule.level} <= ${volume.rule.maxPerDomain}\n`,
            );
          }
        },
      )
      .command(
        'stat <name>',
        'Describe a volume: scheme, placement rule and why, write quorum and what it means',
        (command) =>
          target(command)
            .positional('name', { type: 'string', demandOption: true })
            .option('json', { type: 'boolean', default: false }),
        async (argv) => {
          const volume = (await catalog(argv)).find((candidate) => candidate.name === argv.name);
          if (!volume)
            throw Object.assign(new Error(`no volume ${argv.name} in the cluster`), {
              code: 'NOT_FOUND',
            });
          process.stdout.write(
            argv.json ? `${JSON.stringify(volume)}\n` : `${describeVolume(volume).join('\n')}\n`,
          );
        },
      )
      .demandCommand(1, 'Name a volume command: create, ls or stat.'),
  );
}
