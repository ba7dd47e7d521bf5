/**
 * A minimal WebAssembly binary writer: just enough of the format (types, an imported memory,
 * functions, exports, code) to emit the SIMD coding kernels from TypeScript at run time. Emitting
 * the module here, rather than shipping a compiled .wasm, keeps the kernel's source readable
 * next to the code that calls it, needs no toolchain at install, and lets the kernel be
 * generated per shape (outputs per pass, unrolling, relaxed SIMD when the engine has it).
 */

/** Value types of the binary format. */
export const ValueType = { i32: 0x7f, v128: 0x7b } as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** A growable byte sink with the binary format's integer encodings. */
export class ByteWriter {
  private bytes: number[] = [];

  byte(value: number): this {
    this.bytes.push(value & 0xff);
    return this;
  }

  raw(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.bytes.push(values[i]! & 0xff);
    return this;
  }

  /** Unsigned LEB128. */
  u32(value: number): this {
    let rest = value >>> 0;
    do {
      let byte = rest & 0x7f;
      rest >>>= 7;
      if (rest !== 0) byte |= 0x80;
      this.bytes.push(byte);
    } while (rest !== 0);
    return this;
  }

  /** Signed LEB128 (for i32.const). */
  s32(value: number): this {
    let rest = value | 0;
    for (;;) {
      const byte = rest & 0x7f;
      rest >>= 7;
      const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
      this.bytes.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  string(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).raw(encoded);
  }

  /** A length-prefixed vector of already encoded bytes. */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).raw(inner.bytes);
  }

  get length(): number {
    return this.bytes.length;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** One function: its signature, locals and body (the body without the closing `end`). */
export interface FunctionDefinition {
  name: string;
  params: ValueType[];
  results: ValueType[];
  locals: ValueType[];
  body: ByteWriter;
}

/**
 * Writes a module that imports one memory as env.memory and exports the given functions. The
 * import asks for at least one page and names no maximum, so that one compiled module serves
 * memories of every size (each of which the caller creates with initial = maximum, so that it
 * never grows under a live view).
 */
export function buildModule(functions: FunctionDefinition[]): Uint8Array {
  const out = new ByteWriter().raw([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

  const types = new ByteWriter().u32(functions.length);
  for (const fn of functions) {
    types.byte(0x60).u32(fn.params.length).raw(fn.params).u32(fn.results.length).raw(fn.results);
  }
  out.byte(1).sized(types);

  const imports = new ByteWriter().u32(1).string('env').string('memory');
  imports.byte(0x02).byte(0x00).u32(1);
  out.byte(2).sized(imports);

  const declarations = new ByteWriter().u32(functions.length);
  functions.forEach((_, index) => declarations.u32(index));
  out.byte(3).sized(declarations);

  const exports = new ByteWriter().u32(functions.length);
  functions.forEach((fn, index) => exports.string(fn.name).byte(0x00).u32(index));
  out.byte(7).sized(exports);

  const code = new ByteWriter().u32(functions.length);
  for (const fn of functions) {
    const entry = new ByteWriter();
    const groups = groupLocals(fn.locals);
    entry.u32(groups.length);
    for (const [count, type] of groups) entry.u32(count).byte(type);
    entry.raw(fn.body.toBytes()).byte(Op.end);
    code.sized(entry);
  }
  out.byte(10).sized(code);
  return out.toBytes();
}

function groupLocals(locals: ValueType[]): [number, ValueType][] {
  const groups: [number, ValueType][] = [];
  for (const type of locals) {
    const last = groups[groups.length - 1];
    if (last && last[1] === type) last[0]++;
    else groups.push([1, type]);
  }
  return groups;
}

/** Core opcodes used by the kernels. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Shl: 0x74,
  select: 0x1b,
  blockTypeEmpty: 0x40,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const Simd = {
  v128Load: 0x00,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Swizzle: 0x0e,
  i8x16Splat: 0x0f,
  v128And: 0x4e,
  v128Xor: 0x51,
  i8x16ShrU: 0x6d,
  i16x8ShrU: 0x8d,
  i8x16RelaxedSwizzle: 0x100,
} as const;
