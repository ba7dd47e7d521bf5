// Proves what a user of `tessera volume write|read|verify` relies on, against a fake cluster over
// real gRPC: a file (or stdin) written at an offset reads back byte for byte (to a file or
// stdout), verify passes on it and names the first differing offset with exit code 1 otherwise,
// and bad arguments exit with code 2 having sent and written nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startFakeCluster, volumeRecord, type FakeCluster } from './fake-cluster.js';

const root = new URL('../..', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the command line from source with `input` on stdin; resolves with its exit and output. */
function tessera(args: string[], input: Buffer = Buffer.alloc(0)): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'node/cli/main.ts'), ...args],
      {
        cwd: root,
      },
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (data: Buffer) => stdout.push(data));
    child.stderr.on('data', (data: Buffer) => stderr.push(data));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString() }),
    );
    child.stdin.end(input);
  });
}

describe('cli: tessera volume write, read, verify', function () {
  this.timeout(120_000);
  let cluster: FakeCluster;
  let dir: string;
  let seeds: string;

  beforeEach(async () => {
    cluster = await startFakeCluster(3, [volumeRecord('disk', 2, 1, 4096)]);
    seeds = cluster.seeds.join(',');
    dir = await mkdtemp(join(tmpdir(), 'tessera-volume-cli-'));
  });
  afterEach(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a file at an offset, reads it back, verifies it, and finds a changed byte', async () => {
    const original = randomBytes(5 * 8192 + 1234); // six stripes, a ragged end
    const input = join(dir, 'image.raw');
    await writeFile(input, original);

    // Step 1: write at offset 1000.
    const written = await tessera([
      'volume',
      'write',
      'disk',
      '--seeds',
      seeds,
      '--offset',
      '1000',
      '--file',
      input,
    ]);
    expect(written.code, written.stderr).to.equal(0);
    expect(written.stdout.toString()).to.include(`wrote ${original.length} bytes`);
    expect(cluster.state.read('disk', 1000, original.length).equals(original)).to.equal(true);
    // Step 2: read it back into a file.
    const out = join(dir, 'copy.raw');
    const read = await tessera([
      'volume',
      'read',
      'disk',
      '--seeds',
      seeds,
      '--offset',
      '1000',
      '--length',
      String(original.length),
      '--out',
      out,
    ]);
    expect(read.code, read.stderr).to.equal(0);
    expect((await readFile(out)).equals(original)).to.equal(true);
    // Step 3: verify passes.
    const verified = await tessera([
      'volume',
      'verify',
      'disk',
      '--seeds',
      seeds,
      '--file',
      input,
      '--offset',
      '1000',
    ]);
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout.toString()).to.include('verified');
    // Step 4: one changed byte of the file: exit code 1 naming the volume offset.
    const changed = Buffer.from(original);
    changed[20_000] = changed[20_000]! ^ 0xff;
    await writeFile(input, changed);
    const mismatch = await tessera([
      'volume',
      'verify',
      'disk',
      '--seeds',
      seeds,
      '--file',
      input,
      '--offset',
      '1000',
    ]);
    expect(mismatch.code).to.equal(1);
    expect(mismatch.stderr).to.include('at volume offset 21000');
  });

  it('writes stdin and reads to stdout', async () => {
    const original = randomBytes(70_000);
    const written = await tessera(
      ['volume', 'write', 'disk', '--grpc', cluster.seeds[1]!],
      original,
    );
    expect(written.code, written.stderr).to.equal(0);
    const read = await tessera([
      'volume',
      'read',
      'disk',
      '--seeds',
      cluster.seeds[2]!,
      '--offset',
      '0',
      '--length',
      '70000',
    ]);
    expect(read.code, read.stderr).to.equal(0);
    expect(read.stdout.equals(original)).to.equal(true);
  });

  it('bad arguments: exit code 2 and a clear message, nothing sent, nothing written', async () => {
    const input = join(dir, 'small.raw');
    await writeFile(input, Buffer.from('bytes'));
    const out = join(dir, 'never.raw');
    const cases: [string[], RegExp][] = [
      [
        [
          'volume',
          'read',
          'disk',
          '--seeds',
          seeds,
          '--offset',
          '0',
          '--length',
          '0',
          '--out',
          out,
        ],
        /--length must be an integer >= 1/,
      ],
      [
        [
          'volume',
          'read',
          'disk',
          '--seeds',
          seeds,
          '--offset',
          '-1',
          '--length',
          '5',
          '--out',
          out,
        ],
        /--offset must be an integer >= 0/,
      ],
      [
        ['volume', 'read', 'disk', '--seeds', seeds, '--offset', '0', '--out', out],
        /Missing required argument: length/,
      ],
      [
        ['volume', 'write', 'disk', '--seeds', seeds, '--offset', 'abc', '--file', input],
        /--offset must be an integer >= 0/,
      ],
      [
        ['volume', 'write', 'disk', '--seeds', seeds, '--file', join(dir, 'missing.raw')],
        /no such file/,
      ],
      [['volume', 'write', 'disk', '--seeds', seeds], /nothing to write/],
      [
        ['volume', 'verify', 'disk', '--seeds', seeds, '--file', join(dir, 'missing.raw')],
        /no such file/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => tessera(args)));
    runs.forEach((run, at) => {
      expect(run.code, cases[at]![0].join(' ')).to.equal(2);
      expect(run.stderr).to.match(cases[at]![1]);
    });
    expect(cluster.state.requests).to.equal(0);
    expect(existsSync(out)).to.equal(false);
  });

  it('a missing volume: exit code 1 with NOT_FOUND', async () => {
    const run = await tessera([
      'volume',
      'read',
      'nope',
      '--seeds',
      seeds,
      '--offset',
      '0',
      '--length',
      '1',
    ]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/volume nope does not exist.*\[NOT_FOUND\]/);
  });
});
