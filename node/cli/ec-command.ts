/**
 * `tessera ec encode|decode|verify`: the erasure engine over files, for trying it out, for
 * moving data by fragments, and as a check that fragments rebuild what was encoded.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import {
  decodeFiles,
  encodeFile,
  healthy,
  verifyFiles,
  type FragmentReport,
} from './ec-operations.js';
import { formatBytes } from './progress.js';

/** Registers `tessera ec` and its three subcommands. */
export function registerEc(parser: Argv): Argv {
  return parser.command(
    'ec',
    'Erasure-code files: split into k+m fragment files, rebuild from any k',
    (ec) =>
      ec
        .command(
          'encode <file>',
          'Split FILE into k data and m parity fragment files (FILE.frag.0 … FILE.frag.<k+m-1>)',
          (command) =>
            command
              .positional('file', {
                type: 'string',
                demandOption: true,
                describe: 'the file to encode',
              })
              .option('k', {
                type: 'number',
                default: 4,
                describe: 'data fragments (any k rebuild the file)',
              })
              .option('m', {
                type: 'number',
                default: 2,
                describe: 'parity fragments (how many may be lost)',
              })
              .option('out', {
                type: 'string',
                describe: 'directory for the fragment files (default: beside FILE)',
              })
              .option('chunk-bytes', {
                type: 'number',
                default: 1 << 20,
                describe: 'bytes of each fragment per stripe',
              })
              .check((argv) => {
                if (
                  !Number.isInteger(argv['chunk-bytes']) ||
                  argv['chunk-bytes'] < 1 ||
                  argv['chunk-bytes'] > 64 << 20
                ) {
                  throw new Error(
                    `--chunk-bytes must be an integer from 1 to ${64 << 20}, got ${argv['chunk-bytes']}`,
                  );
                }
                return true;
              }),
          async (argv) => {
            const outDir = argv.out ?? join(argv.file, '..');
            await mkdir(outDir, { recursive: true });
            const paths = await encodeFile({
              input: argv.file,
              outDir,
              k: argv.k,
              m: argv.m,
              chunkBytes: argv['chunk-bytes'],
            });
            const size = (await stat(argv.file)).size;
            process.stdout.write(
              `encoded ${argv.file} (${formatBytes(size)}) as RS(${argv.k},${argv.m}) into ${paths.length} fragments:\n`,
            );
            for (const path of paths) process.stdout.write(`  ${path}\n`);
          },
        )
        .command(
          'decode <fragments..>',
          'Rebuild the original file from any k of its fragment files (or a directory of them)',
          (command) =>
            command
              .positional('fragments', {
                type: 'string',
                array: true,
                demandOption: true,
                describe: 'fragment files or directories',
              })
              .option('out', {
                type: 'string',
                demandOption: true,
                describe: 'where to write the rebuilt file',
              }),
          async (argv) => {
            const report = await decodeFiles(await expand(argv.fragments), argv.out);
            process.stdout.write(
              `rebuilt ${argv.out} (${formatBytes(report.fileBytes)}), SHA-256 verified\n`,
            );
            printReport(report);
          },
        )
        .command(
          'verify <fragments..>',
          'Check every chunk checksum, the parity of every stripe and the file SHA-256; exit 1 unless all is well',
          (command) =>
            command
              .positional('fragments', {
                type: 'string',
                array: true,
                demandOption: true,
                describe: 'fragment files or directories',
              })
              .option('json', {
                type: 'boolean',
                default: false,
                describe: 'print the report as JSON',
              }),
          async (argv) => {
            const report = await verifyFiles(await expand(argv.fragments));
            if (argv.json)
              process.stdout.write(`${JSON.stringify({ ...report, healthy: healthy(report) })}\n`);
            else printReport(report);
            if (!healthy(report)) process.exitCode = 1;
          },
        )
        .demandCommand(1, 'Name an ec command: encode, decode or verify.'),
  );
}

/** Directories stand for the fragment files (*.frag.N) inside them. */
async function expand(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((name) => /\.frag\.\d+$/.test(name)).sort();
      files.push(...names.map((name) => join(path, name)));
    } else {
      files.push(path);
    }
  }
  return files;
}

function printReport(report: FragmentReport): void {
  const lines = [
    `scheme        RS(${report.k},${report.m}), ${report.stripes} stripes, ${formatBytes(report.fileBytes)}`,
    `fragments     ${report.present.length} of ${report.k + report.m} present${report.absent.length ? ` (absent: ${report.absent.join(', ')})` : ''}`,
    `corrupt       ${report.corruptChunks.length === 0 ? 'none' : report.corruptChunks.map(([index, stripe]) => `fragment ${index} stripe ${stripe}`).join('; ')}`,
    `parity        ${report.inconsistentStripes.length === 0 ? 'consistent where complete' : `inconsistent in stripes ${report.inconsistentStripes.join(', ')}`}`,
    `file SHA-256  ${report.sha256Matches ? 'matches' : 'DOES NOT MATCH'}`,
    `verdict       ${healthy(report) ? 'healthy' : report.sha256Matches ? 'decodable, but degraded' : 'damaged'}`,
  ];
  for (const ignored of report.ignored) lines.push(`ignored       ${ignored}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
