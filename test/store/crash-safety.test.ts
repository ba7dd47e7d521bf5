// Proves that a write acknowledged by the fragment store survives kill -9 of its process: a real
// child process writes with acknowledgements, is killed mid-stream, and every acknowledged write
// reads back exactly after the store is reopened.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../node/store/open-database.js';
import { FragmentStore } from '../../node/store/fragment-store.js';
import { BLOCK, filled, v } from './store-fixtures.js';

describe('store: crash safety', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-crash-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const backend of ['segments', 'leveldb'] as const)
    it(`keeps every write acknowledged before kill -9 (${backend})`, async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', new URL('./crash-writer.ts', import.meta.url).pathname, dir, backend],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const acknowledged = await new Promise<number[]>((resolve, reject) => {
        const acks: number[] = [];
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) acks.push(Number(line.split(' ')[1]));
          if (acks.length >= 200 && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', (_, signal) =>
          signal === 'SIGKILL'
            ? resolve(acks)
            : reject(new Error(`writer exited without being killed (${signal})`)),
        );
      });
      expect(acknowledged.length).to.be.at.least(200);
      const db = await openDatabase(backend, dir);
      const store = await FragmentStore.open({ db });
      try {
        for (const stripe of acknowledged) {
          const read = await store.read({ volume: 'crash', stripe, index: 0 }, BLOCK);
          expect(read.version, `stripe ${stripe}`).to.deep.equal(v(1, 1));
          expect(read.bytes, `stripe ${stripe}`).to.deep.equal(filled(BLOCK, stripe % 251));
        }
      } finally {
        await store.close();
      }
    });
});
