/**
 * The portable kernel: plain TypeScript on any Uint8Arrays. It packs the products of up to four
 * outputs into one 32-bit word per input byte (table[x] = c0·x | c1·x << 8 | c2·x << 16 |
 * c3·x << 24), so that one lookup and one xor serve four parity rows; a chunk of words is then
 * spread back into the four outputs. It is the reference for the SIMD kernel and the fallback
 * where WebAssembly SIMD is missing.
 */
import { Arena } from './arena.js';
import { gfMul } from './gf256.js';
import { equalBytes, kernelOfBuffer, type CodingKernel, type PreparedRows } from './kernel.js';
import type { GfMatrix } from './matrix.js';

const CHUNK_BYTES = 4096;
const GROUP = 4;

interface PortableRows extends PreparedRows {
  /** tables[g][j]: 256 packed products for output group g and input j. */
  readonly tables: Uint32Array[][];
}

/** The portable kernel over an arena of `arenaBytes` plain memory. */
export class PortableKernel implements CodingKernel {
  readonly name = 'portable' as const;
  readonly arena: Arena;
  private readonly words = new Uint32Array(CHUNK_BYTES);
  private readonly spare: Uint8Array[] = [];

  constructor(arenaBytes: number) {
    this.arena = new Arena(new ArrayBuffer(arenaBytes), 0, arenaBytes);
    kernelOfBuffer.set(this.arena.buffer, this);
  }

  prepare(rows: GfMatrix): PortableRows {
    const inputCount = rows[0]?.length ?? 0;
    const tables: Uint32Array[][] = [];
    for (let first = 0; first < rows.length; first += GROUP) {
      const group = rows.slice(first, first + GROUP);
      const perInput: Uint32Array[] = [];
      for (let j = 0; j < inputCount; j++) {
        const table = new Uint32Array(256);
        for (let x = 0; x < 256; x++) {
          let word = 0;
          group.forEach((row, r) => (word |= gfMul(row[j]!, x) << (8 * r)));
          table[x] = word >>> 0;
        }
        perInput.push(table);
      }
      tables.push(perInput);
    }
    return { rows, inputCount, tables };
  }

  dispose(): void {}

  apply(
    prepared: PreparedRows,
    inputs: Uint8Array[],
    outputs: Uint8Array[],
    accumulate: boolean,
  ): void {
    const { tables } = prepared as PortableRows;
    const length = outputs[0]?.length ?? 0;
    for (let from = 0; from < length; from += CHUNK_BYTES) {
      const to = Math.min(length, from + CHUNK_BYTES);
      tables.forEach((perInput, g) => {
        this.accumulateWords(perInput, inputs, from, to);
        spread(this.words, outputs.slice(g * GROUP, g * GROUP + GROUP), from, to, accumulate);
      });
    }
  }

  matches(prepared: PreparedRows, inputs: Uint8Array[], expected: Uint8Array[]): boolean {
    const length = expected[0]?.length ?? 0;
    while (this.spare.length < expected.length) this.spare.push(new Uint8Array(CHUNK_BYTES));
    const { tables } = prepared as PortableRows;
    for (let from = 0; from < length; from += CHUNK_BYTES) {
      const to = Math.min(length, from + CHUNK_BYTES);
      const scratch = this.spare.map((buffer) => buffer.subarray(0, to - from));
      for (let g = 0; g < tables.length; g++) {
        this.accumulateWords(tables[g]!, inputs, from, to);
        spread(this.words, scratch.slice(0, GROUP), 0, to - from, false);
        for (let r = 0; r < GROUP && g * GROUP + r < expected.length; r++) {
          if (!equalBytes(scratch[r]!, expected[g * GROUP + r]!.subarray(from, to))) return false;
        }
      }
    }
    return true;
  }

  private accumulateWords(
    perInput: Uint32Array[],
    inputs: Uint8Array[],
    from: number,
    to: number,
  ): void {
    const words = this.words;
    const count = to - from;
    words.fill(0, 0, count);
    for (let j = 0; j < perInput.length; j++) {
      const table = perInput[j]!;
      const input = inputs[j]!;
      const start = input.byteOffset + from;
      if ((start & 3) === 0 && (count & 3) === 0) {
        // Four input bytes per load (little-endian: byte 0 is the low byte).
        const quads = new Uint32Array(input.buffer, start, count >>> 2);
        for (let q = 0, x = 0; q < quads.length; q++, x += 4) {
          const quad = quads[q]!;
          words[x]! ^= table[quad & 255]!;
          words[x + 1]! ^= table[(quad >>> 8) & 255]!;
          words[x + 2]! ^= table[(quad >>> 16) & 255]!;
          words[x + 3]! ^= table[quad >>> 24]!;
        }
      } else {
        for (let x = 0; x < count; x++) words[x]! ^= table[input[from + x]!]!;
      }
    }
  }
}

/** Writes (or xors) byte r of each word into outputs[r][from + x]. */
function spread(
  words: Uint32Array,
  outputs: Uint8Array[],
  from: number,
  to: number,
  accumulate: boolean,
): void {
  const count = to - from;
  for (let r = 0; r < outputs.length; r++) {
    const output = outputs[r]!;
    const shift = 8 * r;
    if (accumulate) for (let x = 0; x < count; x++) output[from + x]! ^= words[x]! >>> shift;
    else for (let x = 0; x < count; x++) output[from + x] = words[x]! >>> shift;
  }
}
