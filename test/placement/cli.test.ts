// Proves that `tessera placement show|preview|survive` print the same figures as the library
// (with --json for machines), and that a bad topology file fails with its line and code.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseTopology, planChange } from '../../placement/index.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../../node/cli/main.ts', import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/placement/${name}`, import.meta.url));

async function tessera(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', main, ...args], {
      encoding: 'utf8',
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('tessera placement', function () {
  this.timeout(30_000);

  it('preview --json reports what planChange computes', async () => {
    const { stdout, code } = await tessera(
      'placement',
      'preview',
      '--topology',
      fixture('three-regions.yaml'),
      '--to',
      fixture('three-regions-v8.yaml'),
      '--stripes',
      '2000',
      '--json',
    );
    expect(code).to.equal(0);
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    const expected = planChange(
      parseTopology(readFileSync(fixture('three-regions.yaml'), 'utf8')),
      parseTopology(readFileSync(fixture('three-regions-v8.yaml'), 'utf8')),
      {
        name: 'volume',
        stripes: 2000,
        scheme: { k: 4, m: 2 },
        rule: { level: 'region', maxPerDomain: 2 },
      },
    );
    expect(printed).to.deep.include({ ...expected, rule: { level: 'region', maxPerDomain: 2 } });
    expect(printed.ruleReason).to.contain('region level');
  });

  it('show prints a table with a line per node and the stripe asked for', async () => {
    const { stdout, code } = await tessera(
      'placement',
      'show',
      '--topology',
      fixture('three-regions.yaml'),
      '--stripes',
      '500',
      '--stripe',
      '3',
    );
    expect(code).to.equal(0);
    expect(stdout).to.match(/^region\s+zone\s+node\s+weight\s+state/m);
    expect(stdout.match(/^(eu-west|us-east|ap-south)\s/gm)).to.have.length(12);
    expect(stdout)
      .to.contain('stripe volume/3:')
      .and.match(/fragment 5 \(parity\) -> \S+/);
  });

  it('survive says that RS(10,4) over 3 regions does not survive a region loss', async () => {
    const { stdout, code } = await tessera(
      'placement',
      'survive',
      '--topology',
      fixture('three-regions.json'),
      '--k',
      '4',
      '--m',
      '2',
      '--sample',
      '200',
    );
    expect(code).to.equal(0);
    expect(stdout).to.contain('a region: yes');
    const large = await tessera(
      'placement',
      'survive',
      '--topology',
      fixture('nine-zones.yaml'),
      '--k',
      '10',
      '--m',
      '4',
      '--sample',
      '200',
      '--json',
    );
    expect(large.code).to.equal(0);
    const report = JSON.parse(large.stdout) as { survivesEverySingleLoss: Record<string, boolean> };
    expect(report.survivesEverySingleLoss).to.deep.equal({
      region: false,
      zone: true,
      node: true,
    });
  });

  it('a bad topology file fails with exit code 1, the file, the line and the code', async () => {
    const { stderr, code } = await tessera(
      'placement',
      'show',
      '--topology',
      fixture('bad-duplicate-node.yaml'),
    );
    expect(code).to.equal(1);
    expect(stderr)
      .to.contain('bad-duplicate-node.yaml: line 11:')
      .and.contain('[TOPOLOGY_DUPLICATE_ID]');
  });

  it('a rule the topology cannot satisfy fails before anything is placed', async () => {
    const { stderr, code } = await tessera(
      'placement',
      'show',
      '--topology',
      fixture('three-regions.json'),
      '--k',
      '10',
      '--m',
      '4',
    );
    expect(code).to.equal(1);
    expect(stderr).to.contain('[PLACEMENT_RULE_UNSATISFIABLE]');
  });
});
