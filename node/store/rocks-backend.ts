/**
 * RocksDB as the store's backend, by configuration (store.backend: rocksdb), through
 * @nxtedition/rocksdb: an optional dependency with prebuilt binaries for linux-x64 only, no
 * types, and an older abstract-level that throws LEVEL_NOT_FOUND for a missing key where the
 * store expects undefined. This adapter closes that gap and nothing else.
 */
import type { Level } from './fragment-store.js';

interface RocksLevelConstructor {
  new (path: string, options: { keyEncoding: 'utf8'; valueEncoding: 'view' }): Level;
}

/** A RocksDB database at `path`; throws a clear error where the binding is not installed. */
export async function rocksDatabase(path: string): Promise<Level> {
  const moduleName = '@nxtedition/rocksdb';
  let RocksLevel: RocksLevelConstructor;
  try {
    ({ RocksLevel } = (await import(moduleName)) as { RocksLevel: RocksLevelConstructor });
  } catch (error) {
    throw new Error(
      `store.backend rocksdb: ${moduleName} is not installed here (${(error as Error).message.split('\n')[0]}); use leveldb`,
    );
  }
  const db = new RocksLevel(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
  type Get = (key: string) => Promise<Uint8Array | undefined>;
  const original = db.get.bind(db);
  (db as { get: Get }).get = async (key: string) => {
    try {
      return await original(key);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'LEVEL_NOT_FOUND') return undefined;
      throw error;
    }
  };
  return db;
}
