import { dotRowPair, dotRows } from './triangular';

// Cholesky forward, columns of the float64 factor kept column-major (wt[k * d + i] = L_ik) so
// that each column's update is over contiguous rows, two rows per f64x2.

/**
 * The factor of the float32 symmetric a (row-major; its lower triangle is read, and a_j(j+1),
 * whose sum is thrown away) into l (float32, row-major, zeros above the diagonal), pivots into piv: ops/cholesky-kernel.ts's
 * forward bit for bit. Each entry is a_ij (widened) minus L_ik L_jk for k ascending, then divided
 * by L_jj = sqrt of its column's pivot (the diagonal entry's own such sum). Columns j and j + 1
 * a pass (pairSums): their sums over k < j share each load of L_ik, eight rows at a time, with
 * no column waiting on the one before; then column j's pivot and quotients, column j + 1's last
 * term k = j, its pivot and quotients. Returns the first column whose pivot (as float32) is not
 * > 0, with the pivots up to it and the columns before it written; else d.
 */
export function choleskyForward(d: i32, a: usize, l: usize, piv: usize, wt: usize): i32 {
  const rs = (<usize>d) << 3;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    pairSums(d, a, wt, j);
    const cj = wt + <usize>j * rs;
    if (!finishColumn(d, cj, piv, j)) return j;
    // Column j + 1's term k = j: L_i(j+1) -= L_ij L_(j+1)j, rows i > j (the diagonal's too).
    const cn = cj + rs;
    const c = load<f64>(cj + ((<usize>(j + 1)) << 3));
    const q = f64x2.splat(c);
    let i = j + 1;
    for (; i + 1 < d; i += 2) {
      const at = (<usize>i) << 3;
      v128.store(cn + at, f64x2.sub(v128.load(cn + at), f64x2.mul(v128.load(cj + at), q)));
    }
    if (i < d) {
      const at = (<usize>i) << 3;
      store<f64>(cn + at, load<f64>(cn + at) - load<f64>(cj + at) * c);
    }
    if (!finishColumn(d, cn, piv, j + 1)) return j + 1;
  }
  if (j < d) {
    // The last column, alone (d odd): its one row's sum.
    const cj = wt + <usize>j * rs;
    const jj = (<usize>j) << 3;
    let s: f64 = <f64>load<f32>(a + ((<usize>(j * d + j)) << 2));
    for (let k = 0; k < j; k++) {
      const w = load<f64>(wt + <usize>k * rs + jj);
      s -= w * w;
    }
    store<f64>(cj + jj, s);
    if (!finishColumn(d, cj, piv, j)) return j;
  }
  narrowFactor(d, wt, l);
  return d;
}

/**
 * l[i d + j] = L_ij as float32 (row-major, zeros above the diagonal) from the float64 columns at
 * wt (wt[j d + i] = L_ij): rows i, i + 1 a pass, in 2 x 2 tiles (columns j, j + 1 of the two rows,
 * transposed by shuffles and narrowed as a pair), where an element at a time, reading down a
 * column, cost a fifth of the factor's time at d = 64.
 */
// @ts-ignore: decorator
@inline
function narrowFactor(d: i32, wt: usize, l: usize): void {
  const rs = (<usize>d) << 3;
  const rf = (<usize>d) << 2;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const li = l + <usize>i * rf;
    const ci = wt + ((<usize>i) << 3);
    for (let j = 0; j < i; j += 2) {
      const a = v128.load(ci + <usize>j * rs);
      const b = v128.load(ci + <usize>(j + 1) * rs);
      const at = li + ((<usize>j) << 2);
      v128.store64_lane(at, f32x4.demote_f64x2_zero(v128.shuffle<f64>(a, b, 0, 2)), 0);
      v128.store64_lane(at + rf, f32x4.demote_f64x2_zero(v128.shuffle<f64>(a, b, 1, 3)), 0);
    }
    // The diagonal tile: L_ii, 0; L_(i+1)i, L_(i+1)(i+1).
    const a = v128.load(ci + <usize>i * rs);
    const at = li + ((<usize>i) << 2);
    store<f32>(at, <f32>f64x2.extract_lane(a, 0));
    store<f32>(at, 0, 4);
    store<f32>(at + rf, <f32>f64x2.extract_lane(a, 1));
    store<f32>(at + rf, <f32>load<f64>(ci + <usize>(i + 1) * rs, 8), 4);
    // Zeros right of the tile, in both rows.
    let j = i + 2;
    for (; j + 3 < d; j += 4) {
      v128.store(li + ((<usize>j) << 2), zero);
      v128.store(li + rf + ((<usize>j) << 2), zero);
    }
    for (; j < d; j++) {
      store<f32>(li + ((<usize>j) << 2), 0);
      store<f32>(li + rf + ((<usize>j) << 2), 0);
    }
  }
  if (i < d)
    for (let j = 0; j <= i; j++) store<f32>(l + ((<usize>(i * d + j)) << 2), <f32>load<f64>(wt + <usize>j * rs + ((<usize>i) << 3)));
}

/**
 * Column j's pivot from its sum at row j (column cj of wt, rows i >= j summed): stored as float32
 * into piv; if it is > 0, L_jj = sqrt(sum) and L_ij = sum_i / L_jj below it. Returns whether it was.
 */
// @ts-ignore: decorator
@inline
function finishColumn(d: i32, cj: usize, piv: usize, j: i32): bool {
  const s = load<f64>(cj + ((<usize>j) << 3));
  const pivot = <f32>s;
  store<f32>(piv + ((<usize>j) << 2), pivot);
  if (!(pivot > 0)) return false;
  const ljj = Math.sqrt(s);
  store<f64>(cj + ((<usize>j) << 3), ljj);
  const q = f64x2.splat(ljj);
  let i = j + 1;
  for (; i + 1 < d; i += 2) {
    const at = cj + ((<usize>i) << 3);
    v128.store(at, f64x2.div(v128.load(at), q));
  }
  if (i < d) {
    const at = cj + ((<usize>i) << 3);
    store<f64>(at, load<f64>(at) / ljj);
  }
  return true;
}

/**
 * The sums a_ic - sum_{k < j} L_ik L_ck for c = j, j + 1 and every row i >= j, into columns j and
 * j + 1 of wt (row j of column j + 1 is above the diagonal: written, never read). Eight rows a
 * pass (four f64x2 a column), then two, then one.
 */
// @ts-ignore: decorator
@inline
function pairSums(d: i32, a: usize, wt: usize, j: i32): void {
  const rs = (<usize>d) << 3;
  const rf = (<usize>d) << 2;
  const cj = wt + <usize>j * rs;
  const cn = cj + rs;
  // L_jk and L_(j+1)k at lk + k rs, neighbours.
  const lk = wt + ((<usize>j) << 3);
  const aj = a + ((<usize>j) << 2);
  let i = j;
  for (; i + 7 < d; i += 8) {
    // Rows i .. i + 7 of a's columns j, j + 1: a pair per row, regrouped as two rows per column.
    const ai = aj + <usize>i * rf;
    const r0 = f64x2.promote_low_f32x4(v128.load64_zero(ai));
    const r1 = f64x2.promote_low_f32x4(v128.load64_zero(ai + rf));
    const r2 = f64x2.promote_low_f32x4(v128.load64_zero(ai + 2 * rf));
    const r3 = f64x2.promote_low_f32x4(v128.load64_zero(ai + 3 * rf));
    const r4 = f64x2.promote_low_f32x4(v128.load64_zero(ai + 4 * rf));
    const r5 = f64x2.promote_low_f32x4(v128.load64_zero(ai + 5 * rf));
    const r6 = f64x2.promote_low_f32x4(v128.load64_zero(ai + 6 * rf));
    const r7 = f64x2.promote_low_f32x4(v128.load64_zero(ai + 7 * rf));
    let t0 = v128.shuffle<f64>(r0, r1, 0, 2);
    let t1 = v128.shuffle<f64>(r2, r3, 0, 2);
    let t2 = v128.shuffle<f64>(r4, r5, 0, 2);
    let t3 = v128.shuffle<f64>(r6, r7, 0, 2);
    let u0 = v128.shuffle<f64>(r0, r1, 1, 3);
    let u1 = v128.shuffle<f64>(r2, r3, 1, 3);
    let u2 = v128.shuffle<f64>(r4, r5, 1, 3);
    let u3 = v128.shuffle<f64>(r6, r7, 1, 3);
    let ck = wt + ((<usize>i) << 3);
    let kp = lk;
    for (let k = 0; k < j; k++) {
      const p = v128.load64_splat(kp);
      const q = v128.load64_splat(kp, 8);
      const v0 = v128.load(ck);
      const v1 = v128.load(ck, 16);
      const v2 = v128.load(ck, 32);
      const v3 = v128.load(ck, 48);
      t0 = f64x2.sub(t0, f64x2.mul(v0, p));
      t1 = f64x2.sub(t1, f64x2.mul(v1, p));
      t2 = f64x2.sub(t2, f64x2.mul(v2, p));
      t3 = f64x2.sub(t3, f64x2.mul(v3, p));
      u0 = f64x2.sub(u0, f64x2.mul(v0, q));
      u1 = f64x2.sub(u1, f64x2.mul(v1, q));
      u2 = f64x2.sub(u2, f64x2.mul(v2, q));
      u3 = f64x2.sub(u3, f64x2.mul(v3, q));
      ck += rs;
      kp += rs;
    }
    const at = (<usize>i) << 3;
    v128.store(cj + at, t0);
    v128.store(cj + at, t1, 16);
    v128.store(cj + at, t2, 32);
    v128.store(cj + at, t3, 48);
    v128.store(cn + at, u0);
    v128.store(cn + at, u1, 16);
    v128.store(cn + at, u2, 32);
    v128.store(cn + at, u3, 48);
  }
  for (; i + 1 < d; i += 2) {
    const ai = aj + <usize>i * rf;
    const r0 = f64x2.promote_low_f32x4(v128.load64_zero(ai));
    const r1 = f64x2.promote_low_f32x4(v128.load64_zero(ai + rf));
    let t = v128.shuffle<f64>(r0, r1, 0, 2);
    let u = v128.shuffle<f64>(r0, r1, 1, 3);
    let ck = wt + ((<usize>i) << 3);
    let kp = lk;
    for (let k = 0; k < j; k++) {
      const v = v128.load(ck);
      t = f64x2.sub(t, f64x2.mul(v, v128.load64_splat(kp)));
      u = f64x2.sub(u, f64x2.mul(v, v128.load64_splat(kp, 8)));
      ck += rs;
      kp += rs;
    }
    const at = (<usize>i) << 3;
    v128.store(cj + at, t);
    v128.store(cn + at, u);
  }
  if (i < d) {
    const ai = aj + <usize>i * rf;
    let t: f64 = <f64>load<f32>(ai);
    let u: f64 = <f64>load<f32>(ai, 4);
    for (let k = 0; k < j; k++) {
      const v = load<f64>(wt + <usize>k * rs + ((<usize>i) << 3));
      t -= v * load<f64>(lk + <usize>k * rs);
      u -= v * load<f64>(lk + <usize>k * rs, 8);
    }
    const at = (<usize>i) << 3;
    store<f64>(cj + at, t);
    store<f64>(cn + at, u);
  }
}

/**
 * The symmetric gradient abar = sym(L^-T Phi L^-1), Phi = tril(L^T Lbar) with its diagonal
 * halved, of the float32 factor at l and the lower triangle of lbar (float32, row-major), into
 * abar (float32, full): CholeskyKernel.backward's float64 operations in its order. s: scratch of
 * 3 d^2 + 6 d float64 (L^T, Lbar, the working matrix, two rows and dotRowPair's 4 d).
 */
export function choleskyBackward(d: i32, l: usize, lbar: usize, abar: usize, s: usize): void {
  const rs = (<usize>d) << 3;
  const dd = <usize>d * rs;
  const lt = s;
  const lb = lt + dd;
  const gt = lb + dd;
  const rowA = gt + dd;
  const rowB = rowA + rs;
  const sp = rowB + rs;
  widen(d, l, lbar, lt, lb);
  phiTransposed(d, lt, lb, gt, rowA, rowB, sp);
  backSubstitute(d, lt, gt);
  // M row-major into lb (Lbar is done with), zero above the diagonal.
  const g = lb;
  copyM(d, gt, g);
  solveTransposed(d, lt, g);
  symmetrize(d, g, abar);
}

/**
 * g[r d + c] = M_rc for c <= r (from M^T at gt), 0 above the diagonal: rows r, r + 1 a pass, in
 * 2 x 2 tiles transposed by shuffles.
 */
// @ts-ignore: decorator
@inline
function copyM(d: i32, gt: usize, g: usize): void {
  const rs = (<usize>d) << 3;
  const zero = f64x2.splat(0);
  let r = 0;
  for (; r + 1 < d; r += 2) {
    const gr = g + <usize>r * rs;
    const tr = gt + ((<usize>r) << 3);
    let c = 0;
    for (; c < r; c += 2) {
      const b0 = v128.load(tr + <usize>c * rs);
      const b1 = v128.load(tr + <usize>(c + 1) * rs);
      const at = gr + ((<usize>c) << 3);
      v128.store(at, v128.shuffle<f64>(b0, b1, 0, 2));
      v128.store(at + rs, v128.shuffle<f64>(b0, b1, 1, 3));
    }
    // The diagonal tile: M_rr, 0; M_(r+1)r, M_(r+1)(r+1).
    const b0 = v128.load(tr + <usize>r * rs);
    const at = gr + ((<usize>r) << 3);
    v128.store(at, f64x2.replace_lane(b0, 1, 0));
    v128.store(at + rs, f64x2(f64x2.extract_lane(b0, 1), load<f64>(tr + <usize>(r + 1) * rs, 8)));
    for (c = r + 2; c + 1 < d; c += 2) {
      v128.store(gr + ((<usize>c) << 3), zero);
      v128.store(gr + rs + ((<usize>c) << 3), zero);
    }
    if (c < d) {
      store<f64>(gr + ((<usize>c) << 3), 0);
      store<f64>(gr + rs + ((<usize>c) << 3), 0);
    }
  }
  if (r < d)
    for (let c = 0; c < d; c++) store<f64>(g + <usize>r * rs + ((<usize>c) << 3), c <= r ? load<f64>(gt + <usize>c * rs + ((<usize>r) << 3)) : 0);
}

/**
 * abar_rc = (S_rc + S_cr) / 2 (float32) from S row-major at g, in 2 x 2 tiles: rows r, r + 1 of
 * S against the same two columns' rows, transposed by shuffles. The halving is a multiply by
 * 0.5: the same exact quotient, so the same rounding, without the slow divide.
 */
// @ts-ignore: decorator
@inline
function symmetrize(d: i32, g: usize, abar: usize): void {
  const rs = (<usize>d) << 3;
  const rf = (<usize>d) << 2;
  const half = f64x2.splat(0.5);
  let r = 0;
  for (; r + 1 < d; r += 2) {
    const gr = g + <usize>r * rs;
    const ar = abar + <usize>r * rf;
    let c = 0;
    for (; c + 1 < d; c += 2) {
      const gc = g + <usize>c * rs + ((<usize>r) << 3);
      const a0 = v128.load(gr + ((<usize>c) << 3));
      const a1 = v128.load(gr + rs + ((<usize>c) << 3));
      const b0 = v128.load(gc);
      const b1 = v128.load(gc + rs);
      const t0 = v128.shuffle<f64>(b0, b1, 0, 2);
      const t1 = v128.shuffle<f64>(b0, b1, 1, 3);
      const at = ar + ((<usize>c) << 2);
      v128.store64_lane(at, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.add(a0, t0), half)), 0);
      v128.store64_lane(at + rf, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.add(a1, t1), half)), 0);
    }
    if (c < d) {
      const gc = g + <usize>c * rs + ((<usize>r) << 3);
      const at = ar + ((<usize>c) << 2);
      store<f32>(at, <f32>((load<f64>(gr + ((<usize>c) << 3)) + load<f64>(gc)) * 0.5));
      store<f32>(at + rf, <f32>((load<f64>(gr + rs + ((<usize>c) << 3)) + load<f64>(gc, 8)) * 0.5));
    }
  }
  if (r < d)
    for (let c = 0; c < d; c++)
      store<f32>(
        abar + ((<usize>(r * d + c)) << 2),
        <f32>((load<f64>(g + <usize>r * rs + ((<usize>c) << 3)) + load<f64>(g + <usize>c * rs + ((<usize>r) << 3))) * 0.5),
      );
}

/**
 * L^T (lt[j d + i] = L_ij, j <= i) and Lbar's lower triangle (row-major) in float64 from the
 * float32 factor and cotangent, rows i, i + 1 a pass, L's 2 x 2 tiles transposed by shuffles
 * (the diagonal tile also writes L_i(i+1) below lt's diagonal, which nothing reads). Lbar's upper
 * triangle is zeroed: the paired Phi rows read it for outputs nobody uses, and old scratch there
 * could be subnormal (slow) numbers.
 */
// @ts-ignore: decorator
@inline
function widen(d: i32, l: usize, lbar: usize, lt: usize, lb: usize): void {
  const rs = (<usize>d) << 3;
  const rf = (<usize>d) << 2;
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const li = l + <usize>i * rf;
    const bi = lbar + <usize>i * rf;
    const ti = lt + ((<usize>i) << 3);
    const gi = lb + <usize>i * rs;
    let j = 0;
    for (; j <= i; j += 2) {
      const f = (<usize>j) << 2;
      const a = f64x2.promote_low_f32x4(v128.load64_zero(li + f));
      const b = f64x2.promote_low_f32x4(v128.load64_zero(li + rf + f));
      v128.store(ti + <usize>j * rs, v128.shuffle<f64>(a, b, 0, 2));
      v128.store(ti + <usize>(j + 1) * rs, v128.shuffle<f64>(a, b, 1, 3));
      const at = gi + ((<usize>j) << 3);
      v128.store(at, f64x2.promote_low_f32x4(v128.load64_zero(bi + f)));
      v128.store(at + rs, f64x2.promote_low_f32x4(v128.load64_zero(bi + rf + f)));
    }
    // The diagonal tile's Lbar_i(i+1), above the diagonal.
    store<f64>(gi + ((<usize>(i + 1)) << 3), 0);
    for (; j + 1 < d; j += 2) {
      const at = gi + ((<usize>j) << 3);
      v128.store(at, zero);
      v128.store(at + rs, zero);
    }
    if (j < d) {
      store<f64>(gi + ((<usize>j) << 3), 0);
      store<f64>(gi + rs + ((<usize>j) << 3), 0);
    }
  }
  if (i < d)
    for (let j = 0; j <= i; j++) {
      const at = (<usize>(i * d + j)) << 2;
      store<f64>(lt + <usize>j * rs + ((<usize>i) << 3), <f64>load<f32>(l + at));
      store<f64>(lb + <usize>i * rs + ((<usize>j) << 3), <f64>load<f32>(lbar + at));
    }
}

/**
 * Phi_ic = sum_{k >= i} L_ki Lbar_kc for c <= i (row i of L^T against Lbar's rows), diagonal
 * halved, kept transposed (gt[c d + i] = Phi_ic, column i of Phi^T) for the solve that follows.
 * Rows i and i + 1 a pass (dotRowPair): row i takes its term k = i first, then both the terms
 * k > i; the pass covers c up to a whole block of eight past i + 1 (Lbar's zeroed upper
 * triangle), outputs past a row's own range being left unread in rowA / rowB.
 */
// @ts-ignore: decorator
@inline
function phiTransposed(d: i32, lt: usize, lb: usize, gt: usize, rowA: usize, rowB: usize, sp: usize): void {
  const rs = (<usize>d) << 3;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const xa = lt + <usize>i * rs;
    dotRowPair(xa, xa + rs, 8, lb, d, i + 1, d, 0, min(d, (i + 5) & ~3), rowA, rowB, true, false, sp);
    // Columns i and i + 1 of Phi^T are neighbours: one f64x2 per row c < i, two rows a pass
    // (rowA's and rowB's entries c, c + 1 transposed by shuffles; i is even).
    const ci = gt + ((<usize>i) << 3);
    for (let c = 0; c < i; c += 2) {
      const at = (<usize>c) << 3;
      const a = v128.load(rowA + at);
      const b = v128.load(rowB + at);
      v128.store(ci + <usize>c * rs, v128.shuffle<f64>(a, b, 0, 2));
      v128.store(ci + <usize>(c + 1) * rs, v128.shuffle<f64>(a, b, 1, 3));
    }
    const at = (<usize>i) << 3;
    v128.store(ci + <usize>i * rs, f64x2(load<f64>(rowA + at) / 2, load<f64>(rowB + at)));
    store<f64>(ci + <usize>(i + 1) * rs, load<f64>(rowB + at, 8) / 2, 8);
  }
  if (i < d) {
    dotRows(lt + <usize>i * rs, 8, lb, d, i, d, 0, i + 1, rowA);
    const ci = gt + ((<usize>i) << 3);
    for (let c = 0; c < i; c++) store<f64>(ci + <usize>c * rs, load<f64>(rowA + ((<usize>c) << 3)));
    store<f64>(ci + <usize>i * rs, load<f64>(rowA + ((<usize>i) << 3)) / 2);
  }
}

/**
 * M_rj for the rows r in [j, last] of a block whose own triangle holds column j (j above the
 * block's first row): entry by entry, each row's terms k = j + 1 .. r ascending.
 */
// @ts-ignore: decorator
@inline
function triangleColumn(d: i32, lt: usize, gt: usize, j: i32, last: i32): void {
  const rs = (<usize>d) << 3;
  const lj = lt + <usize>j * rs;
  const ljj = load<f64>(lj + ((<usize>j) << 3));
  for (let r = j; r <= last; r++) {
    const cr = gt + ((<usize>r) << 3);
    let t = load<f64>(cr + <usize>j * rs);
    for (let k = j + 1; k <= r; k++) t -= load<f64>(cr + <usize>k * rs) * load<f64>(lj + ((<usize>k) << 3));
    store<f64>(cr + <usize>j * rs, t / ljj);
  }
}

/** v - m L (f64x2): one term of two rows' sums. */
// @ts-ignore: decorator
@inline
function term(v: v128, m: usize, l: f64): v128 {
  return f64x2.sub(v, f64x2.mul(v128.load(m), f64x2.splat(l)));
}

/** v's second lane minus m L, its first lane kept: a term that only the pair's lower row takes. */
// @ts-ignore: decorator
@inline
function termHigh(v: v128, m: usize, l: f64): v128 {
  return f64x2.replace_lane(v, 1, f64x2.extract_lane(v, 1) - load<f64>(m, 8) * l);
}

/** Column j <= i of the eight rows i .. i + 7: the terms k <= i for all of them, then the block's own. */
// @ts-ignore: decorator
@inline
function column8(d: i32, lt: usize, gt: usize, i: i32, j: i32): void {
  const rs = (<usize>d) << 3;
  const lj = lt + <usize>j * rs;
  const cj = gt + ((<usize>i) << 3) + <usize>j * rs;
  let v0 = v128.load(cj);
  let v1 = v128.load(cj, 16);
  let v2 = v128.load(cj, 32);
  let v3 = v128.load(cj, 48);
  let mk = cj + rs;
  for (let k = j + 1; k <= i; k++) {
    const a = v128.load64_splat(lj + ((<usize>k) << 3));
    v0 = f64x2.sub(v0, f64x2.mul(v128.load(mk), a));
    v1 = f64x2.sub(v1, f64x2.mul(v128.load(mk, 16), a));
    v2 = f64x2.sub(v2, f64x2.mul(v128.load(mk, 32), a));
    v3 = f64x2.sub(v3, f64x2.mul(v128.load(mk, 48), a));
    mk += rs;
  }
  // The block's terms k = i + t, t = 1 .. 7 (mk is at row k = i + 1 of M^T).
  const lb = lj + ((<usize>i) << 3);
  let l = load<f64>(lb, 8);
  v0 = termHigh(v0, mk, l);
  v1 = term(v1, mk + 16, l);
  v2 = term(v2, mk + 32, l);
  v3 = term(v3, mk + 48, l);
  mk += rs;
  l = load<f64>(lb, 16);
  v1 = term(v1, mk + 16, l);
  v2 = term(v2, mk + 32, l);
  v3 = term(v3, mk + 48, l);
  mk += rs;
  l = load<f64>(lb, 24);
  v1 = termHigh(v1, mk + 16, l);
  v2 = term(v2, mk + 32, l);
  v3 = term(v3, mk + 48, l);
  mk += rs;
  l = load<f64>(lb, 32);
  v2 = term(v2, mk + 32, l);
  v3 = term(v3, mk + 48, l);
  mk += rs;
  l = load<f64>(lb, 40);
  v2 = termHigh(v2, mk + 32, l);
  v3 = term(v3, mk + 48, l);
  mk += rs;
  v3 = term(v3, mk + 48, load<f64>(lb, 48));
  mk += rs;
  v3 = termHigh(v3, mk + 48, load<f64>(lb, 56));
  const q = v128.load64_splat(lj + ((<usize>j) << 3));
  v128.store(cj, f64x2.div(v0, q));
  v128.store(cj, f64x2.div(v1, q), 16);
  v128.store(cj, f64x2.div(v2, q), 32);
  v128.store(cj, f64x2.div(v3, q), 48);
}

/** column8 for the four rows i .. i + 3. */
// @ts-ignore: decorator
@inline
function column4(d: i32, lt: usize, gt: usize, i: i32, j: i32): void {
  const rs = (<usize>d) << 3;
  const lj = lt + <usize>j * rs;
  const cj = gt + ((<usize>i) << 3) + <usize>j * rs;
  let v0 = v128.load(cj);
  let v1 = v128.load(cj, 16);
  let mk = cj + rs;
  for (let k = j + 1; k <= i; k++) {
    const a = v128.load64_splat(lj + ((<usize>k) << 3));
    v0 = f64x2.sub(v0, f64x2.mul(v128.load(mk), a));
    v1 = f64x2.sub(v1, f64x2.mul(v128.load(mk, 16), a));
    mk += rs;
  }
  const lb = lj + ((<usize>i) << 3);
  let l = load<f64>(lb, 8);
  v0 = termHigh(v0, mk, l);
  v1 = term(v1, mk + 16, l);
  mk += rs;
  v1 = term(v1, mk + 16, load<f64>(lb, 16));
  mk += rs;
  v1 = termHigh(v1, mk + 16, load<f64>(lb, 24));
  const q = v128.load64_splat(lj + ((<usize>j) << 3));
  v128.store(cj, f64x2.div(v0, q));
  v128.store(cj, f64x2.div(v1, q), 16);
}

/** column8 for the two rows i, i + 1 (row i + 1 takes the term k = i + 1 last). */
// @ts-ignore: decorator
@inline
function column2(d: i32, lt: usize, gt: usize, i: i32, j: i32): void {
  const rs = (<usize>d) << 3;
  const lj = lt + <usize>j * rs;
  const cj = gt + ((<usize>i) << 3) + <usize>j * rs;
  let v = v128.load(cj);
  let mk = cj + rs;
  for (let k = j + 1; k <= i; k++) {
    v = term(v, mk, load<f64>(lj + ((<usize>k) << 3)));
    mk += rs;
  }
  v = termHigh(v, mk, load<f64>(lj + ((<usize>(i + 1)) << 3)));
  v128.store(cj, f64x2.div(v, v128.load64_splat(lj + ((<usize>j) << 3))));
}

/** M_ij for the one row i (j <= i). */
// @ts-ignore: decorator
@inline
function column1(d: i32, lt: usize, gt: usize, i: i32, j: i32): void {
  const rs = (<usize>d) << 3;
  const ci = gt + ((<usize>i) << 3);
  const lj = lt + <usize>j * rs;
  let t = load<f64>(ci + <usize>j * rs);
  for (let k = j + 1; k <= i; k++) t -= load<f64>(ci + <usize>k * rs) * load<f64>(lj + ((<usize>k) << 3));
  store<f64>(ci + <usize>j * rs, t / load<f64>(lj + ((<usize>j) << 3)));
}

/**
 * M = Phi L^-1 in gt (M^T: gt[j d + r] = M_rj) by back substitution: M_rj = (Phi_rj - sum_{j <
 * k <= r} M_rk L_kj) / L_jj, j descending, each row on its own (M^T keeps a column's rows
 * neighbours). The rows go in blocks of eight (four f64x2 sums, so the adds of one term do not
 * wait on each other), then four, two, one: for a column j above a block, the terms k <= i for
 * all its rows, then the block's entries k = i + 1.. for the rows at or below k (the pair whose
 * upper row is k - 1 takes the term in its second lane only); a column within a block's own
 * triangle, entry by entry. Column by column, every block of the column before the next column:
 * a column's first term is the column after it, just divided, so block after block (all the
 * columns of a block, then the next block) each column waited on that division and on the chain
 * of its sums before the next could start, where the blocks of one column are independent.
 */
// @ts-ignore: decorator
@inline
function backSubstitute(d: i32, lt: usize, gt: usize): void {
  const n8 = d & ~7;
  let t = n8;
  const i4 = d - t >= 4 ? t : -1;
  if (i4 >= 0) t += 4;
  const i2 = d - t >= 2 ? t : -1;
  if (i2 >= 0) t += 2;
  const i1 = t < d ? t : -1;
  for (let j = d - 1; j >= 0; j--) {
    let i = j < n8 ? j & ~7 : n8;
    if (i < n8) {
      if (j > i) triangleColumn(d, lt, gt, j, i + 7);
      else column8(d, lt, gt, i, j);
      i += 8;
    }
    for (; i < n8; i += 8) column8(d, lt, gt, i, j);
    if (i4 >= 0 && j <= i4 + 3) {
      if (j > i4) triangleColumn(d, lt, gt, j, i4 + 3);
      else column4(d, lt, gt, i4, j);
    }
    if (i2 >= 0 && j <= i2 + 1) {
      if (j > i2) triangleColumn(d, lt, gt, j, i2 + 1);
      else column2(d, lt, gt, i2, j);
    }
    if (i1 >= 0) column1(d, lt, gt, i1, j);
  }
}

/**
 * S = L^-T M in place of M (row-major at g), last row first: S_ij = (M_ij - sum_{k > i} L_ki
 * S_kj) / L_ii, k ascending. Twelve columns of a row a pass (six f64x2 sums: more independent
 * adds per term; at eight sums V8 spills), then eight, four, two, one.
 */
// @ts-ignore: decorator
@inline
function solveTransposed(d: i32, lt: usize, g: usize): void {
  const rs = (<usize>d) << 3;
  for (let r = d - 1; r >= 0; r--) {
    const gr = g + <usize>r * rs;
    const lr = lt + <usize>r * rs;
    const lrr = v128.load64_splat(lr + ((<usize>r) << 3));
    const g1 = g + <usize>(r + 1) * rs;
    let j = 0;
    for (; j + 11 < d; j += 12) {
      const o = gr + ((<usize>j) << 3);
      let s0 = v128.load(o);
      let s1 = v128.load(o, 16);
      let s2 = v128.load(o, 32);
      let s3 = v128.load(o, 48);
      let s4 = v128.load(o, 64);
      let s5 = v128.load(o, 80);
      let gk = g1 + ((<usize>j) << 3);
      for (let k = r + 1; k < d; k++) {
        const a = v128.load64_splat(lr + ((<usize>k) << 3));
        s0 = f64x2.sub(s0, f64x2.mul(a, v128.load(gk)));
        s1 = f64x2.sub(s1, f64x2.mul(a, v128.load(gk, 16)));
        s2 = f64x2.sub(s2, f64x2.mul(a, v128.load(gk, 32)));
        s3 = f64x2.sub(s3, f64x2.mul(a, v128.load(gk, 48)));
        s4 = f64x2.sub(s4, f64x2.mul(a, v128.load(gk, 64)));
        s5 = f64x2.sub(s5, f64x2.mul(a, v128.load(gk, 80)));
        gk += rs;
      }
      v128.store(o, f64x2.div(s0, lrr));
      v128.store(o, f64x2.div(s1, lrr), 16);
      v128.store(o, f64x2.div(s2, lrr), 32);
      v128.store(o, f64x2.div(s3, lrr), 48);
      v128.store(o, f64x2.div(s4, lrr), 64);
      v128.store(o, f64x2.div(s5, lrr), 80);
    }
    if (j + 7 < d) {
      const o = gr + ((<usize>j) << 3);
      let s0 = v128.load(o);
      let s1 = v128.load(o, 16);
      let s2 = v128.load(o, 32);
      let s3 = v128.load(o, 48);
      let gk = g1 + ((<usize>j) << 3);
      for (let k = r + 1; k < d; k++) {
        const a = v128.load64_splat(lr + ((<usize>k) << 3));
        s0 = f64x2.sub(s0, f64x2.mul(a, v128.load(gk)));
        s1 = f64x2.sub(s1, f64x2.mul(a, v128.load(gk, 16)));
        s2 = f64x2.sub(s2, f64x2.mul(a, v128.load(gk, 32)));
        s3 = f64x2.sub(s3, f64x2.mul(a, v128.load(gk, 48)));
        gk += rs;
      }
      v128.store(o, f64x2.div(s0, lrr));
      v128.store(o, f64x2.div(s1, lrr), 16);
      v128.store(o, f64x2.div(s2, lrr), 32);
      v128.store(o, f64x2.div(s3, lrr), 48);
      j += 8;
    }
    if (j + 3 < d) {
      const o = gr + ((<usize>j) << 3);
      let s0 = v128.load(o);
      let s1 = v128.load(o, 16);
      let gk = g1 + ((<usize>j) << 3);
      for (let k = r + 1; k < d; k++) {
        const a = v128.load64_splat(lr + ((<usize>k) << 3));
        s0 = f64x2.sub(s0, f64x2.mul(a, v128.load(gk)));
        s1 = f64x2.sub(s1, f64x2.mul(a, v128.load(gk, 16)));
        gk += rs;
      }
      v128.store(o, f64x2.div(s0, lrr));
      v128.store(o, f64x2.div(s1, lrr), 16);
      j += 4;
    }
    if (j + 1 < d) {
      const o = gr + ((<usize>j) << 3);
      let s0 = v128.load(o);
      let gk = g1 + ((<usize>j) << 3);
      for (let k = r + 1; k < d; k++) {
        s0 = f64x2.sub(s0, f64x2.mul(v128.load64_splat(lr + ((<usize>k) << 3)), v128.load(gk)));
        gk += rs;
      }
      v128.store(o, f64x2.div(s0, lrr));
      j += 2;
    }
    if (j < d) {
      const o = gr + ((<usize>j) << 3);
      let t = load<f64>(o);
      for (let k = r + 1; k < d; k++) t -= load<f64>(lr + ((<usize>k) << 3)) * load<f64>(g + <usize>k * rs + ((<usize>j) << 3));
      store<f64>(o, t / f64x2.extract_lane(lrr, 0));
    }
  }
}
