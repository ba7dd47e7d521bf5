// Proves that the status page an operator opens shows the whole cluster: a headless Chromium
// (Debian's, driven by playwright-core) loads it from a node of a real 3-node cluster and finds
// every node, its state and role, and the leader; its /metrics shows the fragment store's files.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { layoutFor, startNode } from '../../node/cli/local-cluster.js';
import type { ChildProcess } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';

describe('process: the status page in a browser', function () {
  this.timeout(120_000);
  let dir: string;
  let processes: ChildProcess[] = [];
  let browser: Browser | undefined;

  before(function () {
    // .ci/run installs Debian's chromium; say plainly what is missing rather than skipping.
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (as .ci/run does)`);
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-page-'));
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) =>
            child.exitCode !== null
              ? resolve()
              : (child.once('exit', () => resolve()), child.kill('SIGKILL')),
          ),
      ),
    );
    processes = [];
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every node with its state and role, and names the leader', async () => {
    const { layout } = await layoutFor(dir, 3, 3, 50);
    processes = layout.nodes.map((node) => startNode(dir, node));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage();
    const url = `http://${layout.nodes[0]!.admin}/`;
    let rows: string[][] = [];
    const end = Date.now() + 60_000;
    // The page refreshes itself; reload until every node is up in the map and a leader is known.
    while (Date.now() < end) {
      try {
        await page.goto(url, { timeout: 5000 });
        const rowLocator = page.locator('#members tbody tr');
        rows = [];
        for (let i = 0; i < (await rowLocator.count()); i++)
          rows.push(await rowLocator.nth(i).locator('td').allTextContents());
        const leader = await page.textContent('#leader');
        if (
          rows.length === 3 &&
          rows.every((row) => row[3] === 'up' && row[4] === 'healthy') &&
          leader &&
          leader !== 'none'
        )
          break;
      } catch {
        // The node is still starting.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(rows.map((row) => row[0])).to.deep.equal(['n1', 'n2', 'n3']);
    expect(rows.map((row) => row[3])).to.deep.equal(['up', 'up', 'up']);
    const roles = rows.map((row) => row[5]);
    expect(roles.filter((role) => role === 'leader')).to.have.length(1);
    expect(roles.filter((role) => role === 'follower')).to.have.length(2);
    const leader = await page.textContent('#leader');
    expect(leader).to.equal(rows.find((row) => row[5] === 'leader')![0]);
    expect(await page.title()).to.equal('Tessera — n1');
    // Beside the page, /metrics shows the fragment store's files (the segment store by default).
    const metrics = await (await fetch(`http://${layout.nodes[0]!.admin}/metrics`)).text();
    const value = (name: string): number =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(value('tessera_store_segments')).to.be.at.least(1);
    expect(value('tessera_store_file_bytes')).to.be.at.least(value('tessera_store_live_bytes'));
    expect(value('tessera_store_compacted_bytes_total')).to.equal(0);
  });
});
