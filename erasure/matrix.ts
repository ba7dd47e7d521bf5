/**
 * The coding matrices. Encoding multiplies the k data shards by the m×k Cauchy matrix of ISA-L's
 * `gf_gen_cauchy1_matrix`: parity row i, data column j holds 1 / ((k + i) xor j). Every square
 * submatrix of a Cauchy matrix is invertible, so the systematic matrix [I; C] loses nothing for
 * any choice of k surviving rows. Reconstruction inverts the k×k submatrix of the rows that
 * survive.
 */
import { gfInv, gfMul } from './gf256.js';

/** A dense matrix over GF(2^8): `rows` arrays of `columns` coefficients. */
export type GfMatrix = Uint8Array[];

/** The m×k parity rows of ISA-L's Cauchy construction. Requires k + m <= 256. */
export function cauchyParityRows(k: number, m: number): GfMatrix {
  const rows: GfMatrix = [];
  for (let i = 0; i < m; i++) {
    const row = new Uint8Array(k);
    for (let j = 0; j < k; j++) row[j] = gfInv((k + i) ^ j);
    rows.push(row);
  }
  return rows;
}

/** Row `index` of the full (k+m)×k systematic encoding matrix [I; C]. */
export function encodingRow(k: number, parityRows: GfMatrix, index: number): Uint8Array {
  if (index < k) {
    const row = new Uint8Array(k);
    row[index] = 1;
    return row;
  }
  return parityRows[index - k]!;
}

/**
 * The inverse of a square matrix by Gauss-Jordan elimination. Returns null when the matrix is
 * singular (which a Cauchy-derived submatrix never is; the caller treats null as a bug).
 */
export function invert(matrix: GfMatrix): GfMatrix | null {
  const n = matrix.length;
  const work = matrix.map((row) => Uint8Array.from(row));
  const inverse: GfMatrix = [];
  for (let i = 0; i < n; i++) {
    const row = new Uint8Array(n);
    row[i] = 1;
    inverse.push(row);
  }
  for (let column = 0; column < n; column++) {
    let pivot = column;
    while (pivot < n && work[pivot]![column] === 0) pivot++;
    if (pivot === n) return null;
    if (pivot !== column) {
      [work[pivot], work[column]] = [work[column]!, work[pivot]!];
      [inverse[pivot], inverse[column]] = [inverse[column]!, inverse[pivot]!];
    }
    const pivotRow = work[column]!;
    const pivotInverse = inverse[column]!;
    const scale = gfInv(pivotRow[column]!);
    for (let j = 0; j < n; j++) {
      pivotRow[j] = gfMul(pivotRow[j]!, scale);
      pivotInverse[j] = gfMul(pivotInverse[j]!, scale);
    }
    for (let row = 0; row < n; row++) {
      const factor = row === column ? 0 : work[row]![column]!;
      if (factor === 0) continue;
      const target = work[row]!;
      const targetInverse = inverse[row]!;
      for (let j = 0; j < n; j++) {
        target[j]! ^= gfMul(factor, pivotRow[j]!);
        targetInverse[j]! ^= gfMul(factor, pivotInverse[j]!);
      }
    }
  }
  return inverse;
}

/** The product a·b of two matrices over GF(2^8) (a is r×n, b is n×c). */
export function multiply(a: GfMatrix, b: GfMatrix): GfMatrix {
  const columns = b[0]?.length ?? 0;
  return a.map((row) => {
    const out = new Uint8Array(columns);
    for (let n = 0; n < row.length; n++) {
      const factor = row[n]!;
      if (factor === 0) continue;
      const other = b[n]!;
      for (let c = 0; c < columns; c++) out[c]! ^= gfMul(factor, other[c]!);
    }
    return out;
  });
}
