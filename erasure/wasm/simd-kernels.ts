/**
 * The SIMD coding kernels, emitted as WebAssembly. A kernel computes, for a group of up to four
 * outputs at once,
 *
 *     output[r][x] (^)= xor over j of coefficient[r][j] · input[j][x]
 *
 * with the split-nibble method of ISA-L and klauspost/reedsolomon: since c·x = c·(x & 15) xor
 * c·(x & 240), c·x is the xor of two 16-entry lookups, lo_c[x & 15] and hi_c[x >> 4], and one
 * i8x16.swizzle does 16 lookups.
 *
 * The loops run input-major inside chunks of CHUNK_BYTES positions: for each input, its 2·G
 * tables are loaded into registers once, and the position loop xors c·input into the G outputs,
 * which stay in L1 from one input to the next. Fewer live vectors than a position-major loop
 * (whose G·unroll accumulators plus 2·G tables overflow x64's 16 vector registers and spill),
 * and the position loop handles eight vectors per iteration so that V8's per-iteration stack
 * check and the loop's bookkeeping are paid once per 128 bytes. Chunks of 512 bytes measured
 * best here (from 512 B to 8 KiB, unrolled 1, 2, 4 or 8 times): four outputs and the input stay
 * in a few L1 lines' worth of room.
 *
 * What V8 makes of it on x64 (read off --print-wasm-code): i8x16.swizzle becomes vpaddusb with a
 * constant (to zero out-of-range lanes) plus vpshufb, three instructions with the constant's
 * address load; relaxed SIMD's swizzle is the bare vpshufb, which is why 'relaxed' is faster
 * where the engine has it (Node 22 and later; behind a flag in Node 20).
 *
 * Call contract, for every exported `dot{G}{z|a}` (G outputs; z overwrites, a accumulates):
 *   (inputs, inputCount, outputs, tables, length): inputs and outputs are addresses of i32
 *   arrays of shard addresses; tables holds, for each input j in order, G pairs of 16-byte
 *   (lo, hi) tables; length is a multiple of KERNEL_STEP_BYTES; inputCount >= 1. The caller
 *   does the tail.
 */
import {
  buildModule,
  ByteWriter,
  Op,
  Simd,
  ValueType,
  type FunctionDefinition,
} from './module-builder.js';

/** Outputs that one pass of a kernel fills. */
export const GROUP_OUTPUTS_MAX = 4;
/** The kernels handle lengths in multiples of this; the caller does the rest. */
export const KERNEL_STEP_BYTES = 16;
/** Vectors per iteration of the main position loop. */
const UNROLL = 8;
/** Positions per chunk: G outputs of this size stay in L1 while every input passes. */
export const CHUNK_BYTES = 512;

/** Which swizzle to emit: the portable one, or relaxed SIMD's where the engine has it. */
export type SwizzleFlavour = 'simd128' | 'relaxed';

/** Emits the module of all kernels (G = 1…4, overwrite and accumulate, and xor). */
export function buildKernelModule(swizzle: SwizzleFlavour): Uint8Array {
  const functions: FunctionDefinition[] = [];
  for (let group = 1; group <= GROUP_OUTPUTS_MAX; group++) {
    functions.push(dotKernel(group, false, swizzle), dotKernel(group, true, swizzle));
  }
  functions.push(xorKernel());
  return buildModule(functions);
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
  tee(local: number): this {
    this.code.byte(Op.localTee).u32(local);
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

/** Local indexes of one kernel function (parameters first, as the format wants). */
class Locals {
  readonly inputs = 0;
  readonly inputCount = 1;
  readonly outputs = 2;
  readonly tables = 3;
  readonly length = 4;
  private next = 5;
  readonly chunk = this.next++;
  readonly chunkEnd = this.next++;
  readonly position = this.next++;
  readonly stepEnd = this.next++;
  readonly cursor = this.next++;
  readonly inputsEnd = this.next++;
  readonly table = this.next++;
  readonly source = this.next++;
  readonly target = this.next++;
  readonly outputAddress: number[];
  readonly i32Count: number;
  readonly mask: number;
  readonly low: number;
  readonly high: number;
  readonly tableLow: number[];
  readonly tableHigh: number[];
  readonly vectorCount: number;

  constructor(group: number) {
    this.outputAddress = Array.from({ length: group }, () => this.next++);
    this.i32Count = this.next - 5;
    const firstVector = this.next;
    this.mask = this.next++;
    this.low = this.next++;
    this.high = this.next++;
    this.tableLow = [];
    this.tableHigh = [];
    for (let r = 0; r < group; r++) {
      this.tableLow.push(this.next++);
      this.tableHigh.push(this.next++);
    }
    this.vectorCount = this.next - firstVector;
  }
}

function dotKernel(
  group: number,
  accumulate: boolean,
  swizzle: SwizzleFlavour,
): FunctionDefinition {
  const l = new Locals(group);
  const b = new Body();
  b.i32(0x0f).simd(Simd.i8x16Splat).set(l.mask);
  for (let r = 0; r < group; r++)
    b.get(l.outputs)
      .i32Load(4 * r)
      .set(l.outputAddress[r]!);
  b.get(l.inputs).get(l.inputCount).i32(2).op(Op.i32Shl).op(Op.i32Add).set(l.inputsEnd);
  b.i32(0).set(l.chunk);
  b.op(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty); // for each chunk
  b.get(l.chunk).get(l.length).op(Op.i32GeU).op(Op.brIf, 1);
  // chunkEnd = min(chunk + CHUNK_BYTES, length); select(a, b, c) is c ? a : b.
  b.get(l.chunk).i32(CHUNK_BYTES).op(Op.i32Add).set(l.chunkEnd);
  b.get(l.length)
    .get(l.chunkEnd)
    .get(l.chunkEnd)
    .get(l.length)
    .op(Op.i32GtU)
    .op(Op.select)
    .set(l.chunkEnd);
  b.get(l.inputs).set(l.cursor).get(l.tables).set(l.table);
  inputPass(b, l, group, !accumulate, swizzle);
  b.op(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty); // the other inputs accumulate
  b.get(l.cursor).get(l.inputsEnd).op(Op.i32Eq).op(Op.brIf, 1);
  inputPass(b, l, group, false, swizzle);
  b.op(Op.br, 0, Op.end, Op.end);
  b.get(l.chunkEnd).set(l.chunk);
  b.op(Op.br, 0, Op.end, Op.end);
  return {
    name: kernelName(group, accumulate),
    params: [ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32],
    results: [],
    locals: [
      ...new Array<ValueType>(l.i32Count).fill(ValueType.i32),
      ...new Array<ValueType>(l.vectorCount).fill(ValueType.v128),
    ],
    body: b.code,
  };
}

/** One input over [chunk, chunkEnd): its tables into registers, then the position loops. */
function inputPass(
  b: Body,
  l: Locals,
  group: number,
  overwrite: boolean,
  swizzle: SwizzleFlavour,
): void {
  for (let r = 0; r < group; r++) {
    b.get(l.table)
      .v128Load(32 * r)
      .set(l.tableLow[r]!);
    b.get(l.table)
      .v128Load(32 * r + 16)
      .set(l.tableHigh[r]!);
  }
  b.get(l.cursor).i32Load().set(l.source);
  b.get(l.chunk).set(l.position);
  // Main loop, UNROLL vectors an iteration, while position + 16·UNROLL <= chunkEnd.
  b.get(l.chunkEnd)
    .i32(16 * UNROLL)
    .op(Op.i32Sub)
    .set(l.stepEnd);
  positionLoop(b, l, group, overwrite, swizzle, UNROLL);
  b.get(l.chunkEnd).set(l.stepEnd);
  positionLoop(b, l, group, overwrite, swizzle, 1);
  b.get(l.table)
    .i32(32 * group)
    .op(Op.i32Add)
    .set(l.table);
  b.get(l.cursor).i32(4).op(Op.i32Add).set(l.cursor);
}

/** `while (position + 16·vectors <= stepEnd (+ 16·vectors for the main loop))`: the body. */
function positionLoop(
  b: Body,
  l: Locals,
  group: number,
  overwrite: boolean,
  swizzle: SwizzleFlavour,
  vectors: number,
): void {
  const swizzleOp = swizzle === 'relaxed' ? Simd.i8x16RelaxedSwizzle : Simd.i8x16Swizzle;
  b.op(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
  // Exit when position > stepEnd (main loop) or position >= stepEnd (the one-vector loop).
  b.get(l.position)
    .get(l.stepEnd)
    .op(vectors > 1 ? Op.i32GtS : Op.i32GeS)
    .op(Op.brIf, 1);
  for (let u = 0; u < vectors; u++) {
    // x86 has no byte shift: a 16-bit shift and the nibble mask (two instructions) beat
    // i8x16.shr_u, which V8 lowers to five.
    b.get(l.source)
      .get(l.position)
      .op(Op.i32Add)
      .v128Load(16 * u)
      .tee(l.high);
    b.get(l.mask).simd(Simd.v128And).set(l.low);
    b.get(l.high).i32(4).simd(Simd.i16x8ShrU).get(l.mask).simd(Simd.v128And).set(l.high);
    for (let r = 0; r < group; r++) {
      b.get(l.outputAddress[r]!).get(l.position).op(Op.i32Add).tee(l.target);
      if (!overwrite) b.get(l.target).v128Load(16 * u);
      b.get(l.tableLow[r]!).get(l.low).simd(swizzleOp);
      b.get(l.tableHigh[r]!).get(l.high).simd(swizzleOp).simd(Simd.v128Xor);
      if (!overwrite) b.simd(Simd.v128Xor);
      b.v128Store(16 * u);
    }
  }
  b.get(l.position)
    .i32(16 * vectors)
    .op(Op.i32Add)
    .set(l.position);
  b.op(Op.br, 0, Op.end, Op.end);
}

/** Name of the k-to-1 xor export: (inputs, inputCount, output, length multiple of 16). */
export const XOR_KERNEL = 'xor';

/**
 * output = xor of the inputs, 64 bytes an iteration: no multiplication, so it is the floor
 * that a coding kernel is measured against (and what a coefficient-1 row would cost).
 */
function xorKernel(): FunctionDefinition {
  const [inputs, inputCount, output, length] = [0, 1, 2, 3];
  const [position, cursor, inputsEnd, source] = [4, 5, 6, 7];
  const accumulators = [8, 9, 10, 11];
  const b = new Body();
  b.get(inputs).get(inputCount).i32(2).op(Op.i32Shl).op(Op.i32Add).set(inputsEnd);
  for (const vectors of [4, 1]) {
    b.op(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
    b.get(position)
      .i32(16 * vectors)
      .op(Op.i32Add)
      .get(length)
      .op(Op.i32GtS)
      .op(Op.brIf, 1);
    b.get(inputs).i32Load().get(position).op(Op.i32Add).set(source);
    for (let u = 0; u < vectors; u++)
      b.get(source)
        .v128Load(16 * u)
        .set(accumulators[u]!);
    b.get(inputs).i32(4).op(Op.i32Add).set(cursor);
    b.op(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
    b.get(cursor).get(inputsEnd).op(Op.i32Eq).op(Op.brIf, 1);
    b.get(cursor).i32Load().get(position).op(Op.i32Add).set(source);
    for (let u = 0; u < vectors; u++) {
      b.get(accumulators[u]!)
        .get(source)
        .v128Load(16 * u)
        .simd(Simd.v128Xor)
        .set(accumulators[u]!);
    }
    b.get(cursor).i32(4).op(Op.i32Add).set(cursor);
    b.op(Op.br, 0, Op.end, Op.end);
    b.get(output).get(position).op(Op.i32Add).set(source);
    for (let u = 0; u < vectors; u++)
      b.get(source)
        .get(accumulators[u]!)
        .v128Store(16 * u);
    b.get(position)
      .i32(16 * vectors)
      .op(Op.i32Add)
      .set(position);
    b.op(Op.br, 0, Op.end, Op.end);
  }
  return {
    name: XOR_KERNEL,
    params: [ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32],
    results: [],
    locals: [
      ValueType.i32,
      ValueType.i32,
      ValueType.i32,
      ValueType.i32,
      ValueType.v128,
      ValueType.v128,
      ValueType.v128,
      ValueType.v128,
    ],
    body: b.code,
  };
}
