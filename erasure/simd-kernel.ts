/**
 * The fast kernel: the WebAssembly SIMD code of wasm/simd-kernels.ts on one fixed-size memory.
 *
 * Memory layout, fixed at creation (the memory never grows, so no view is ever detached):
 *   [0, 4 KiB)                 pointer arrays handed to the kernel (inputs, then outputs)
 *   [4 KiB, 4 KiB + scratch)   staging for shards that live outside the memory
 *   [.., end)                  the arena: shards from allocateShards and coefficient tables
 *
 * Shards that are views into this memory are worked on in place. Any other Uint8Array is staged
 * through the scratch area in chunks, so ordinary arrays work whatever the arena holds.
 */
import { Arena } from './arena.js';
import { nibbleTables } from './gf256.js';
import {
  assert,
  equalBytes,
  kernelOfBuffer,
  multiplyBytes,
  type CodingKernel,
  type PreparedRows,
} from './kernel.js';
import type { GfMatrix } from './matrix.js';
import {
  buildKernelModule,
  GROUP_OUTPUTS_MAX,
  KERNEL_STEP_BYTES,
  kernelName,
  XOR_KERNEL,
  type SwizzleFlavour,
} from './wasm/simd-kernels.js';

const PAGE_BYTES = 65536;
const POINTER_AREA_BYTES = 4096;
const INPUT_POINTERS = 0;
const OUTPUT_POINTERS = 2048;
/** Inputs (and outputs) of one call: k + m <= 256 bounds both. */
const POINTERS_MAX = 256;

type DotFunction = (
  inputs: number,
  inputCount: number,
  outputs: number,
  tables: number,
  length: number,
) => void;
type XorFunction = (inputs: number, inputCount: number, output: number, length: number) => void;

interface SimdRows extends PreparedRows {
  /** Arena offset of the nibble tables: per output group, per input, per output, 32 bytes. */
  readonly tablesOffset: number;
}

/** The compiled kernel module per flavour (null: this engine cannot run it), built once. */
const modules = new Map<SwizzleFlavour, WebAssembly.Module | null>();

function kernelModule(flavour: SwizzleFlavour): WebAssembly.Module | null {
  if (!modules.has(flavour)) {
    let module: WebAssembly.Module | null = null;
    try {
      const bytes = buildKernelModule(flavour);
      if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes))
        module = new WebAssembly.Module(bytes);
    } catch {
      module = null;
    }
    modules.set(flavour, module);
  }
  return modules.get(flavour)!;
}

/** True when this engine runs WebAssembly SIMD (with relaxed SIMD, when `flavour` says so). */
export function simdSupported(flavour: SwizzleFlavour = 'simd128'): boolean {
  return kernelModule(flavour) !== null;
}

/** The SIMD kernel; `arenaBytes` for shards and tables, `scratchBytes` for staging. */
export class SimdKernel implements CodingKernel {
  readonly name;
  readonly arena: Arena;
  readonly memory: WebAssembly.Memory;
  private readonly scratchStart = POINTER_AREA_BYTES;
  private readonly scratchBytes: number;
  private readonly pointers: Int32Array;
  private readonly dot: { zero: DotFunction[]; accumulate: DotFunction[] };
  private readonly xorFunction: XorFunction;

  constructor(arenaBytes: number, scratchBytes: number, flavour: SwizzleFlavour) {
    this.name = flavour === 'relaxed' ? ('wasm-relaxed-simd' as const) : ('wasm-simd' as const);
    this.scratchBytes = scratchBytes;
    const pages = Math.ceil((POINTER_AREA_BYTES + scratchBytes + arenaBytes) / PAGE_BYTES);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const module = kernelModule(flavour);
    assert(module !== null, `the ${flavour} kernel runs on this engine`);
    const exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
    const lookup = (group: number, accumulate: boolean): DotFunction =>
      exports[kernelName(group, accumulate)] as DotFunction;
    const groups = Array.from({ length: GROUP_OUTPUTS_MAX }, (_, index) => index + 1);
    this.dot = {
      zero: groups.map((group) => lookup(group, false)),
      accumulate: groups.map((group) => lookup(group, true)),
    };
    this.xorFunction = exports[XOR_KERNEL] as XorFunction;
    this.pointers = new Int32Array(this.memory.buffer, 0, POINTER_AREA_BYTES / 4);
    const arenaStart = POINTER_AREA_BYTES + scratchBytes;
    this.arena = new Arena(this.memory.buffer, arenaStart, pages * PAGE_BYTES);
    kernelOfBuffer.set(this.arena.buffer, this);
  }

  prepare(rows: GfMatrix): SimdRows {
    const inputCount = rows[0]?.length ?? 0;
    const tablesOffset = this.arena.allocate(Math.max(1, rows.length * inputCount * 32));
    const bytes = new Uint8Array(this.memory.buffer);
    let cursor = tablesOffset;
    for (let first = 0; first < rows.length; first += GROUP_OUTPUTS_MAX) {
      const group = rows.slice(first, first + GROUP_OUTPUTS_MAX);
      for (let j = 0; j < inputCount; j++) {
        for (const row of group) {
          nibbleTables(row[j]!, bytes, cursor);
          cursor += 32;
        }
      }
    }
    return { rows, inputCount, tablesOffset };
  }

  dispose(prepared: PreparedRows): void {
    this.arena.release((prepared as SimdRows).tablesOffset);
  }

  apply(
    prepared: PreparedRows,
    inputs: Uint8Array[],
    outputs: Uint8Array[],
    accumulate: boolean,
  ): void {
    const length = outputs[0]?.length ?? 0;
    if (this.allResident(inputs) && this.allResident(outputs)) {
      this.applyResident(prepared as SimdRows, inputs, outputs, length, accumulate);
      return;
    }
    this.staged(
      prepared as SimdRows,
      inputs,
      outputs.length,
      length,
      (from, to, staged) => {
        if (accumulate) staged.forEach((slot, r) => slot.set(outputs[r]!.subarray(from, to)));
        return (computed) => computed.forEach((slot, r) => outputs[r]!.set(slot, from));
      },
      accumulate,
    );
  }

  matches(prepared: PreparedRows, inputs: Uint8Array[], expected: Uint8Array[]): boolean {
    const length = expected[0]?.length ?? 0;
    let same = true;
    this.staged(
      prepared as SimdRows,
      inputs,
      expected.length,
      length,
      (from, to) => (computed) => {
        same &&= computed.every((slot, r) => equalBytes(slot, expected[r]!.subarray(from, to)));
      },
      false,
    );
    return same;
  }

  /**
   * output = xor of the inputs, all resident and of one length: the floor that the coding
   * kernels are measured against.
   */
  xor(inputs: Uint8Array[], output: Uint8Array): void {
    assert(this.allResident(inputs) && this.resident(output), 'xor runs on resident shards only');
    const length = output.length;
    for (let j = 0; j < inputs.length; j++)
      this.pointers[INPUT_POINTERS / 4 + j] = inputs[j]!.byteOffset;
    const bulk = length - (length % KERNEL_STEP_BYTES);
    this.xorFunction(INPUT_POINTERS, inputs.length, output.byteOffset, bulk);
    for (let x = bulk; x < length; x++) {
      let sum = 0;
      for (const input of inputs) sum ^= input[x]!;
      output[x] = sum;
    }
  }

  private allResident(shards: Uint8Array[]): boolean {
    for (let index = 0; index < shards.length; index++)
      if (!this.resident(shards[index]!)) return false;
    return true;
  }

  /** True when a view lies inside this kernel's memory (and so needs no staging). */
  resident(shard: Uint8Array): boolean {
    return shard.buffer === this.memory.buffer;
  }

  private applyResident(
    prepared: SimdRows,
    inputs: Uint8Array[],
    outputs: Uint8Array[],
    length: number,
    accumulate: boolean,
  ): void {
    this.run(prepared, inputs, outputs, length, accumulate);
    const bulk = length - (length % KERNEL_STEP_BYTES);
    if (bulk < length) multiplyBytes(prepared.rows, inputs, outputs, bulk, length, accumulate);
  }

  /** Runs the kernel over the multiple-of-step prefix of `length` at the given addresses. */
  private run(
    prepared: SimdRows,
    inputs: Uint8Array[],
    outputs: Uint8Array[],
    length: number,
    accumulate: boolean,
  ): void {
    const bulk = length - (length % KERNEL_STEP_BYTES);
    if (bulk === 0) return;
    assert(inputs.length >= 1 && inputs.length <= POINTERS_MAX, 'input count within 1…256');
    const pointers = this.pointers;
    for (let j = 0; j < inputs.length; j++)
      pointers[INPUT_POINTERS / 4 + j] = inputs[j]!.byteOffset;
    const functions = accumulate ? this.dot.accumulate : this.dot.zero;
    let tables = prepared.tablesOffset;
    for (let first = 0; first < outputs.length; first += GROUP_OUTPUTS_MAX) {
      const group = Math.min(GROUP_OUTPUTS_MAX, outputs.length - first);
      for (let r = 0; r < group; r++)
        pointers[OUTPUT_POINTERS / 4 + r] = outputs[first + r]!.byteOffset;
      functions[group - 1]!(INPUT_POINTERS, inputs.length, OUTPUT_POINTERS, tables, bulk);
      tables += inputs.length * group * 32;
    }
  }

  /**
   * Runs the product chunk by chunk, staging in the scratch area every input that is not
   * resident and every output; `begin(from, to, stagedOutputs)` may fill the staged outputs
   * (for accumulate) and returns what to do with them once computed.
   */
  private staged(
    prepared: SimdRows,
    inputs: Uint8Array[],
    outputCount: number,
    length: number,
    begin: (from: number, to: number, staged: Uint8Array[]) => (computed: Uint8Array[]) => void,
    accumulate: boolean,
  ): void {
    const streams = inputs.length + outputCount;
    const chunk = Math.max(KERNEL_STEP_BYTES, Math.floor(this.scratchBytes / streams / 64) * 64);
    assert(chunk * streams <= this.scratchBytes, 'scratch area holds one chunk of every stream');
    const slot = (index: number, bytes: number): Uint8Array =>
      new Uint8Array(this.memory.buffer, this.scratchStart + index * chunk, bytes);
    for (let from = 0; from < length; from += chunk) {
      const to = Math.min(length, from + chunk);
      const count = to - from;
      const stagedInputs = inputs.map((input, j) => {
        if (this.resident(input)) return input.subarray(from, to);
        const view = slot(j, count);
        view.set(input.subarray(from, to));
        return view;
      });
      const stagedOutputs = Array.from({ length: outputCount }, (_, r) =>
        slot(inputs.length + r, count),
      );
      const finish = begin(from, to, stagedOutputs);
      this.applyResident(prepared, stagedInputs, stagedOutputs, count, accumulate);
      finish(stagedOutputs);
    }
  }
}
