/**
 * Randomness injected into the core. Raft needs it only to spread election timeouts, but a
 * process-wide source would make runs impossible to replay, so the driver hands one in: a seeded
 * stream in the simulator, any uniform source in production.
 */

/** A source of uniform integers. */
export interface Random {
  /** A uniform integer in [0, maxExclusive); maxExclusive is a positive safe integer. */
  int(maxExclusive: number): number;
}

/**
 * A seeded stream (SplitMix32 seeding xoshiro128**): the same seed always yields the same
 * numbers, on every machine. Not for cryptography.
 */
export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  next32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  int(maxExclusive: number): number {
    if (!(Number.isSafeInteger(maxExclusive) && maxExclusive > 0)) {
      throw new RangeError(`maxExclusive must be a positive safe integer, got ${maxExclusive}`);
    }
    const high = this.next32() * 0x200000; // 21 more bits make a 53-bit fraction
    const fraction = (high + (this.next32() >>> 11)) / 2 ** 53;
    return Math.floor(fraction * maxExclusive);
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.int(2 ** 30) / 2 ** 30;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** An independent stream derived from this one, e.g. one per simulated node. */
  fork(): SeededRandom {
    return new SeededRandom(this.next32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
