// Proves what a user of `tessera ec` relies on: a file encoded into k + m fragment files comes
// back byte for byte from any k of them, a corrupt chunk is detected and decoded around, and a
// decode that cannot succeed says why and leaves no output file behind.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** Runs the command line from source; resolves with exit code and output, never throws. */
async function tessera(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'node/cli/main.ts'), ...args],
      { cwd: root },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('cli: tessera ec', function () {
  this.timeout(60_000);
  let dir: string;
  let original: Buffer;
  let input: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-ec-'));
    original = randomBytes(3 * 65536 + 12345); // several stripes and a ragged end
    input = join(dir, 'photo.raw');
    await writeFile(input, original);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fragmentsOf = async (): Promise<string[]> =>
    (await readdir(join(dir, 'frags')))
      .filter((name) => name.includes('.frag.'))
      .sort()
      .map((name) => join(dir, 'frags', name));

  it('encodes into k + m files and rebuilds the file from every choice of k of them', async () => {
    const encoded = await tessera(
      'ec',
      'encode',
      input,
      '--k',
      '3',
      '--m',
      '2',
      '--chunk-bytes',
      '65536',
      '--out',
      join(dir, 'frags'),
    );
    expect(encoded.code, encoded.stderr).to.equal(0);
    const fragments = await fragmentsOf();
    expect(fragments).to.have.length(5);
    // All ten pairs of lost fragments.
    for (let a = 0; a < 5; a++) {
      for (let b = a + 1; b < 5; b++) {
        const out = join(dir, `copy-${a}-${b}`);
        const kept = fragments.filter((_, index) => index !== a && index !== b);
        const decoded = await tessera('ec', 'decode', ...kept, '--out', out);
        expect(decoded.code, decoded.stderr).to.equal(0);
        expect((await readFile(out)).equals(original), `without ${a} and ${b}`).to.equal(true);
      }
    }
    const verified = await tessera('ec', 'verify', join(dir, 'frags'));
    expect(verified.code).to.equal(0);
    expect(verified.stdout).to.match(/verdict\s+healthy/);
  });

  it('finds a corrupt chunk, reports it, and still decodes the file exactly', async () => {
    await tessera(
      'ec',
      'encode',
      input,
      '--k',
      '3',
      '--m',
      '2',
      '--chunk-bytes',
      '65536',
      '--out',
      join(dir, 'frags'),
    );
    const fragments = await fragmentsOf();
    const handle = await open(fragments[1]!, 'r+');
    await handle.write(Buffer.from([0xff, 0x00, 0xff]), 0, 3, 64 + 65536 + 4 + 100); // stripe 1
    await handle.close();
    const verified = await tessera('ec', 'verify', '--json', ...fragments);
    expect(verified.code).to.equal(1);
    const report = JSON.parse(verified.stdout) as {
      corruptChunks: number[][];
      healthy: boolean;
      sha256Matches: boolean;
    };
    expect(report.corruptChunks).to.deep.equal([[1, 1]]);
    expect(report.sha256Matches).to.equal(true);
    const out = join(dir, 'copy');
    const decoded = await tessera('ec', 'decode', ...fragments, '--out', out);
    expect(decoded.code, decoded.stderr).to.equal(0);
    expect((await readFile(out)).equals(original)).to.equal(true);
  });

  it('with more than m fragments lost says how many, exits non-zero and leaves no output', async () => {
    await tessera('ec', 'encode', input, '--k', '3', '--m', '2', '--out', join(dir, 'frags'));
    const fragments = await fragmentsOf();
    const out = join(dir, 'copy');
    const decoded = await tessera('ec', 'decode', ...fragments.slice(0, 2), '--out', out);
    expect(decoded.code).to.equal(1);
    expect(decoded.stderr).to.match(/3 shards are missing but at most 2 may be/);
    expect(await readdir(dir)).to.deep.equal(['frags', 'photo.raw']);
  });

  it('refuses fragments of different encodings, and files that are not fragments, naming the file', async () => {
    await tessera('ec', 'encode', input, '--k', '3', '--m', '2', '--out', join(dir, 'frags'));
    await writeFile(join(dir, 'other.raw'), randomBytes(1000));
    await tessera(
      'ec',
      'encode',
      join(dir, 'other.raw'),
      '--k',
      '3',
      '--m',
      '2',
      '--out',
      join(dir, 'frags'),
    );
    const mixed = [
      join(dir, 'frags', 'photo.raw.frag.0'),
      join(dir, 'frags', 'other.raw.frag.1'),
      join(dir, 'frags', 'photo.raw.frag.2'),
    ];
    const decoded = await tessera('ec', 'decode', ...mixed, '--out', join(dir, 'copy'));
    expect(decoded.code).to.equal(1);
    expect(decoded.stderr).to.match(/other\.raw\.frag\.1: belongs to another encoding/);
    const notFragment = await tessera('ec', 'verify', input);
    expect(notFragment.code).to.equal(1);
    expect(notFragment.stderr).to.match(/photo\.raw: not a Tessera fragment file/);
  });

  it('refuses an impossible scheme with a message naming the argument', async () => {
    const result = await tessera(
      'ec',
      'encode',
      input,
      '--k',
      '0',
      '--m',
      '2',
      '--out',
      join(dir, 'frags'),
    );
    expect(result.code).not.to.equal(0);
    expect(result.stderr).to.match(/k must be an integer >= 1, got 0/);
  });

  it('explains itself with --help', async () => {
    const result = await tessera('ec', 'encode', '--help');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/Split FILE into k data and m parity fragment files/);
    expect(result.stdout).to.match(/--chunk-bytes/);
  });
});
