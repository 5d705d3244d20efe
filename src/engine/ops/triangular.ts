/**
 * Host kernels on d x d row-major blocks shared by the native tasks: the inverse of a triangular
 * factor, and dot products of rows taken four at a time. A dot product's speed is bound by its
 * chain of dependent adds, not by its multiplies, so these loops keep several independent chains
 * in flight. rowDots and products give each sum its terms in ascending k, one at a time (the
 * plain loop's value); the inverse splits each sum in two by parity (the classifier's numbers
 * since its native step was written).
 */

/**
 * W^T for W = L^-1 of the float32 lower factor at l[lo..] into wt (row q holds column q of W, zero
 * before its diagonal): W_pq = (delta_pq - sum_{q <= k < p} L_pk W_kq) / L_pp.
 */
export function inverseTransposeInto(l: Float32Array, lo: number, d: number, wt: Float64Array): void {
  for (let p = 0; p < d; p++) {
    const lp = lo + p * d;
    const lpp = l[lp + p];
    // Each W_pq sums over k in [q, p) into two interleaved sums by the parity of k - q. Columns q
    // and q + 1 go together so four chains overlap: at each k, a term goes to q's odd sum and q +
    // 1's even one, or the other way round, and each sum gets its terms in the order the
    // one-column loop gives them.
    let q = 0;
    for (; q + 1 <= p; q += 2) {
      const rq = q * d;
      const rn = rq + d;
      let even = 0;
      let odd = 0;
      even -= l[lp + q] * wt[rq + q];
      let evenN = q + 1 === p ? 1 : 0;
      let oddN = 0;
      let k = q + 1;
      for (; k + 1 < p; k += 2) {
        const a = l[lp + k];
        const c = l[lp + k + 1];
        odd -= a * wt[rq + k];
        even -= c * wt[rq + k + 1];
        evenN -= a * wt[rn + k];
        oddN -= c * wt[rn + k + 1];
      }
      if (k < p) {
        odd -= l[lp + k] * wt[rq + k];
        evenN -= l[lp + k] * wt[rn + k];
      }
      wt[rq + p] = (even + odd) / lpp;
      wt[rn + p] = (evenN + oddN) / lpp;
    }
    if (q <= p) {
      const rq = q * d;
      let even = p === q ? 1 : 0;
      let odd = 0;
      let k = q;
      for (; k + 1 < p; k += 2) {
        even -= l[lp + k] * wt[rq + k];
        odd -= l[lp + k + 1] * wt[rq + k + 1];
      }
      if (k < p) even -= l[lp + k] * wt[rq + k];
      wt[rq + p] = (even + odd) / lpp;
    }
  }
}

/**
 * For c in [0, count): out[oo + c * os] = sum over k in [k0, k1) of x[xo + k] * y[yo + c * d + k]:
 * one row of x against `count` consecutive rows of y (row stride d), four rows at a time.
 */
export function rowDots(
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
  d: number,
  count: number,
  k0: number,
  k1: number,
  out: Float64Array,
  oo: number,
  os: number,
): void {
  let c = 0;
  for (; c + 3 < count; c += 4) {
    const y0 = yo + c * d;
    const y1 = y0 + d;
    const y2 = y1 + d;
    const y3 = y2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = k0; k < k1; k++) {
      const xk = x[xo + k];
      s0 += xk * y[y0 + k];
      s1 += xk * y[y1 + k];
      s2 += xk * y[y2 + k];
      s3 += xk * y[y3 + k];
    }
    const o = oo + c * os;
    out[o] = s0;
    out[o + os] = s1;
    out[o + 2 * os] = s2;
    out[o + 3 * os] = s3;
  }
  for (; c < count; c++) {
    const yc = yo + c * d;
    let s = 0;
    for (let k = k0; k < k1; k++) s += x[xo + k] * y[yc + k];
    out[oo + c * os] = s;
  }
}

/** Which rows of y a row o of a `products` output takes: all d, rows 0..o, or rows o..d-1. */
export type RowRange = 'all' | 'upTo' | 'from';
/** Which k a `products` dot product of output row o sums: all d, 0..o, or o..d-1. */
export type TermRange = 'all' | 'head' | 'tail';

/**
 * Row o of x (from xo) against rows `rows` of y (from yo), over terms `terms`, for every o in [0,
 * d): out[o * d + c] for row c of y, or out[c * d + o] when `transposed`. One call per matrix
 * product rather than one per row.
 */
export function products(
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
  d: number,
  rows: RowRange,
  terms: TermRange,
  out: Float64Array,
  transposed: boolean,
): void {
  for (let o = 0; o < d; o++) {
    const c0 = rows === 'from' ? o : 0;
    const c1 = rows === 'upTo' ? o + 1 : d;
    const k0 = terms === 'tail' ? o : 0;
    const k1 = terms === 'head' ? o + 1 : d;
    if (transposed) rowDots(x, xo + o * d, y, yo + c0 * d, d, c1 - c0, k0, k1, out, c0 * d + o, d);
    else rowDots(x, xo + o * d, y, yo + c0 * d, d, c1 - c0, k0, k1, out, o * d + c0, 1);
  }
}
