// Proves the `tessera sim raft` command line: it parses seed ranges strictly, runs seeds with a
// summary of faults and operations, and for a failing seed prints a command that replays the
// very same failure. And the code shape of `tessera sim cluster` and `tessera sim explore`:
// RS(4,2) on six nodes runs, and a shape the code cannot take is refused with what is wrong.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parseSeedRange } from '../../node/cli/sim-command.js';
import { runRaftSeed } from '../../simulations/raft-sim.js';
import { replayCommand } from '../../simulations/cm/cm-runner.js';

const run = promisify(execFile);

describe('tessera sim raft', () => {
  it('parses A..B and N, and refuses anything else', () => {
    expect(parseSeedRange('3..7')).to.deep.equal([3, 7]);
    expect(parseSeedRange('42')).to.deep.equal([42, 42]);
    for (const bad of ['7..3', 'a..b', '1..', '-1..2', '1...2']) {
      expect(() => parseSeedRange(bad), bad).to.throw(/--seeds wants A\.\.B/);
    }
  });

  it('runs a range and prints the summary of faults and operations', async () => {
    const { stdout } = await run('node', [
      '--import',
      'tsx',
      'node/cli/main.ts',
      'sim',
      'raft',
      '--seeds',
      '1..3',
    ]);
    expect(stdout).to.match(/seeds {7}3 run, 3 passed, 0 failed/);
    expect(stdout).to.match(/faults {6}\d+ messages: \d+ dropped/);
    expect(stdout).to.match(/operations {2}\d+ checked linearizable/);
  });

  it('prints, for a failing seed, a command that replays the same failure', async () => {
    // Too little time to converge after the faults is a failure the runner must report: take
    // the first seed that has not converged 1 ms after its faults stop.
    let failed = runRaftSeed(1, { faultMs: 500, convergeMs: 1 });
    for (let seed = 2; failed.ok && seed < 100; seed += 1) {
      failed = runRaftSeed(seed, { faultMs: 500, convergeMs: 1 });
    }
    expect(failed.ok).to.equal(false);
    expect(failed.error).to.match(/no convergence within 1 ms/);
    expect(failed.replay).to.equal(
      `npx tsx node/cli/main.ts sim raft --seed ${failed.seed} --fault-ms 500 --converge-ms 1`,
    );
    const args = failed.replay.split(' ').slice(2);
    const replay = await run('node', ['--import', 'tsx', ...args]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(replay?.code).to.equal(1);
    expect(replay?.stdout).to.include(`seed ${failed.seed} FAILED: ${failed.error ?? ''}`);
    expect(replay?.stdout).to.include(`replay: ${failed.replay}`);
  });
});

/** `tessera sim <command> …args`: its exit code and output, whether it failed or not. */
function sim(
  command: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('node', ['--import', 'tsx', 'node/cli/main.ts', 'sim', command, ...args]).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('tessera sim cluster', () => {
  const cli = (...args: string[]) => sim('cluster', ...args);

  it('runs a seed of another code shape, RS(4,2) on six nodes, and names it in the replay command', async () => {
    const result = await cli('--seed', '254', '--k', '4', '--m', '2', '--nodes', '6');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/1 seeds: 1 kept every invariant, 0 failed/);
    expect(replayCommand(254, { k: 4, m: 2, nodes: 6, regions: 3, writeQuorum: 6 })).to.equal(
      'tessera sim cluster --seed 254 --k 4 --nodes 6 --write-quorum 6',
    );
  });

  it('refuses a shape the code cannot take, naming what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--k', '4', '--m', '2', '--nodes', '5'], /--nodes 5 cannot hold RS\(4,2\)/],
      [['--k', '0'], /--k wants a positive integer, got 0/],
      [
        ['--write-quorum', '5'],
        /--write-quorum wants an integer from k \(2\) to k \+ m \(4\), got 5/,
      ],
      [['--regions', '9'], /--regions 9 is more than --nodes 5/],
      [['--retention-ms', '-5'], /--retention-ms wants an integer of 0 or more, got -5/],
    ];
    for (const [args, message] of cases) {
      const result = await cli('--seed', '1', ...args);
      expect(result.code, args.join(' ')).to.not.equal(0);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });
});

describe('tessera sim explore', () => {
  const cli = (...args: string[]) => sim('explore', ...args);

  it('explores another code, named in its summary', async () => {
    const result = await cli('--k', '4', '--nodes', '6', '--regions', '3', '--faults', '0');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(
      /^RS\(4,2\) on 6 nodes: \d+ schedules \(all\) within 1 reorderings and 0 faults, \d+ states checked, .* 0 failed/,
    );
  });

  it('refuses a configuration it cannot run, naming what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--k', '4', '--nodes', '5'], /--nodes 5 cannot hold RS\(4,2\)/],
      [['--k', '1'], /--k wants at least 2: the writers write two blocks of a stripe/],
      [['--regions', '5'], /--regions 5 is more than --nodes 4/],
    ];
    for (const [args, message] of cases) {
      const result = await cli('--faults', '0', '--reorders', '0', ...args);
      expect(result.code, args.join(' ')).to.not.equal(0);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });
});
