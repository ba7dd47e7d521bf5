/** Shared helpers for the erasure tests: kernels to sweep, random shards, snapshots. */
import { availableKernels, ReedSolomon, type KernelChoice } from '../../erasure/index.js';

/** The kernels this engine can run, each forced by name (never 'auto'). */
export const KERNELS: KernelChoice[] = availableKernels();

/** One engine per (k, m, kernel), kept across tests so the wasm module compiles once. */
const engines = new Map<string, ReedSolomon>();
export function engine(k: number, m: number, kernel: KernelChoice): ReedSolomon {
  const key = `${k}/${m}/${kernel}`;
  let rs = engines.get(key);
  if (!rs) {
    rs = new ReedSolomon(k, m, { kernel, arenaBytes: 8 << 20 });
    engines.set(key, rs);
  }
  return rs;
}

/** Deterministic pseudo-random bytes (xorshift32) so that a failure replays. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** k random data shards and m zeroed parity shards of `length` bytes. */
export function randomShards(k: number, m: number, length: number, seed: number): Uint8Array[] {
  const shards: Uint8Array[] = [];
  for (let i = 0; i < k; i++) shards.push(randomBytes(length, seed * 977 + i + 1));
  for (let i = 0; i < m; i++) shards.push(new Uint8Array(length));
  return shards;
}

/** Copies of every shard, to show later that a failed call changed nothing. */
export function snapshot(shards: (Uint8Array | null)[]): (Uint8Array | null | 'detached')[] {
  return shards.map((shard) => {
    if (!shard) return null;
    try {
      return Uint8Array.from(shard);
    } catch {
      return 'detached';
    }
  });
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}
