/**
 * Run in a separate process by determinism.test.ts: reads a topology file, places stripes and
 * computes owners, and prints the answers as one JSON document on stdout.
 * Usage: node --import tsx determinism-child.ts TOPOLOGY_FILE STRIPES
 */
import { readFileSync } from 'node:fs';
import { placementDigest } from './determinism-digest.js';

const [file, stripes] = process.argv.slice(2);
if (file === undefined || stripes === undefined)
  throw new Error('usage: determinism-child.ts TOPOLOGY_FILE STRIPES');
process.stdout.write(JSON.stringify(placementDigest(readFileSync(file, 'utf8'), Number(stripes))));
