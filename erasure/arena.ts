/**
 * The shard arena: a fixed region of memory (the kernel's WebAssembly memory, or a plain
 * ArrayBuffer for the portable kernel) out of which shards and coefficient tables are handed.
 * It never grows, so a view handed out is never detached by a later allocation; when it is
 * full, allocation throws ArenaFullError. Free space is a sorted list of blocks, first fit,
 * merged with its neighbours on release, so that a long run of allocate/release with sizes that
 * come and go does not fragment it away.
 */
import { ArenaFullError, ForeignShardError } from './errors.js';

/** Every block starts on this boundary (a cache line; the SIMD kernels want 16 at least). */
export const ARENA_ALIGN_BYTES = 64;

interface FreeBlock {
  offset: number;
  bytes: number;
}

/** A first-fit allocator over [start, end) of one ArrayBuffer. */
export class Arena {
  private free: FreeBlock[];
  private readonly used = new Map<number, number>();

  constructor(
    readonly buffer: ArrayBuffer,
    readonly start: number,
    readonly end: number,
  ) {
    const first = alignUp(start);
    this.free = first < end ? [{ offset: first, bytes: end - first }] : [];
  }

  /** Bytes not handed out (possibly in several blocks). */
  get freeBytes(): number {
    return this.free.reduce((sum, block) => sum + block.bytes, 0);
  }

  /** Blocks handed out and not yet released. */
  get liveBlocks(): number {
    return this.used.size;
  }

  /** Hands out `bytes` (rounded up to the alignment); returns the block's offset. */
  allocate(bytes: number): number {
    const size = Math.max(ARENA_ALIGN_BYTES, alignUp(bytes));
    const index = this.free.findIndex((block) => block.bytes >= size);
    if (index < 0) throw new ArenaFullError(bytes, this.freeBytes);
    const block = this.free[index]!;
    const offset = block.offset;
    if (block.bytes === size) this.free.splice(index, 1);
    else this.free[index] = { offset: offset + size, bytes: block.bytes - size };
    this.used.set(offset, size);
    return offset;
  }

  /** Hands out `bytes` and returns them as a zeroed view. */
  allocateView(bytes: number): Uint8Array {
    const offset = this.allocate(bytes);
    const view = new Uint8Array(this.buffer, offset, bytes);
    view.fill(0);
    return view;
  }

  /** True when `offset` is the start of a block handed out and not yet released. */
  owns(offset: number): boolean {
    return this.used.has(offset);
  }

  /** Takes a block back. Throws ForeignShardError for an offset this arena did not hand out. */
  release(offset: number): void {
    const size = this.used.get(offset);
    if (size === undefined) {
      throw new ForeignShardError(
        `offset ${offset} is not a live block of this arena (released twice, or never allocated here)`,
      );
    }
    this.used.delete(offset);
    let index = 0;
    while (index < this.free.length && this.free[index]!.offset < offset) index++;
    this.free.splice(index, 0, { offset, bytes: size });
    this.mergeAround(index);
  }

  private mergeAround(index: number): void {
    const next = this.free[index + 1];
    const block = this.free[index]!;
    if (next && block.offset + block.bytes === next.offset) {
      block.bytes += next.bytes;
      this.free.splice(index + 1, 1);
    }
    const previous = this.free[index - 1];
    if (previous && previous.offset + previous.bytes === block.offset) {
      previous.bytes += block.bytes;
      this.free.splice(index, 1);
    }
  }
}

function alignUp(value: number): number {
  return Math.ceil(value / ARENA_ALIGN_BYTES) * ARENA_ALIGN_BYTES;
}
