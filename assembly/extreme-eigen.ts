// src/ground/dense64.ts `extremeEigenvalues` (Householder reduction to a tridiagonal matrix, then
// bisection on its Sturm sequence for the two ends of the spectrum), with the same float64
// operations in the same order for every value, so both give the same bits. Where it differs:
// - A v reads the matrix by columns, two rows per f64x2 (row i's sum over j reads a_ji, which is
//   a_ij: the matrix is symmetric to the bit, as gram, triangularGram and symmetrizeLower make it,
//   and each rank-2 update keeps it so, since v_i w_j + w_i v_j and v_j w_i + w_j v_i are the same
//   two products added in either order). Each row's sum stays sequential in j.
// - The rank-2 update runs two entries of a row per f64x2 (each entry on its own).
// - The two bisections run side by side (each its own sequence of midpoints): their Sturm counts'
//   chains of divisions overlap instead of waiting on each other.

// @ts-ignore: decorator
@inline
function f(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}

// @ts-ignore: decorator
@inline
function set(p: usize, i: i32, x: f64): void {
  store<f64>(p + ((<usize>i) << 3), x);
}

/**
 * The smallest and largest eigenvalues of the symmetric d x d float64 matrix at a (overwritten),
 * into out[0] and out[1]. scratch: 5 d float64.
 */
export function extremeEigen(d: i32, a: usize, scratch: usize, out: usize): void {
  const diag = scratch;
  const off = scratch + ((<usize>d) << 3); // off[k]: entry (k + 1, k) of the tridiagonal matrix
  const v = off + ((<usize>d) << 3);
  const w = v + ((<usize>d) << 3);
  const squares = w + ((<usize>d) << 3); // off[k - 1]^2, for the Sturm counts
  const two = f64x2.splat(2);
  for (let k = 0; k < d - 2; k++) {
    const k1 = k + 1;
    let norm: f64 = 0;
    for (let i = k1; i < d; i++) {
      const x = f(a, i * d + k);
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    const alpha = f(a, k1 * d + k) > 0 ? -norm : norm;
    set(off, k, alpha);
    let vv: f64 = 0;
    for (let i = k1; i < d; i++) {
      const x = f(a, i * d + k) - (i == k1 ? alpha : 0);
      set(v, i, x);
      vv += x * x;
    }
    if (vv == 0) continue; // the column is zero already
    const vn = Math.sqrt(vv);
    for (let i = k1; i < d; i++) set(v, i, f(v, i) / vn);
    // w = A v, four rows, then two, then one at a time; vav's sum in row order.
    let vav: f64 = 0;
    let i = k1;
    for (; i + 3 < d; i += 4) {
      let t0 = f64x2.splat(0);
      let t1 = f64x2.splat(0);
      for (let j = k1; j < d; j++) {
        const col = a + ((<usize>(j * d + i)) << 3);
        const vj = f64x2.splat(f(v, j));
        t0 = f64x2.add(t0, f64x2.mul(v128.load(col), vj));
        t1 = f64x2.add(t1, f64x2.mul(v128.load(col, 16), vj));
      }
      v128.store(w + ((<usize>i) << 3), t0);
      v128.store(w + ((<usize>i) << 3), t1, 16);
      vav += f(v, i) * f64x2.extract_lane(t0, 0);
      vav += f(v, i + 1) * f64x2.extract_lane(t0, 1);
      vav += f(v, i + 2) * f64x2.extract_lane(t1, 0);
      vav += f(v, i + 3) * f64x2.extract_lane(t1, 1);
    }
    for (; i + 1 < d; i += 2) {
      let t0 = f64x2.splat(0);
      for (let j = k1; j < d; j++)
        t0 = f64x2.add(t0, f64x2.mul(v128.load(a + ((<usize>(j * d + i)) << 3)), f64x2.splat(f(v, j))));
      v128.store(w + ((<usize>i) << 3), t0);
      vav += f(v, i) * f64x2.extract_lane(t0, 0);
      vav += f(v, i + 1) * f64x2.extract_lane(t0, 1);
    }
    if (i < d) {
      let t: f64 = 0;
      for (let j = k1; j < d; j++) t += f(a, j * d + i) * f(v, j);
      set(w, i, t);
      vav += f(v, i) * t;
    }
    for (let r = k1; r < d; r++) set(w, r, f(w, r) - vav * f(v, r));
    // A <- A - 2 (v w^T + w v^T) on the trailing block.
    for (let r = k1; r < d; r++) {
      const vr = f(v, r);
      const wr = f(w, r);
      const vr2 = f64x2.splat(vr);
      const wr2 = f64x2.splat(wr);
      const row = a + ((<usize>(r * d)) << 3);
      let j = k1;
      for (; j + 1 < d; j += 2) {
        const at = row + ((<usize>j) << 3);
        const o = (<usize>j) << 3;
        const s = f64x2.add(f64x2.mul(vr2, v128.load(w + o)), f64x2.mul(wr2, v128.load(v + o)));
        v128.store(at, f64x2.sub(v128.load(at), f64x2.mul(two, s)));
      }
      if (j < d) set(row, j, f(row, j) - 2 * (vr * f(w, j) + wr * f(v, j)));
    }
  }
  for (let k = 0; k < d; k++) set(diag, k, f(a, k * d + k));
  if (d >= 2) set(off, d - 2, f(a, (d - 1) * d + d - 2));
  // Gershgorin's interval for the tridiagonal matrix holds the whole spectrum.
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < d; k++) {
    const r = (k > 0 ? Math.abs(f(off, k - 1)) : 0) + (k < d - 1 ? Math.abs(f(off, k)) : 0);
    lo = Math.min(lo, f(diag, k) - r);
    hi = Math.max(hi, f(diag, k) + r);
  }
  for (let k = 1; k < d; k++) set(squares, k, f(off, k - 1) * f(off, k - 1));
  // Bisection for the smallest x with at least 1 (then d) eigenvalues at or below it, to float64
  // resolution, each in at most 2100 halvings, as nth does.
  let a1 = lo;
  let b1 = hi;
  let a2 = lo;
  let b2 = hi;
  let steps1 = 0;
  let steps2 = 0;
  let live1 = true;
  let live2 = true;
  while (live1 || live2) {
    let mid1: f64 = 0;
    let mid2: f64 = 0;
    if (live1) {
      mid1 = a1 + (b1 - a1) / 2;
      if (steps1++ >= 2100 || mid1 <= a1 || mid1 >= b1) live1 = false;
    }
    if (live2) {
      mid2 = a2 + (b2 - a2) / 2;
      if (steps2++ >= 2100 || mid2 <= a2 || mid2 >= b2) live2 = false;
    }
    if (!live1 && !live2) break;
    // The Sturm counts (eigenvalues below mid) of both midpoints in one pass; a finished search's
    // count is computed and dropped.
    let c1 = 0;
    let c2 = 0;
    let q1: f64 = 1;
    let q2: f64 = 1;
    for (let k = 0; k < d; k++) {
      const dk = f(diag, k);
      const e2 = k > 0 ? f(squares, k) : 0;
      q1 = dk - mid1 - (k > 0 ? e2 / q1 : 0);
      q2 = dk - mid2 - (k > 0 ? e2 / q2 : 0);
      if (q1 == 0) q1 = 5e-324 * (1 + Math.abs(mid1));
      if (q2 == 0) q2 = 5e-324 * (1 + Math.abs(mid2));
      if (q1 < 0) c1++;
      if (q2 < 0) c2++;
    }
    if (live1) {
      if (c1 >= 1) b1 = mid1;
      else a1 = mid1;
    }
    if (live2) {
      if (c2 >= d) b2 = mid2;
      else a2 = mid2;
    }
  }
  store<f64>(out, b1);
  store<f64>(out, b2, 8);
}

/**
 * The extreme eigenvalues of L L^T for the float64 factor L at l (d x d row-major) into out, as
 * `extremeEigen` of the product ground/triangular-bounds.ts `triangularGram` forms where L's
 * lower triangle is finite (its upper triangle not read), else of dense64's `gram` (every entry
 * read): the same float64 operations in the same order, so the same bits. Into a the product
 * (overwritten), t d x d float64 of scratch (L transposed), scratch as `extremeEigen`'s.
 */
export function extremeEigenOfFactor(d: i32, l: usize, a: usize, t: usize, scratch: usize, out: usize): void {
  // triangularGram's test, its sum of 0 x each entry: NaN where one is not finite.
  let check: f64 = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) check += 0 * f(l, i * d + j);
  if (check == 0) lowerGram(d, l, a, t);
  else fullGram(d, l, a);
  extremeEigen(d, a, scratch, out);
}

/**
 * triangularGram: entry (i, j), j <= i, the sum over k <= j of l_ik l_jk in ascending k, into a
 * at (i, j) and (j, i). Four entries of a row at a time, j to j + 3, each its own sum in a lane
 * of two f64x2 (four chains of additions side by side, not one): the terms k <= j of all four
 * (the l_jk of the four rows side by side in L transposed, at t), then each one's remaining
 * terms in ascending k; the rest of the row one entry at a time.
 */
// @ts-ignore: decorator
@inline
function lowerGram(d: i32, l: usize, a: usize, t: usize): void {
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) set(t, j * d + i, f(l, i * d + j));
  for (let i = 0; i < d; i++) {
    const li = l + ((<usize>(i * d)) << 3);
    let j = 0;
    for (; j + 3 <= i; j += 4) {
      let s0 = f64x2.splat(0);
      let s1 = f64x2.splat(0);
      for (let k = 0; k <= j; k++) {
        const x = f64x2.splat(f(li, k));
        const tk = t + ((<usize>(k * d + j)) << 3);
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(tk)));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(tk, 16)));
      }
      entry(d, a, i, j, f64x2.extract_lane(s0, 0));
      finish(d, a, l, i, j, 1, f64x2.extract_lane(s0, 1));
      finish(d, a, l, i, j, 2, f64x2.extract_lane(s1, 0));
      finish(d, a, l, i, j, 3, f64x2.extract_lane(s1, 1));
    }
    for (; j <= i; j++) {
      let e: f64 = 0;
      for (let k = 0; k <= j; k++) e += f(li, k) * f(l, j * d + k);
      entry(d, a, i, j, e);
    }
  }
}

/**
 * `lowerGram`'s entry (i, j + q) from its sum e of the terms k <= j: the terms k = j + 1 .. j + q
 * added in ascending k, into a at (i, j + q) and (j + q, i).
 */
// @ts-ignore: decorator
@inline
function finish(d: i32, a: usize, l: usize, i: i32, j: i32, q: i32, e: f64): void {
  for (let k = j + 1; k <= j + q; k++) e += f(l, i * d + k) * f(l, (j + q) * d + k);
  entry(d, a, i, j + q, e);
}

/** Entry (i, j) and (j, i) of the d x d matrix at a. */
// @ts-ignore: decorator
@inline
function entry(d: i32, a: usize, i: i32, j: i32, x: f64): void {
  set(a, i * d + j, x);
  set(a, j * d + i, x);
}

/** dense64's `gram`: entry (i, j) the sum over every k of l_ik l_jk in ascending k. */
// @ts-ignore: decorator
@inline
function fullGram(d: i32, l: usize, a: usize): void {
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let e: f64 = 0;
      for (let k = 0; k < d; k++) e += f(l, i * d + k) * f(l, j * d + k);
      set(a, i * d + j, e);
    }
}
