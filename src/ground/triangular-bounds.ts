/**
 * Norm bounds of a lower-triangular L at l[at..] (d x d row-major; the upper triangle is not read),
 * in O(d^2) with no allocation (x and y: d scratch values each), into out:
 *
 * - out[0] = ||L||_1 ||L||_inf >= ||L||_2^2 (and >= || |L| ||_2^2);
 * - out[1] = max(M^-1 e) max(M^-T e) >= ||L^-1||_1 ||L^-1||_inf >= ||L^-1||_2^2, with M the comparison
 *   matrix of L (|L_ii| on the diagonal, -|L_ij| off it), whose inverse dominates |L^-1| entrywise
 *   (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., Thm 8.12): two triangular
 *   solves with the ones vector;
 * - out[2] = ||L||_F^2;
 * - out[3] = max |L_jj|.
 *
 * NaN or Infinity where L has a zero or non-finite entry on its diagonal.
 */
export function triangularBounds(
  l: ArrayLike<number>,
  at: number,
  d: number,
  x: Float64Array,
  y: Float64Array,
  out: Float64Array,
): void {
  let rows = 0;
  let invRows = 0;
  let squares = 0;
  let diagonal = 0;
  for (let i = 0; i < d; i++) {
    // Row i of L and of M x = e, by forward substitution (M^-1 >= 0, so x = M^-1 e >= 0).
    let row = 0;
    let t = 1;
    for (let j = 0; j < i; j++) {
      const a = Math.abs(l[at + i * d + j]);
      row += a;
      t += a * x[j];
      squares += a * a;
    }
    const lii = Math.abs(l[at + i * d + i]);
    squares += lii * lii;
    diagonal = Math.max(diagonal, lii);
    rows = Math.max(rows, row + lii);
    x[i] = t / lii;
    invRows = Math.max(invRows, x[i]);
  }
  let columns = 0;
  let invColumns = 0;
  for (let j = d - 1; j >= 0; j--) {
    // Column j of L and M^T y = e, by back substitution.
    let column = 0;
    let t = 1;
    for (let i = j + 1; i < d; i++) {
      const a = Math.abs(l[at + i * d + j]);
      column += a;
      t += a * y[i];
    }
    const ljj = Math.abs(l[at + j * d + j]);
    columns = Math.max(columns, column + ljj);
    y[j] = t / ljj;
    invColumns = Math.max(invColumns, y[j]);
  }
  out[0] = rows * columns;
  out[1] = invRows * invColumns;
  out[2] = squares;
  out[3] = diagonal;
}

/**
 * ||(L - A) W||_F for lower-triangular L at l[at..], A at a[0..] and W at w[0..] (d x d row-major,
 * upper triangles not read), in d^3 / 6 multiply-adds with no allocation (row: d scratch values).
 * With W = A^-1, L = (I + E) A for E = (L - A) W, so every singular value of L is within a factor
 * 1 +- ||E||_2 of A's (sigma_min(X Y) >= sigma_min(X) sigma_min(Y), sigma_max(X Y) <=
 * sigma_max(X) sigma_max(Y)): a bound on how far L moved from A relative to A itself, which a step
 * that scales L a little in every direction keeps small where ||L - A||_F is already past
 * sigma_min(A).
 */
export function relativeDrift(
  l: ArrayLike<number>,
  at: number,
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  d: number,
  row: Float64Array,
): number {
  let squares = 0;
  for (let i = 0; i < d; i++) {
    // Row i of E, as a sum of rows k of W (contiguous), k <= i.
    row.fill(0, 0, i + 1);
    for (let k = 0; k <= i; k++) {
      const delta = l[at + i * d + k] - a[i * d + k];
      if (delta === 0) continue;
      for (let j = 0; j <= k; j++) row[j] += delta * w[k * d + j];
    }
    for (let j = 0; j <= i; j++) squares += row[j] * row[j];
  }
  return Math.sqrt(squares);
}

/**
 * L L^T for a lower-triangular L at l[0..] (d x d row-major, its upper triangle zero), into out
 * (both triangles), or false (out not written) where an entry of L's lower triangle is not
 * finite. dense64's `gram` with the products of the upper triangle's zeros left out and each
 * entry computed once for both triangles: d^3 / 6 multiply-adds instead of d^3, and the same bits
 * (a left-out term, last in gram's sum, is +-0 times a finite entry, which leaves a sum begun at
 * +0 as it was).
 */
export function triangularGram(l: ArrayLike<number>, d: number, out: Float64Array): boolean {
  let check = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) check += 0 * l[i * d + j];
  if (check !== 0) return false;
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = 0; k <= j; k++) t += l[i * d + k] * l[j * d + k];
      out[i * d + j] = t;
      out[j * d + i] = t;
    }
  return true;
}
