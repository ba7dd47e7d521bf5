/**
 * The one interface that both coding kernels implement. A kernel multiplies a block of shards by
 * a matrix over GF(2^8): outputs[r] = (or ^=) xor over j of rows[r][j]·inputs[j]. Encode,
 * reconstruct, verify, the parity delta update and gfMulXor are all this operation with other
 * rows. Callers have already checked lengths and overlap; a kernel asserts only what would
 * corrupt memory if it were wrong.
 */
import type { Arena } from './arena.js';
import type { GfMatrix } from './matrix.js';
import { MUL_TABLE } from './gf256.js';

/** Rows prepared once for repeated use (coefficient tables laid out for the kernel). */
export interface PreparedRows {
  readonly rows: GfMatrix;
  readonly inputCount: number;
}

/** What every kernel offers. */
export interface CodingKernel {
  /** 'wasm-simd', 'wasm-relaxed-simd' or 'portable'. */
  readonly name: KernelName;
  /** Where allocateShards hands shards out: the memory the kernel works on without copying. */
  readonly arena: Arena;
  prepare(rows: GfMatrix): PreparedRows;
  dispose(prepared: PreparedRows): void;
  /** outputs[r] = (accumulate ? outputs[r] xor : ) Σ_j rows[r][j]·inputs[j], all one length. */
  apply(
    prepared: PreparedRows,
    inputs: Uint8Array[],
    outputs: Uint8Array[],
    accumulate: boolean,
  ): void;
  /** True when Σ_j rows[r][j]·inputs[j] equals expected[r] for every r; writes nothing. */
  matches(prepared: PreparedRows, inputs: Uint8Array[], expected: Uint8Array[]): boolean;
}

export type KernelName = 'wasm-simd' | 'wasm-relaxed-simd' | 'portable';

/**
 * Which kernel's arena a buffer is, so that a free function (gfMulXor) given two views of one
 * engine's arena runs on that engine's kernel without copying.
 */
export const kernelOfBuffer = new WeakMap<ArrayBufferLike, CodingKernel>();

/** Assertion for invariants the caller guarantees; a failure is a bug, never bad input. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`erasure: assertion failed: ${message}`);
}

/**
 * The byte-at-a-time product over [from, to): the reference every kernel is tested against,
 * and the tail after a SIMD kernel's last full step.
 */
export function multiplyBytes(
  rows: GfMatrix,
  inputs: Uint8Array[],
  outputs: Uint8Array[],
  from: number,
  to: number,
  accumulate: boolean,
): void {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const output = outputs[r]!;
    if (!accumulate) output.fill(0, from, to);
    for (let j = 0; j < row.length; j++) {
      const base = row[j]! * 256;
      if (base === 0) continue;
      const input = inputs[j]!;
      for (let x = from; x < to; x++) output[x]! ^= MUL_TABLE[base + input[x]!]!;
    }
  }
}

/** Byte equality of two views (memcmp through Buffer, without copying). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}
