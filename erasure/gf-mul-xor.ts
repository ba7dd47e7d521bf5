/**
 * gfMulXor(target, source, c): target ^= c·source, byte-wise in GF(2^8), on the fast kernel.
 * What a parity fragment's store runs when a delta arrives from the data fragment's node: in the
 * cluster the m parity shards live on m different nodes, so each applies its own coefficient.
 *
 * Two views of one engine's arena (from allocateShards) run on that engine's kernel without a
 * copy; any other arrays are staged through a small kernel shared by the process.
 */
import { ArenaFullError, ErasureRangeError, ShardLengthError } from './errors.js';
import { kernelOfBuffer, type CodingKernel, type PreparedRows } from './kernel.js';
import { createKernel } from './kernel-choice.js';
import { checkAttached, checkNoOverlap } from './shard-checks.js';

/** Per kernel, the 1×1 rows of each coefficient used so far (32 bytes of tables each). */
const rowsByKernel = new WeakMap<CodingKernel, (PreparedRows | undefined)[]>();
let staging: CodingKernel | undefined;

/** target ^= coefficient·source over GF(2^8); both of one length, not overlapping. */
export function gfMulXor(target: Uint8Array, source: Uint8Array, coefficient: number): void {
  if (!Number.isInteger(coefficient) || coefficient < 0 || coefficient > 255) {
    throw new ErasureRangeError(`coefficient must be an integer in [0, 255], got ${coefficient}`);
  }
  checkAttached(target, 'target');
  checkAttached(source, 'source');
  if (target.length !== source.length) {
    throw new ShardLengthError(
      `target has ${target.length} bytes but source has ${source.length}: they must have one length`,
    );
  }
  checkNoOverlap([target], [source], targetSourceLabel);
  if (coefficient === 0) return;
  const owner = target.buffer === source.buffer ? kernelOfBuffer.get(target.buffer) : undefined;
  const rows = owner ? rowsOn(owner, coefficient) : undefined;
  if (owner && rows) {
    owner.apply(rows, [source], [target], true);
    return;
  }
  staging ??= createKernel('auto', 64 << 10, 1 << 20);
  staging.apply(rowsOn(staging, coefficient)!, [source], [target], true);
}

/** The prepared 1×1 rows of `coefficient` on `kernel`; undefined when its arena is full. */
function rowsOn(kernel: CodingKernel, coefficient: number): PreparedRows | undefined {
  let rows = rowsByKernel.get(kernel);
  if (!rows) {
    rows = [];
    rowsByKernel.set(kernel, rows);
  }
  try {
    rows[coefficient] ??= kernel.prepare([Uint8Array.of(coefficient)]);
  } catch (error) {
    if (error instanceof ArenaFullError) return undefined;
    throw error;
  }
  return rows[coefficient];
}

function targetSourceLabel(index: number): string {
  return index === 0 ? 'target' : 'source';
}

/**
 * a xor b as a new array (a delta: old xor new), on the fast kernel. Both of one length; any
 * alignment (messages decoded from the network sit at any offset).
 */
export function xorOf(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length)
    throw new ShardLengthError(
      `a has ${a.length} bytes but b has ${b.length}: they must have one length`,
    );
  const out = new Uint8Array(a);
  if (out.length > 0) gfMulXor(out, b, 1);
  return out;
}
