/**
 * What one sequential writer expects a volume to hold: the bytes of its acknowledged writes, and
 * for each write whose outcome is unknown (or that failed although it may have landed) its bytes
 * as an allowed alternative, until an acknowledged write covers them again.
 */
export class ExpectedBytes {
  readonly bytes: Buffer;
  private readonly alternatives = new Map<number, Set<number>>();

  constructor(length: number) {
    this.bytes = Buffer.alloc(length);
  }

  /** An acknowledged write: these bytes, and nothing else, from now on. */
  acknowledged(offset: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, offset);
    for (let at = offset; at < offset + bytes.length; at++) this.alternatives.delete(at);
  }

  /** A write that may have landed: its bytes are allowed beside what was there. */
  mayHaveLanded(offset: number, bytes: Uint8Array): void {
    bytes.forEach((value, at) => {
      let set = this.alternatives.get(offset + at);
      if (!set) this.alternatives.set(offset + at, (set = new Set()));
      set.add(value);
    });
  }

  /** The differing runs of `actual` (read from `offset`), as "[from, to)" strings; at most `max`. */
  mismatches(actual: Uint8Array, offset = 0, max = 5): string[] {
    const runs: string[] = [];
    let start = -1;
    let count = 0;
    for (let at = 0; at <= actual.length; at++) {
      const bad =
        at < actual.length &&
        actual[at] !== this.bytes[offset + at] &&
        !this.alternatives.get(offset + at)?.has(actual[at]!);
      if (bad && start < 0) start = at;
      if (!bad && start >= 0) {
        count += 1;
        if (runs.length < max) runs.push(`[${offset + start}, ${offset + at})`);
        start = -1;
      }
    }
    if (count > max) runs.push(`and ${count - max} more runs`);
    return runs;
  }
}
