/**
 * The erasure engine: systematic Reed-Solomon over GF(2^8) (polynomial 0x11D), byte-compatible
 * with ISA-L's Cauchy construction, on a WebAssembly SIMD kernel with a portable fallback.
 */
export { ReedSolomon, type ReedSolomonOptions } from './reed-solomon.js';
export { gfMulXor, xorOf } from './gf-mul-xor.js';
export { availableKernels, type KernelChoice } from './kernel-choice.js';
export type { KernelName } from './kernel.js';
export { gfMul, gfInv, gfDiv, GF_POLYNOMIAL } from './gf256.js';
export { cauchyParityRows } from './matrix.js';
export {
  ErasureError,
  ErasureRangeError,
  ShardCountError,
  ShardLengthError,
  ShardOverlapError,
  DetachedShardError,
  TooManyMissingError,
  ArenaFullError,
  ForeignShardError,
} from './errors.js';
