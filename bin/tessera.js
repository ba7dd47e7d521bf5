#!/usr/bin/env node
// The `tessera` command. Runs the compiled code in dist/ (npm ci builds it); from a source tree
// without a build it falls back to running the TypeScript through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/node/cli/main.js', import.meta.url));
if (existsSync(compiled)) {
  await import(compiled);
} else {
  await import('tsx/esm');
  await import('../node/cli/main.ts');
}
