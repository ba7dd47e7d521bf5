/**
 * The SIMD coding kernels, emitted as WebAssembly. One kernel computes, for a group of up to
 * four outputs at once,
 *
 *     output[r][x] (^)= xor over j of coefficient[r][j] · input[j][x]
 *
 * 16 bytes at a time, with the split-nibble method of ISA-L and klauspost/reedsolomon: a byte x
 * is x & 15 xor (x >> 4) << 4, so c·x is the xor of two 16-entry lookups, lo_c[x & 15] and
 * hi_c[x >> 4], and one i8x16.swizzle does 16 lookups. The loop runs position-major (for each
 * 16·unroll bytes, every input, every output of the group) so that each input byte is loaded
 * once per group and the accumulators stay in registers.
 *
 * Call contract, for every exported `dot{G}{z|a}` (G outputs; z overwrites, a accumulates):
 *   (inputs, inputCount, outputs, tables, length): inputs and outputs are addresses of i32
 *   arrays of shard addresses; tables holds, for each input j in order, G pairs of 16-byte
 *   (lo, hi) tables; length is a multiple of 16·unroll; inputCount >= 1. The caller does
 *   the tail.
 */
import { buildModule, ByteWriter, Op, Simd, ValueType, type FunctionDefinition } from './module-builder.js';

/** Outputs that one pass of a kernel fills. */
export const GROUP_OUTPUTS_MAX = 4;
/** Bytes that one iteration of the position loop covers (16 · unroll). */
export const KERNEL_STEP_BYTES = 32;
const UNROLL = KERNEL_STEP_BYTES / 16;

/** Which swizzle to emit: the portable one, or relaxed SIMD's where the engine has it. */
export type SwizzleFlavour = 'simd128' | 'relaxed';

/** Emits the module of all kernels (G = 1…4, overwrite and accumulate) for one memory size. */
export function buildKernelModule(pages: number, swizzle: SwizzleFlavour): Uint8Array {
  const functions: FunctionDefinition[] = [];
  for (let group = 1; group <= GROUP_OUTPUTS_MAX; group++) {
    functions.push(dotKernel(group, false, swizzle), dotKernel(group, true, swizzle));
  }
  return buildModule(functions, pages);
}

/** The name under which the kernel for `group` outputs is exported. */
export function kernelName(group: number, accumulate: boolean): string {
  return `dot${group}${accumulate ? 'a' : 'z'}`;
}

class Body {
  readonly code = new ByteWriter();
  op(...bytes: number[]): this {
    this.code.raw(bytes);
    return this;
  }
  get(local: number): this {
    this.code.byte(Op.localGet).u32(local);
    return this;
  }
  set(local: number): this {
    this.code.byte(Op.localSet).u32(local);
    return this;
  }
  i32(value: number): this {
    this.code.byte(Op.i32Const).s32(value);
    return this;
  }
  i32Load(offset = 0): this {
    this.code.byte(Op.i32Load).u32(2).u32(offset);
    return this;
  }
  simd(opcode: number): this {
    this.code.byte(0xfd).u32(opcode);
    return this;
  }
  v128Load(offset: number): this {
    return this.simd(Simd.v128Load).memarg(offset);
  }
  v128Store(offset: number): this {
    return this.simd(Simd.v128Store).memarg(offset);
  }
  private memarg(offset: number): this {
    this.code.u32(0).u32(offset);
    return this;
  }
}

function dotKernel(group: number, accumulate: boolean, swizzle: SwizzleFlavour): FunctionDefinition {
  // Parameters.
  const inputs = 0;
  const inputCount = 1;
  const outputs = 2;
  const tables = 3;
  const length = 4;
  // Locals.
  let next = 5;
  const position = next++;
  const cursor = next++;
  const inputsEnd = next++;
  const table = next++;
  const address = next++;
  const outputAddress: number[] = [];
  for (let r = 0; r < group; r++) outputAddress.push(next++);
  const i32Locals = next - 5;
  const firstVector = next;
  const mask = next++;
  const low: number[] = [];
  const high: number[] = [];
  for (let u = 0; u < UNROLL; u++) {
    low.push(next++);
    high.push(next++);
  }
  const tableLow = next++;
  const tableHigh = next++;
  const acc: number[][] = [];
  for (let r = 0; r < group; r++) {
    acc.push([]);
    for (let u = 0; u < UNROLL; u++) acc[r]!.push(next++);
  }
  const vectorLocals = next - firstVector;
  const swizzleOp = swizzle === 'relaxed' ? Simd.i8x16RelaxedSwizzle : Simd.i8x16Swizzle;

  const b = new Body();
  b.i32(0x0f).simd(Simd.i8x16Splat).set(mask);
  for (let r = 0; r < group; r++) b.get(outputs).i32Load(4 * r).set(outputAddress[r]!);
  b.get(inputs).get(inputCount).i32(2).op(0x74 /* i32.shl */).op(Op.i32Add).set(inputsEnd);
  b.i32(0).set(position);
  b.op(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
  b.get(position).get(length).op(Op.i32GeU).op(Op.brIf, 1);
  // Start the accumulators from zero or from the outputs.
  for (let r = 0; r < group; r++) {
    for (let u = 0; u < UNROLL; u++) {
      if (accumulate) b.get(outputAddress[r]!).get(position).op(Op.i32Add).v128Load(16 * u);
      else b.simd(Simd.v128Const).op(...new Array<number>(16).fill(0));
      b.set(acc[r]![u]!);
    }
  }
  b.get(inputs).set(cursor).get(tables).set(table);
  b.op(Op.loop, Op.blockTypeEmpty);
  b.get(cursor).i32Load().get(position).op(Op.i32Add).set(address);
  for (let u = 0; u < UNROLL; u++) {
    b.get(address).v128Load(16 * u).op(Op.localTee).code.u32(high[u]!);
    b.get(mask).simd(Simd.v128And).set(low[u]!);
    b.get(high[u]!).i32(4).simd(Simd.i8x16ShrU).set(high[u]!);
  }
  for (let r = 0; r < group; r++) {
    b.get(table).v128Load(32 * r).set(tableLow);
    b.get(table).v128Load(32 * r + 16).set(tableHigh);
    for (let u = 0; u < UNROLL; u++) {
      b.get(acc[r]![u]!);
      b.get(tableLow).get(low[u]!).simd(swizzleOp).simd(Simd.v128Xor);
      b.get(tableHigh).get(high[u]!).simd(swizzleOp).simd(Simd.v128Xor);
      b.set(acc[r]![u]!);
    }
  }
  b.get(table).i32(32 * group).op(Op.i32Add).set(table);
  b.get(cursor).i32(4).op(Op.i32Add).op(Op.localTee).code.u32(cursor);
  b.get(inputsEnd).op(Op.i32Ne).op(Op.brIf, 0);
  b.op(Op.end);
  for (let r = 0; r < group; r++) {
    b.get(outputAddress[r]!).get(position).op(Op.i32Add).set(address);
    for (let u = 0; u < UNROLL; u++) b.get(address).get(acc[r]![u]!).v128Store(16 * u);
  }
  b.get(position).i32(KERNEL_STEP_BYTES).op(Op.i32Add).set(position);
  b.op(Op.br, 0, Op.end, Op.end);

  return {
    name: kernelName(group, accumulate),
    params: [ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32],
    results: [],
    locals: [...new Array<ValueType>(i32Locals).fill(ValueType.i32), ...new Array<ValueType>(vectorLocals).fill(ValueType.v128)],
    body: b.code,
  };
}
