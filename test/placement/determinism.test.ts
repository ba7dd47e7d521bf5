// Proves that a second Node.js process computes the very same placements and owners from the
// same topology file, and that they match the pinned answers of earlier releases (a change
// there would move every volume's data and split nodes from clients running older code).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { placementDigest, type PlacementDigest } from './determinism-digest.js';

const topologyFile = fileURLToPath(
  new URL('../fixtures/placement/three-regions.yaml', import.meta.url),
);
const goldenFile = fileURLToPath(
  new URL('../fixtures/placement/golden-placements.json', import.meta.url),
);
const childScript = fileURLToPath(new URL('./determinism-child.ts', import.meta.url));
const STRIPES = 300;

describe('determinism', function () {
  this.timeout(30_000);

  it('a second process computes the same placements and owners', () => {
    const output = execFileSync(
      process.execPath,
      ['--import', 'tsx', childScript, topologyFile, String(STRIPES)],
      {
        encoding: 'utf8',
      },
    );
    const theirs = JSON.parse(output) as PlacementDigest;
    const ours = placementDigest(readFileSync(topologyFile, 'utf8'), STRIPES);
    expect(theirs.rs42).to.have.length(STRIPES);
    expect(theirs).to.deep.equal(ours);
    // The answers are not trivial: stripes land on many different node sets and owners.
    expect(new Set(ours.rs42.map((nodes) => nodes.join())).size).to.be.greaterThan(STRIPES / 2);
    expect(new Set(ours.owners).size).to.equal(5);
  });

  it('matches the placements pinned by earlier releases', () => {
    const ours = placementDigest(readFileSync(topologyFile, 'utf8'), STRIPES);
    if (process.env.TESSERA_PIN_PLACEMENTS === '1')
      writeFileSync(goldenFile, `${JSON.stringify(ours)}\n`);
    const pinned = JSON.parse(readFileSync(goldenFile, 'utf8')) as PlacementDigest;
    expect(ours).to.deep.equal(pinned);
  });
});
