/**
 * The fixed hash functions behind every placement and ownership decision. They are written out
 * here (no package, no platform hash) so that a node, a client and any later reimplementation
 * compute the same bits from the same inputs: MurmurHash3 (x86, 32-bit) over the UTF-8 bytes of
 * an id or stripe key, and Chris Wellons' `lowbias32` integer mixer to combine two hashes into
 * one rendezvous draw. Only 32-bit integer arithmetic (`Math.imul`, shifts) is used, which
 * JavaScript defines exactly; the one floating-point step, `Math.log` of a draw, is taken by
 * the callers and compared, never stored.
 */

const utf8 = new TextEncoder();

/** MurmurHash3_x86_32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function murmur3(text: string, seed: number): number {
  const bytes = utf8.encode(text);
  const blockEnd = bytes.length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blockEnd; i += 4) {
    const block =
      (bytes[i] ?? 0) |
      ((bytes[i + 1] ?? 0) << 8) |
      ((bytes[i + 2] ?? 0) << 16) |
      ((bytes[i + 3] ?? 0) << 24);
    h ^= scrambleBlock(block);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tailLength = bytes.length & 3;
  if (tailLength > 0) {
    let tail = bytes[blockEnd] ?? 0;
    if (tailLength > 1) tail |= (bytes[blockEnd + 1] ?? 0) << 8;
    if (tailLength > 2) tail |= (bytes[blockEnd + 2] ?? 0) << 16;
    h ^= scrambleBlock(tail);
  }
  h ^= bytes.length;
  return murmurFinalize(h);
}

function scrambleBlock(block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function murmurFinalize(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Wellons' `lowbias32`: a bijective 32-bit mixer with near-ideal avalanche. Used to turn
 * `stripe hash xor member hash` into a draw that is independent across members.
 */
export function mix32(value: number): number {
  let x = value | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The golden-ratio increment that separates the per-fragment streams of one stripe. */
const FRAGMENT_STRIDE = 0x9e3779b9;

/** The hash of fragment `index`'s stream of one stripe, from the stripe key's hash. */
export function fragmentStream(stripeHash: number, index: number): number {
  return mix32((stripeHash + Math.imul(index + 1, FRAGMENT_STRIDE)) | 0);
}

/** One rendezvous draw, an unsigned 32-bit integer, for a stream and a member's id hash. */
export function draw32(streamHash: number, memberHash: number): number {
  return mix32(streamHash ^ memberHash);
}

/** 2^-32: maps a 32-bit draw h to the uniform variate (h + 1)·2^-32 in (0, 1]. */
const UNIT = 1 / 4294967296;

/**
 * The straw2 score of a draw for a member of weight `weight` (> 0): ln(u) / weight with u the
 * draw mapped into (0, 1]. The largest score wins; -score is exponential with rate `weight`,
 * so a member wins a race with probability weight / (sum of weights).
 */
export function straw2Score(draw: number, weight: number): number {
  return Math.log((draw + 1) * UNIT) / weight;
}

/** Seeds that keep the id hashes of different uses apart. */
export const HASH_SEED = {
  /** Node ids, for fragment placement. */
  node: 0x7e55e4a1,
  /** Stripe keys, for fragment placement. */
  stripe: 0x5791be01,
  /** Failure-domain ids, for assigning fragment indexes to domains when the rule fixes counts. */
  domain: 0x0d0a1e55,
  /** Stripe keys and CM ids, for the responsibility function. */
  owner: 0x0c3a11ed,
} as const;
