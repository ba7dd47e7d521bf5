/**
 * Systematic Reed-Solomon over GF(2^8) with ISA-L's Cauchy matrix: k data shards, m parity
 * shards, any k of the k + m rebuild the rest. See DESIGN.md ("erasure/").
 *
 * Every method checks its shards before touching a byte (count, one length, attached, written
 * shards overlapping nothing) and throws a typed error from errors.ts; after an error nothing
 * has changed. Shards from allocateShards() are views into the fast kernel's memory and are
 * worked on without a copy; any other Uint8Array works too, staged through a scratch area.
 */
import {
  ErasureRangeError,
  ForeignShardError,
  ShardLengthError,
  TooManyMissingError,
} from './errors.js';
import type { CodingKernel, KernelName, PreparedRows } from './kernel.js';
import { cauchyParityRows, encodingRow, invert, multiply, type GfMatrix } from './matrix.js';
import { createKernel, type KernelChoice } from './kernel-choice.js';
import { checkAttached, checkCount, checkNoOverlap, checkSameLength } from './shard-checks.js';

/** Options of a ReedSolomon engine. */
export interface ReedSolomonOptions {
  /** 'auto' (the fastest this engine runs), 'simd', 'relaxed-simd' or 'portable'. */
  kernel?: KernelChoice;
  /** Bytes reserved up front for allocateShards and coefficient tables (default 64 MiB). */
  arenaBytes?: number;
  /** Bytes for staging shards that live outside the arena (default 1 MiB, at least 32 KiB). */
  scratchBytes?: number;
}

/** Decode matrices kept for erasure patterns seen recently (each holds tables in the arena). */
const DECODE_CACHE_MAX = 32;

function parityLabel(index: number): string {
  return `parity shard ${index}`;
}

/** A Reed-Solomon code RS(k, m). */
export class ReedSolomon {
  readonly k: number;
  readonly m: number;
  private readonly kernel: CodingKernel;
  private readonly parityRows: GfMatrix;
  private readonly encodeRows: PreparedRows;
  private readonly decodeCache = new Map<string, PreparedRows>();
  private readonly columnCache = new Map<number, PreparedRows>();

  constructor(k: number, m: number, options: ReedSolomonOptions = {}) {
    if (!Number.isInteger(k) || k < 1)
      throw new ErasureRangeError(`k must be an integer >= 1, got ${k}`);
    if (!Number.isInteger(m) || m < 1)
      throw new ErasureRangeError(`m must be an integer >= 1, got ${m}`);
    if (k + m > 256)
      throw new ErasureRangeError(`k + m must be at most 256 in GF(2^8), got k=${k} m=${m}`);
    this.k = k;
    this.m = m;
    this.kernel = createKernel(
      options.kernel ?? 'auto',
      options.arenaBytes ?? 64 << 20,
      options.scratchBytes ?? 1 << 20,
    );
    this.parityRows = cauchyParityRows(k, m);
    this.encodeRows = this.kernel.prepare(this.parityRows);
  }

  /** Which kernel this engine runs: 'wasm-simd', 'wasm-relaxed-simd' or 'portable'. */
  get kernelName(): KernelName {
    return this.kernel.name;
  }

  /** The coefficient by which parity shard `parityIndex` (0…m-1) multiplies data shard `dataIndex`. */
  coefficient(parityIndex: number, dataIndex: number): number {
    this.checkIndex(parityIndex, this.m, 'parityIndex');
    this.checkIndex(dataIndex, this.k, 'dataIndex');
    return this.parityRows[parityIndex]![dataIndex]!;
  }

  /** Fills shards[k…k+m-1] with the parity of shards[0…k-1]; all k + m of one length. */
  encode(shards: Uint8Array[]): void {
    checkCount(shards, this.k + this.m, 'encode');
    checkSameLength(shards, this.label);
    const data = shards.slice(0, this.k);
    const parity = shards.slice(this.k);
    checkNoOverlap(parity, data, this.parityThenDataLabel);
    this.kernel.apply(this.encodeRows, data, parity, false);
  }

  /** True when the parity shards are exactly the parity of the data shards. */
  verify(shards: Uint8Array[]): boolean {
    checkCount(shards, this.k + this.m, 'verify');
    checkSameLength(shards, this.label);
    return this.kernel.matches(this.encodeRows, shards.slice(0, this.k), shards.slice(this.k));
  }

  /**
   * Returns all k + m shards, the missing ones (null) rebuilt into new arrays from any k of the
   * others. Throws TooManyMissingError, naming both counts, when more than m are missing.
   */
  reconstruct(shards: (Uint8Array | null)[]): Uint8Array[] {
    checkCount(shards, this.k + this.m, 'reconstruct');
    const present = shards.filter(
      (shard): shard is Uint8Array => shard !== null && shard !== undefined,
    );
    const missing = shards.length - present.length;
    if (missing > this.m) throw new TooManyMissingError(missing, this.m);
    if (missing === 0) return [...(shards as Uint8Array[])];
    present.forEach((shard, index) => checkAttached(shard, `present shard ${index}`));
    const length = present[0]!.length;
    const full = shards.map((shard) => shard ?? new Uint8Array(length));
    this.reconstructInto(
      full,
      shards.flatMap((shard, index) => (shard ? [] : [index])),
    );
    return full;
  }

  /**
   * Rebuilds, in place, the shards whose indexes `missing` lists from the others (all k + m
   * given, of one length; the missing ones are only written). Shards listed in `unavailable`
   * are neither read nor written (lost shards the caller does not need back). The zero-copy
   * form of reconstruct() for shards from allocateShards.
   */
  reconstructInto(shards: Uint8Array[], missing: number[], unavailable: number[] = []): void {
    checkCount(shards, this.k + this.m, 'reconstructInto');
    const targets = [...new Set(missing)].sort((a, b) => a - b);
    const lost = new Set([...targets, ...unavailable]);
    [...lost].forEach((index) =>
      this.checkIndex(index, this.k + this.m, 'missing or unavailable index'),
    );
    if (lost.size > this.m) throw new TooManyMissingError(lost.size, this.m);
    checkSameLength(shards, this.label);
    if (targets.length === 0) return;
    const sources = shards
      .map((_, index) => index)
      .filter((index) => !lost.has(index))
      .slice(0, this.k);
    const order = [...targets, ...sources];
    checkNoOverlap(
      targets.map((index) => shards[index]!),
      sources.map((index) => shards[index]!),
      (position) => this.label(order[position]!),
    );
    const rows = this.decodeRows(sources, targets);
    this.kernel.apply(
      rows,
      sources.map((index) => shards[index]!),
      targets.map((index) => shards[index]!),
      false,
    );
  }

  /**
   * Brings the m parity shards up to date after bytes [offset, offset + delta.length) of data
   * shard `dataIndex` changed by `delta` (old xor new), touching only that range of each parity.
   * Equals a full re-encode.
   */
  updateParity(parity: Uint8Array[], dataIndex: number, delta: Uint8Array, offset: number): void {
    checkCount(parity, this.m, 'updateParity parity');
    this.checkIndex(dataIndex, this.k, 'dataIndex');
    const length = checkSameLength(parity, parityLabel);
    checkAttached(delta, 'delta');
    if (!Number.isInteger(offset) || offset < 0 || offset + delta.length > length) {
      throw new ShardLengthError(
        `offset ${offset} with a delta of ${delta.length} bytes falls outside parity shards of ${length} bytes`,
      );
    }
    const ranges = parity.map((shard) => shard.subarray(offset, offset + delta.length));
    checkNoOverlap(ranges, [delta], (index) => (index < this.m ? parityLabel(index) : 'delta'));
    this.kernel.apply(this.columnRows(dataIndex), [delta], ranges, true);
  }

  /**
   * k + m zeroed shards of `length` bytes in the fast kernel's memory, on which encode,
   * reconstruct and updateParity copy nothing. Throws ArenaFullError when the arena cannot hold
   * them (allocating none). Give them back with release().
   */
  allocateShards(length: number): Uint8Array[] {
    if (!Number.isInteger(length) || length < 0)
      throw new ErasureRangeError(`length must be an integer >= 0, got ${length}`);
    const shards: Uint8Array[] = [];
    try {
      for (let index = 0; index < this.k + this.m; index++)
        shards.push(this.kernel.arena.allocateView(length));
    } catch (error) {
      this.release(shards);
      throw error;
    }
    return shards;
  }

  /** Gives shards from allocateShards back to the arena. */
  release(shards: Uint8Array[]): void {
    for (const shard of shards) {
      if (shard.buffer !== this.kernel.arena.buffer || !this.kernel.arena.owns(shard.byteOffset)) {
        throw new ForeignShardError(
          'release: a shard was not handed out by this engine, or was released already',
        );
      }
    }
    for (const shard of shards) this.kernel.arena.release(shard.byteOffset);
  }

  /** Frees the cached decode tables (the engine stays usable). */
  clearCache(): void {
    for (const rows of this.decodeCache.values()) this.kernel.dispose(rows);
    this.decodeCache.clear();
  }

  /** Rows that rebuild `targets` from the k shards `sources`, cached per pattern. */
  private decodeRows(sources: number[], targets: number[]): PreparedRows {
    const key = `${sources.join(',')}>${targets.join(',')}`;
    const cached = this.decodeCache.get(key);
    if (cached) {
      this.decodeCache.delete(key);
      this.decodeCache.set(key, cached);
      return cached;
    }
    const inverse = invert(sources.map((index) => encodingRow(this.k, this.parityRows, index)));
    if (!inverse)
      throw new Error('erasure: assertion failed: a Cauchy submatrix is always invertible');
    const rows = targets.map((index) =>
      index < this.k ? inverse[index]! : multiply([this.parityRows[index - this.k]!], inverse)[0]!,
    );
    if (this.decodeCache.size >= DECODE_CACHE_MAX) {
      const [oldestKey, oldest] = this.decodeCache.entries().next().value as [string, PreparedRows];
      this.kernel.dispose(oldest);
      this.decodeCache.delete(oldestKey);
    }
    const prepared = this.kernel.prepare(rows);
    this.decodeCache.set(key, prepared);
    return prepared;
  }

  /** The m×1 column of coefficients of data shard `dataIndex`, prepared once per index. */
  private columnRows(dataIndex: number): PreparedRows {
    let rows = this.columnCache.get(dataIndex);
    if (!rows) {
      rows = this.kernel.prepare(this.parityRows.map((row) => Uint8Array.of(row[dataIndex]!)));
      this.columnCache.set(dataIndex, rows);
    }
    return rows;
  }

  private checkIndex(index: number, bound: number, name: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= bound) {
      throw new ErasureRangeError(`${name} must be an integer in [0, ${bound - 1}], got ${index}`);
    }
  }

  /** Names shard `index` of k + m in error messages. */
  private readonly label = (index: number): string =>
    index < this.k ? `data shard ${index}` : `parity shard ${index - this.k} (shard ${index})`;

  /** Names the shards of [...parity, ...data], the order encode checks them in. */
  private readonly parityThenDataLabel = (index: number): string =>
    this.label(index < this.m ? this.k + index : index - this.m);
}
