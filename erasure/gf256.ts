/**
 * Arithmetic in GF(2^8) with the reducing polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and the
 * generator 2: the field of ISA-L, Jerasure and most storage systems, so that fragments made here
 * are byte-compatible with theirs.
 *
 * Addition is xor. Multiplication goes through log/exp tables; `MUL_TABLE` holds every product
 * (row c, column x = c·x) for the kernels, which look a whole row up at once.
 */

/** The reducing polynomial, with the x^8 term. */
export const GF_POLYNOMIAL = 0x11d;

/** EXP[i] = 2^i, doubled in length so that EXP[log a + log b] needs no reduction mod 255. */
const EXP = new Uint8Array(512);
/** LOG[a] = i such that 2^i = a, for a != 0. LOG[0] is unused. */
const LOG = new Uint8Array(256);

{
  let value = 1;
  for (let power = 0; power < 255; power++) {
    EXP[power] = value;
    LOG[value] = power;
    value <<= 1;
    if (value & 0x100) value ^= GF_POLYNOMIAL;
  }
  for (let power = 255; power < 512; power++) EXP[power] = EXP[power - 255]!;
}

/** The product a·b in GF(2^8). */
export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

/** The multiplicative inverse of a (a != 0). */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('gfInv: 0 has no inverse in GF(2^8)');
  return EXP[255 - LOG[a]!]!;
}

/** The quotient a / b (b != 0). */
export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('gfDiv: division by 0 in GF(2^8)');
  if (a === 0) return 0;
  return EXP[LOG[a]! + 255 - LOG[b]!]!;
}

/** MUL_TABLE[c * 256 + x] = c·x: 64 KiB, every product of the field. */
export const MUL_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(256 * 256);
  for (let c = 0; c < 256; c++) {
    for (let x = 0; x < 256; x++) table[c * 256 + x] = gfMul(c, x);
  }
  return table;
})();

/** The 256 products c·x for x = 0…255, as a view into MUL_TABLE (no copy). */
export function mulRow(coefficient: number): Uint8Array {
  return MUL_TABLE.subarray(coefficient * 256, coefficient * 256 + 256);
}

/**
 * The split-nibble tables of a coefficient for the SIMD kernel: 16 products c·x for x = 0…15
 * (the low nibble) then 16 products c·(x << 4) (the high nibble). Since multiplication
 * distributes over xor, c·x = lo[x & 15] xor hi[x >> 4].
 */
export function nibbleTables(coefficient: number, target: Uint8Array, offset: number): void {
  for (let x = 0; x < 16; x++) {
    target[offset + x] = gfMul(coefficient, x);
    target[offset + 16 + x] = gfMul(coefficient, x << 4);
  }
}
