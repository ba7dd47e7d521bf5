/**
 * A sorted set of string keys for the segment store's in-memory key directory, kept as a list of
 * sorted chunks: a key goes in or out with a binary search and a splice of one chunk (at most
 * CHUNK_KEYS_MAX keys), and a range is a walk from the first chunk that can hold its start. A
 * single sorted array would move every key after the insertion point; a tree would allocate a node
 * per key.
 *
 * Keys compare by UTF-16 code unit, which is byte order for the ASCII keys the fragment store uses
 * (LevelDB's order).
 */

/** A chunk splits in two past this many keys. */
const CHUNK_KEYS_MAX = 1024;

export class SortedKeys {
  private readonly chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `key`; false if it was already there. */
  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count++;
      return true;
    }
    const c = Math.min(this.chunkFor(key), this.chunks.length - 1);
    const chunk = this.chunks[c]!;
    const at = lowerBound(chunk, key);
    if (chunk[at] === key) return false;
    chunk.splice(at, 0, key);
    this.count++;
    if (chunk.length > CHUNK_KEYS_MAX)
      this.chunks.splice(c, 1, chunk.slice(0, chunk.length >> 1), chunk.slice(chunk.length >> 1));
    return true;
  }

  /** Removes `key`; false if it was not there. */
  delete(key: string): boolean {
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (!chunk) return false;
    const at = lowerBound(chunk, key);
    if (chunk[at] !== key) return false;
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The keys k with gte <= k < lt (either bound may be left out), in order, as an array. */
  range(gte?: string, lt?: string): string[] {
    const keys: string[] = [];
    let c = gte === undefined ? 0 : this.chunkFor(gte);
    let at = gte === undefined || !this.chunks[c] ? 0 : lowerBound(this.chunks[c]!, gte);
    for (; c < this.chunks.length; c++, at = 0) {
      const chunk = this.chunks[c]!;
      for (; at < chunk.length; at++) {
        const key = chunk[at]!;
        if (lt !== undefined && key >= lt) return keys;
        keys.push(key);
      }
    }
    return keys;
  }

  /** The first chunk whose last key is >= key (chunks.length when there is none). */
  private chunkFor(key: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const chunk = this.chunks[middle]!;
      if (chunk[chunk.length - 1]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** The first position in a sorted array whose key is >= key. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (keys[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
