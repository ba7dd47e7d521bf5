/**
 * `tessera sim raft --seed N | --seeds A..B`: seeded deterministic simulations of a Raft group
 * under faults, with progress on the terminal, a summary of faults injected and operations
 * checked, and for each failing seed the one command that replays it. Exit 1 if any failed.
 */
import type { Argv } from 'yargs';
import { formatSummary, runSeeds, type OnSeed } from '../../simulations/raft-runner.js';
import { DEFAULT_CONVERGE_MS, DEFAULT_FAULT_MS } from '../../simulations/raft-sim.js';
import { CM_DEFAULTS } from '../../simulations/cm/cm-run.js';
import { formatCmSummary, runCmSeeds } from '../../simulations/cm/cm-runner.js';
import { EXPLORE_CODE, explore } from '../../simulations/cm/cm-explore.js';

/** Parses "A..B" (or a single "N") into an inclusive range of seeds. */
export function parseSeedRange(text: string): [number, number] {
  const match = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  const first = Number(match?.[1]);
  const last = Number(match?.[2] ?? match?.[1]);
  if (
    match === null ||
    !Number.isSafeInteger(first) ||
    !Number.isSafeInteger(last) ||
    last < first
  ) {
    throw new Error(`--seeds wants A..B with 0 ≤ A ≤ B, got "${text}"`);
  }
  return [first, last];
}

/** What every seeded simulation command checks: one of --seed or --seeds, and a positive --fault-ms. */
function checkSeedArguments(argv: { seed?: number; seeds?: string; 'fault-ms': number }): true {
  if (argv.seed === undefined && argv.seeds === undefined)
    throw new Error('Give --seed N or --seeds A..B.');
  if (argv.seed !== undefined && !(Number.isSafeInteger(argv.seed) && argv.seed >= 0))
    throw new Error(`--seed wants a non-negative integer, got ${argv.seed}`);
  if (!(Number.isInteger(argv['fault-ms']) && argv['fault-ms'] > 0))
    throw new Error(`--fault-ms wants a positive integer, got ${argv['fault-ms']}`);
  return true;
}

/** The code shape of `sim cluster`: a code the erasure engine takes, on enough nodes, with a quorum it allows. */
/** --retention-ms, when given, is a whole number of simulated ms, 0 or more. */
function checkRetention(retentionMs: number | undefined): true {
  if (retentionMs !== undefined && !(Number.isInteger(retentionMs) && retentionMs >= 0))
    throw new Error(`--retention-ms wants an integer of 0 or more, got ${retentionMs}`);
  return true;
}

function checkCodeArguments(argv: {
  k: number;
  m: number;
  nodes: number;
  regions: number;
  'write-quorum'?: number;
}): true {
  for (const name of ['k', 'm', 'nodes', 'regions'] as const)
    if (!(Number.isInteger(argv[name]) && argv[name] >= 1))
      throw new Error(`--${name} wants a positive integer, got ${argv[name]}`);
  if (argv.nodes < argv.k + argv.m)
    throw new Error(
      `--nodes ${argv.nodes} cannot hold RS(${argv.k},${argv.m}): a stripe's ${argv.k + argv.m} fragments need as many nodes`,
    );
  if (argv.regions > argv.nodes)
    throw new Error(`--regions ${argv.regions} is more than --nodes ${argv.nodes}`);
  const quorum = argv['write-quorum'];
  if (
    quorum !== undefined &&
    !(Number.isInteger(quorum) && quorum >= argv.k && quorum <= argv.k + argv.m)
  )
    throw new Error(
      `--write-quorum wants an integer from k (${argv.k}) to k + m (${argv.k + argv.m}), got ${quorum}`,
    );
  return true;
}

/** Registers `tessera sim` and its `raft`, `cluster` and `explore` subcommands. */
export function registerSim(parser: Argv): Argv {
  return parser.command('sim', 'Run deterministic simulations driven by a seed', (sim) =>
    sim
      .command(
        'raft',
        'Simulate a Raft group under network, disk, clock and crash faults; check safety and linearizability',
        (command) =>
          command
            .option('seed', { type: 'number', describe: 'run this one seed' })
            .option('seeds', { type: 'string', describe: 'run seeds A..B (inclusive)' })
            .option('fault-ms', {
              type: 'number',
              default: DEFAULT_FAULT_MS,
              describe: 'simulated ms of faults per seed',
            })
            .option('converge-ms', {
              type: 'number',
              default: DEFAULT_CONVERGE_MS,
              describe: 'simulated ms allowed for a leader and convergence after the faults stop',
            })
            .option('lease', {
              type: 'boolean',
              default: false,
              describe:
                'answer reads under the leader lease; processes are paused where clocks would jump',
            })
            .option('verbose', {
              type: 'boolean',
              default: false,
              describe: 'print one line per seed',
            })
            .conflicts('seed', 'seeds')
            .check((argv) => checkSeedArguments(argv)),
        (argv) => {
          const [first, last] =
            argv.seeds !== undefined
              ? parseSeedRange(argv.seeds)
              : [argv.seed ?? 0, argv.seed ?? 0];
          const options = {
            faultMs: argv['fault-ms'],
            convergeMs: argv['converge-ms'],
            ...(argv.lease ? { lease: true } : {}),
          };
          const summary = runSeeds(
            first,
            last,
            options,
            () => performance.now(),
            reporter(first, last, argv.verbose),
          );
          if (process.stderr.isTTY) process.stderr.write('\n');
          process.stdout.write(formatSummary(summary, options.faultMs));
          if (summary.failures.length > 0) process.exitCode = 1;
        },
      )
      .command(
        'cluster',
        'Simulate the consistency managers, stores and map under crashes, cuts and false suspicions; check that no acknowledged write is lost',
        (command) =>
          command
            .option('seed', { type: 'number', describe: 'run this one seed' })
            .option('seeds', { type: 'string', describe: 'run seeds A..B (inclusive)' })
            .option('fault-ms', {
              type: 'number',
              default: CM_DEFAULTS.faultMs,
              describe: 'simulated ms of writes under faults per seed',
            })
            .option('raft', {
              type: 'boolean',
              default: false,
              describe:
                'run the map on real Raft members, one per node, instead of the linearizable log model',
            })
            .option('placement-changes', {
              type: 'boolean',
              default: true,
              describe:
                'nodes drained and given back among the faults (--no-placement-changes leaves them out)',
            })
            .option('k', {
              type: 'number',
              default: CM_DEFAULTS.k,
              describe: 'data fragments per stripe',
            })
            .option('m', {
              type: 'number',
              default: CM_DEFAULTS.m,
              describe: 'parity fragments per stripe',
            })
            .option('nodes', {
              type: 'number',
              default: CM_DEFAULTS.nodes,
              describe: 'storage nodes (at least k + m)',
            })
            .option('regions', {
              type: 'number',
              default: CM_DEFAULTS.regions,
              describe: 'regions the nodes are spread over, round robin',
            })
            .option('write-quorum', {
              type: 'number',
              describe:
                'fragments an update must reach before it is acknowledged (k to k + m; default k + 1)',
            })
            .option('retention-ms', {
              type: 'number',
              describe:
                "fold each fragment's history older than this many simulated ms, every 250 ms (default: never)",
            })
            .option('verbose', {
              type: 'boolean',
              default: false,
              describe: 'print one line per seed',
            })
            .conflicts('seed', 'seeds')
            .check(
              (argv) =>
                checkSeedArguments(argv) &&
                checkCodeArguments(argv) &&
                checkRetention(argv['retention-ms']),
            ),
        async (argv) => {
          const [first, last] =
            argv.seeds !== undefined
              ? parseSeedRange(argv.seeds)
              : [argv.seed ?? 0, argv.seed ?? 0];
          const total = last - first + 1;
          let drawn = 0;
          const summary = await runCmSeeds(
            first,
            last,
            {
              faultMs: argv['fault-ms'],
              ...(argv.raft ? { raft: true } : {}),
              ...(argv['placement-changes'] ? {} : { placementChanges: false }),
              k: argv.k,
              m: argv.m,
              nodes: argv.nodes,
              regions: argv.regions,
              ...(argv['write-quorum'] !== undefined ? { writeQuorum: argv['write-quorum'] } : {}),
              ...(argv['retention-ms'] !== undefined ? { retentionMs: argv['retention-ms'] } : {}),
            },
            () => performance.now(),
            (result, sums) => {
              if (argv.verbose || total === 1)
                process.stdout.write(
                  `seed ${result.seed}: ${result.violations.length === 0 ? 'ok' : 'FAILED'}, ${result.writes.acked} acknowledged, ${result.writes.unknown} unknown, ${result.reads} reads, ${result.steps} events\n`,
                );
              const now = performance.now();
              if (sums.runs === total || now - drawn > (process.stderr.isTTY ? 100 : 10_000)) {
                drawn = now;
                const rate = sums.runs / Math.max(sums.wallMs / 1000, 1e-9);
                const line = `sim cluster ${sums.runs}/${total} seeds, ${sums.failures.length} failed, ${rate.toFixed(1)} seeds/s, ${((total - sums.runs) / rate).toFixed(0)} s left`;
                process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
              }
            },
          );
          if (process.stderr.isTTY) process.stderr.write('\n');
          process.stdout.write(formatCmSummary(summary));
          if (summary.failures.length > 0) process.exitCode = 1;
        },
      )
      .command(
        'explore',
        'Run every schedule of a small CM configuration (RS(2,2) on 4 nodes by default, 2 writers) within the bounds, checking every invariant',
        (command) =>
          command
            .option('reorders', {
              type: 'number',
              default: 1,
              describe: 'deliveries run out of order per schedule',
            })
            .option('faults', {
              type: 'number',
              default: 1,
              describe: 'faults injected per schedule',
            })
            .option('window', {
              type: 'number',
              default: 3,
              describe: 'earliest due events a step may choose from',
            })
            .option('shape', {
              choices: ['one-block', 'burst'] as const,
              default: 'one-block' as const,
              describe:
                "what the writers do: both write one block, or one sends the stripe's two blocks at once while the other writes part of one",
            })
            .option('k', {
              type: 'number',
              default: EXPLORE_CODE.k,
              describe: 'data fragments per stripe',
            })
            .option('m', {
              type: 'number',
              default: EXPLORE_CODE.m,
              describe: 'parity fragments per stripe',
            })
            .option('nodes', {
              type: 'number',
              default: EXPLORE_CODE.nodes,
              describe: 'storage nodes (at least k + m), each with a CM that can own',
            })
            .option('regions', {
              type: 'number',
              default: EXPLORE_CODE.regions,
              describe: 'regions the nodes are spread over, round robin',
            })
            .option('volume-last', {
              type: 'boolean',
              default: false,
              describe:
                'create the volume once every CM has started, as on a running cluster, so that the owner takes the stripe known empty, with no recovery',
            })
            .check((argv) => {
              checkCodeArguments(argv);
              if (argv.k < 2)
                throw new Error(`--k wants at least 2: the writers write two blocks of a stripe`);
              for (const name of ['reorders', 'faults', 'window'] as const)
                if (!(Number.isInteger(argv[name]) && argv[name] >= 0))
                  throw new Error(`--${name} wants a non-negative integer, got ${argv[name]}`);
              if (argv.window < 1) throw new Error('--window wants at least 1');
              return true;
            }),
        async (argv) => {
          const started = performance.now();
          let drawn = 0;
          const report = await explore(
            {
              reorders: argv.reorders,
              faults: argv.faults,
              window: argv.window,
              shape: argv.shape,
              code: { k: argv.k, m: argv.m, nodes: argv.nodes, regions: argv.regions },
              volumeLast: argv.volumeLast,
            },
            (sums) => {
              const now = performance.now();
              if (now - drawn < (process.stderr.isTTY ? 100 : 10_000)) return;
              drawn = now;
              const line = `sim explore: ${sums.schedules} schedules, ${sums.states} states, ${sums.failures.length} failed, ${((now - started) / 1000).toFixed(0)} s`;
              process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
            },
          );
          if (process.stderr.isTTY) process.stderr.write('\n');
          process.stdout.write(
            `RS(${argv.k},${argv.m}) on ${argv.nodes} nodes: ${report.schedules} schedules (${report.complete ? 'all' : 'stopped early'}) within ${argv.reorders} reorderings and ${argv.faults} faults, ${report.states} states checked, ${report.merging} with writes carried in one update, ${report.knownEmpty} with the stripe taken known empty, ${report.failures.length} failed, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
          );
          for (const failure of report.failures.slice(0, 5))
            process.stdout.write(
              `FAILED at choices [${failure.choices.join(',')}]: ${failure.violations.slice(0, 3).join('; ')}\n`,
            );
          if (report.failures.length > 0) process.exitCode = 1;
        },
      )
      .demandCommand(1, 'Name a simulation: raft, cluster or explore.'),
  );
}

/**
 * What a run prints as it goes: each failing seed with its replay command (and every seed with
 * --verbose or a single seed) on stdout; progress on stderr, redrawn on a terminal, else a line
 * every 10 s.
 */
function reporter(first: number, last: number, verbose: boolean): OnSeed {
  const total = last - first + 1;
  const stream = process.stderr;
  let drawn = 0;
  return (result, sums) => {
    if (verbose || total === 1) {
      process.stdout.write(
        `seed ${result.seed}: ${result.ok ? 'ok' : 'FAILED'}, ${result.members} members, ` +
          `${result.operations.checked} operations, ${result.committed} committed, ${result.steps} events\n`,
      );
    }
    if (!result.ok) {
      process.stdout.write(
        `seed ${result.seed} FAILED: ${result.error ?? ''}\n  replay: ${result.replay}\n`,
      );
    }
    const now = performance.now();
    if (sums.runs === total || now - drawn > (stream.isTTY ? 100 : 10_000)) {
      drawn = now;
      const rate = sums.runs / Math.max(sums.wallMs / 1000, 1e-9);
      const line =
        `sim raft ${sums.runs}/${total} seeds, ${sums.failures.length} failed, ` +
        `${rate.toFixed(1)} seeds/s, ${((total - sums.runs) / rate).toFixed(0)} s left`;
      stream.write(stream.isTTY ? `\r${line}   ` : `${line}\n`);
    }
  };
}
