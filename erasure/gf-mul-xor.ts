/**
 * gfMulXor(target, source, c): target ^= c·source, byte-wise in GF(2^8), on the fast kernel.
 * What a parity fragment's store runs when a delta arrives from the data fragment's node: in the
 * cluster the m parity shards live on m different nodes, so each applies its own coefficient.
 */
import { ErasureRangeError, ShardLengthError } from './errors.js';
import type { CodingKernel, PreparedRows } from './kernel.js';
import { createKernel } from './kernel-choice.js';
import { checkAttached, checkNoOverlap } from './shard-checks.js';

let shared: { kernel: CodingKernel; rows: PreparedRows[] } | undefined;

function sharedKernel(): { kernel: CodingKernel; rows: PreparedRows[] } {
  if (!shared) {
    // Only staging is used here: the caller's arrays are not in this kernel's memory.
    const kernel = createKernel('auto', 64 << 10, 1 << 20);
    const rows = Array.from({ length: 256 }, (_, c) => kernel.prepare([Uint8Array.of(c)]));
    shared = { kernel, rows };
  }
  return shared;
}

/** target ^= coefficient·source over GF(2^8); both of one length, not overlapping. */
export function gfMulXor(target: Uint8Array, source: Uint8Array, coefficient: number): void {
  if (!Number.isInteger(coefficient) || coefficient < 0 || coefficient > 255) {
    throw new ErasureRangeError(`coefficient must be an integer in [0, 255], got ${coefficient}`);
  }
  checkAttached(target, 'target');
  checkAttached(source, 'source');
  if (target.length !== source.length) {
    throw new ShardLengthError(`target has ${target.length} bytes but source has ${source.length}: they must have one length`);
  }
  checkNoOverlap([target], [source], targetSourceLabel);
  if (coefficient === 0) return;
  const { kernel, rows } = sharedKernel();
  kernel.apply(rows[coefficient]!, [source], [target], true);
}

function targetSourceLabel(index: number): string {
  return index === 0 ? 'target' : 'source';
}
