/**
 * Picks a kernel: the fastest this engine runs unless one is asked for. A kernel asked for that
 * the engine cannot run is an error, never a silent fallback, so that a test that forces the
 * SIMD kernel really runs it.
 */
import { ErasureError } from './errors.js';
import type { CodingKernel } from './kernel.js';
import { PortableKernel } from './portable-kernel.js';
import { SimdKernel, simdSupported } from './simd-kernel.js';

/** 'auto' picks relaxed SIMD, then SIMD, then portable, as the engine allows. */
export type KernelChoice = 'auto' | 'simd' | 'relaxed-simd' | 'portable';

/** Smallest scratch area: one 64-byte chunk for each of 256 inputs and 128 outputs. */
const SCRATCH_BYTES_MIN = 32 << 10;

/** The kernel that a choice names, over an arena of `arenaBytes`. */
export function createKernel(
  choice: KernelChoice,
  arenaBytes: number,
  scratchBytes: number,
): CodingKernel {
  if (!Number.isInteger(arenaBytes) || arenaBytes < 0 || arenaBytes > 2 ** 31) {
    throw new RangeError(`arenaBytes must be an integer in [0, 2 GiB], got ${arenaBytes}`);
  }
  if (
    !Number.isInteger(scratchBytes) ||
    scratchBytes < SCRATCH_BYTES_MIN ||
    scratchBytes > 1 << 30
  ) {
    throw new RangeError(
      `scratchBytes must be an integer in [${SCRATCH_BYTES_MIN}, 1 GiB], got ${scratchBytes}`,
    );
  }
  switch (choice) {
    case 'portable':
      return new PortableKernel(arenaBytes);
    case 'simd':
      requireSupport('simd128');
      return new SimdKernel(arenaBytes, scratchBytes, 'simd128');
    case 'relaxed-simd':
      requireSupport('relaxed');
      return new SimdKernel(arenaBytes, scratchBytes, 'relaxed');
    case 'auto':
      if (simdSupported('relaxed')) return new SimdKernel(arenaBytes, scratchBytes, 'relaxed');
      if (simdSupported('simd128')) return new SimdKernel(arenaBytes, scratchBytes, 'simd128');
      return new PortableKernel(arenaBytes);
    default:
      throw new RangeError(
        `kernel must be auto, simd, relaxed-simd or portable, got ${String(choice)}`,
      );
  }
}

/** Which kernels this engine can run. */
export function availableKernels(): KernelChoice[] {
  const kernels: KernelChoice[] = ['portable'];
  if (simdSupported('simd128')) kernels.push('simd');
  if (simdSupported('relaxed')) kernels.push('relaxed-simd');
  return kernels;
}

function requireSupport(flavour: 'simd128' | 'relaxed'): void {
  if (!simdSupported(flavour)) {
    const what =
      flavour === 'relaxed'
        ? 'relaxed SIMD (node --experimental-wasm-relaxed-simd)'
        : 'WebAssembly SIMD';
    throw new ErasureError(
      'ERASURE_KERNEL_UNAVAILABLE',
      `this JavaScript engine does not run ${what}`,
    );
  }
}
