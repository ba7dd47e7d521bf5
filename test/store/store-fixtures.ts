/** Helpers for the fragment store tests: stores on each backend, stamps, requests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { levelDatabase } from '../../node/store/level-backend.js';
import { openDatabase } from '../../node/store/open-database.js';
import { rocksDatabase } from '../../node/store/rocks-backend.js';
import { MemoryLevel } from 'memory-level';
import { FragmentStore, type Level } from '../../node/store/fragment-store.js';
import { digestOf, type DataWrite } from '../../node/store/store-requests.js';
import type { FragmentId, Version } from '../../node/store/version.js';

export const BLOCK = 16384;

export interface Backend {
  name: string;
  /** Whether writes run off the main thread, so that concurrent ones can share an fsync. */
  groupsCommits: boolean;
  open(options?: { quotaBytes?: number }): Promise<{
    store: FragmentStore;
    reopen: () => Promise<FragmentStore>;
    cleanup: () => Promise<void>;
  }>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'memory-level',
    groupsCommits: true,
    async open(options = {}) {
      const db = new MemoryLevel<string, Uint8Array>({
        keyEncoding: 'utf8',
        valueEncoding: 'view',
      }) as unknown as Level;
      const store = await FragmentStore.open({ db, ...options });
      // A memory store survives a "reopen" as long as the same db object is kept.
      return {
        store,
        reopen: () => FragmentStore.open({ db, ...options }),
        cleanup: async () => {},
      };
    },
  },
  onDisk('segment store', true, (dir) => openDatabase('segments', dir)),
  onDisk('classic-level (LevelDB)', true, (dir) => Promise.resolve(levelDatabase(dir))),
  // The binding ships prebuilt for linux-x64, this project's machines: it must load here. It
  // writes a batch synchronously on the main thread (fsync included), so nothing can queue
  // behind a write to share its fsync.
  onDisk('@nxtedition/rocksdb (RocksDB)', false, rocksDatabase),
];

/** A backend whose database lives in a temporary directory, reopened from it. */
function onDisk(
  name: string,
  groupsCommits: boolean,
  open: (dir: string) => Promise<Level>,
): Backend {
  return {
    name,
    groupsCommits,
    async open(options = {}) {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-store-'));
      const make = (): Promise<Level> => open(dir);
      let store = await FragmentStore.open({ db: await make(), ...options });
      return {
        store,
        reopen: async () => {
          await store.close();
          store = await FragmentStore.open({ db: await make(), ...options });
          return store;
        },
        cleanup: async () => {
          await store.close().catch(() => {});
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const v = (epoch: number, seq: number): Version => ({ epoch, seq });

export function dataWrite(
  fragment: FragmentId,
  expected: Version,
  next: Version,
  offset: number,
  bytes: Uint8Array,
  writerSeq = next.seq,
): DataWrite {
  return {
    fragment,
    blockBytes: BLOCK,
    expected,
    next,
    offset,
    bytes,
    digest: digestOf(bytes),
    writer: { writerId: 'writer-a', writerSeq, part: 0, parts: 1, eventTimeMs: 1_000 * next.seq },
  };
}

export function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}
