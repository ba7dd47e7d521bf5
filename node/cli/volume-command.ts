/**
 * `tessera volume create|ls|stat|write|read|verify`: the volume catalog of a running cluster, and
 * a volume's bytes. A volume's scheme, block size, write quorum and placement rule are fixed at
 * creation; the cluster map refuses a rule the topology cannot hold. write, read and verify go
 * through the client SDK (volume-data.ts), as any writer does.
 */
import type { Argv } from 'yargs';
import type { ClusterMapState, ClusterResult, VolumeRecord } from '../cluster/cluster-map-types.js';
import { callAny, type Target } from './cluster-calls.js';
import { UsageError } from './usage-error.js';
import {
  describeBytes,
  readVolume,
  verifyVolume,
  writeVolume,
  type SeedTarget,
} from './volume-data.js';

const target = (command: Argv): Argv<Target> =>
  command
    .option('grpc', { type: 'string', describe: "host:port of any member's gRPC" })
    .option('dir', {
      type: 'string',
      default: 'tessera-cluster',
      describe: "a local cluster's directory (used without --grpc)",
    });

/** The options that find a cluster for the SDK: --seeds (alias --grpc), else --dir. */
const seedTarget = (command: Argv): Argv<SeedTarget> =>
  command
    .option('seeds', {
      alias: 'grpc',
      type: 'string',
      array: true,
      describe: "host:port of one or more members' gRPC (comma-separated or repeated)",
    })
    .option('dir', {
      type: 'string',
      default: 'tessera-cluster',
      describe: "a local cluster's directory (used without --seeds)",
    });

/** A byte position option: an integer from `min` up to 2^53 - 1 (a usage error otherwise). */
function checkPosition(value: unknown, option: string, min: number): true {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new UsageError(`--${option} must be an integer >= ${min}, got ${String(value)}`);
  return true;
}

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
                throw new UsageError('--rule-level and --rule-max go together');
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
      .command(
        'write <name>',
        'Write a file (or stdin) into a volume at an offset',
        (command) =>
          seedTarget(command)
            .positional('name', { type: 'string', demandOption: true })
            .option('offset', {
              type: 'number',
              default: 0,
              describe: 'volume offset of the first byte',
            })
            .option('file', { type: 'string', describe: 'the file to write (default: stdin)' })
            .check((argv) => checkPosition(argv.offset, 'offset', 0)),
        async (argv) => {
          const written = await writeVolume(argv, argv.name, argv.offset, argv.file);
          process.stdout.write(
            `wrote ${describeBytes(written)} to ${argv.name} at offset ${argv.offset}\n`,
          );
        },
      )
      .command(
        'read <name>',
        'Read a range of a volume into a file (or stdout)',
        (command) =>
          seedTarget(command)
            .positional('name', { type: 'string', demandOption: true })
            .option('offset', {
              type: 'number',
              demandOption: true,
              describe: 'volume offset of the first byte',
            })
            .option('length', { type: 'number', demandOption: true, describe: 'bytes to read' })
            .option('out', { type: 'string', describe: 'the file to write (default: stdout)' })
            .check(
              (argv) =>
                checkPosition(argv.offset, 'offset', 0) && checkPosition(argv.length, 'length', 1),
            ),
        async (argv) => {
          await readVolume(argv, argv.name, argv.offset, argv.length, argv.out);
          if (argv.out !== undefined)
            process.stdout.write(
              `read ${describeBytes(argv.length)} of ${argv.name} into ${argv.out}\n`,
            );
        },
      )
      .command(
        'verify <name>',
        'Read a volume back and compare it with a file; exit code 1 at the first difference',
        (command) =>
          seedTarget(command)
            .positional('name', { type: 'string', demandOption: true })
            .option('file', {
              type: 'string',
              demandOption: true,
              describe: 'the file the volume should hold',
            })
            .option('offset', {
              type: 'number',
              default: 0,
              describe: "volume offset of the file's first byte",
            })
            .check((argv) => checkPosition(argv.offset, 'offset', 0)),
        async (argv) => {
          const { bytes, difference } = await verifyVolume(argv, argv.name, argv.offset, argv.file);
          if (difference) {
            process.stderr.write(
              `tessera: ${argv.name} differs from ${argv.file} at volume offset ${difference.offset} ` +
                `(file offset ${difference.offset - argv.offset}): the volume holds ${difference.volumeByte}, the file ${difference.fileByte}\n`,
            );
            process.exitCode = 1;
            return;
          }
          process.stdout.write(
            `${argv.name} holds ${argv.file}: ${describeBytes(bytes)} at offset ${argv.offset} verified\n`,
          );
        },
      )
      .demandCommand(1, 'Name a volume command: create, ls, stat, write, read or verify.'),
  );
}
