/**
 * The database behind a node's fragment store, by `store.backend`: the segment store (default),
 * LevelDB, RocksDB, or memory (tests and demos; nothing survives a restart).
 */
import { MemoryLevel } from 'memory-level';
import type { Level } from './level.js';
import { levelDatabase } from './level-backend.js';
import { rocksDatabase } from './rocks-backend.js';
import { SegmentDatabase } from './segment-db.js';
import { isMetadataKey } from './store-codec.js';

export const STORE_BACKENDS = ['segments', 'leveldb', 'rocksdb', 'memory'] as const;
export type StoreBackend = (typeof STORE_BACKENDS)[number];

export async function openDatabase(backend: StoreBackend, directory: string): Promise<Level> {
  switch (backend) {
    case 'segments':
      // Metadata and fences are read by every write: kept in memory, however large an index grows.
      return new SegmentDatabase(directory, { inMemory: isMetadataKey });
    case 'leveldb':
      return levelDatabase(directory);
    case 'rocksdb':
      return rocksDatabase(directory);
    case 'memory':
      return new MemoryLevel<string, Uint8Array>({ keyEncoding: 'utf8', valueEncoding: 'view' });
  }
}
