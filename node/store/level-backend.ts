/**
 * The store's default backend: LevelDB through classic-level, tuned for fragments. Fragment
 * bytes are incompressible as a rule (compressed or encrypted by the writer, or erasure-coded),
 * so snappy only costs CPU; a 32 MiB write buffer means fewer, larger flushes and compactions of
 * 64 KiB values.
 */
import { ClassicLevel } from 'classic-level';
import type { Level } from './fragment-store.js';

export const LEVEL_OPTIONS = {
  keyEncoding: 'utf8',
  valueEncoding: 'view',
  compression: false,
  writeBufferSize: 32 << 20,
  maxFileSize: 32 << 20,
  cacheSize: 64 << 20,
} as const;

/** A LevelDB database at `path` (created if missing), ready for FragmentStore.open. */
export function levelDatabase(path: string): Level {
  // tsc needs the cast (ClassicLevel's format parameter differs from abstract-level's); the
  // linter's type service sometimes sees them as one type, depending on the files linted together.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return new ClassicLevel<string, Uint8Array>(path, LEVEL_OPTIONS) as unknown as Level;
}
