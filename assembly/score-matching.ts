// One lane of the native score-matching loss and gradient (src/engine/tasks/score-matching-native.ts
// is the reference, and the comments there derive the formulas): the same float64 operations in
// the same order, every product vectorized across its independent outputs (dotRows).
import { dotRowPair, dotRows, inverseInto, pairCopies, pairDots } from './triangular';

/**
 * The loss tr(P R P) / (2n) - tr(P) of the float32 lower factor at l (row-major d x d: of the
 * precision with `precision`, else of the covariance), the lane's scatter c (float64, d x d,
 * symmetric) and e = xbar - mu (float64, d). With `withGrads`, also d loss / d mu into gmu and
 * d loss / d L into dl's lower triangle (float32; the upper triangle is left alone), or with
 * `sigma` (a covariance factor only) d loss / d Sigma into all of dl: the Cholesky backward of
 * that float32 dL (sigmaBackward). s: scratch of 5 d^2 + 6 d float64.
 */
export function scoreMatchingLane(
  d: i32,
  n: f64,
  precision: bool,
  withGrads: bool,
  sigma: bool,
  l: usize,
  c: usize,
  e: usize,
  gmu: usize,
  dl: usize,
  s: usize,
): f64 {
  const rs = (<usize>d) << 3;
  const dd = <usize>d * rs;
  // Row-major W = L^-1 (or L), L^T, P (then dW), P R (then rows of T and of dL^T), G (then T^T);
  // P e; P^2 e; dotRowPair's pairs of copies. dW and T^T take the blocks of matrices no longer
  // read: five blocks, not seven, stay in cache between lanes (L^T stays for sigmaBackward).
  const w = s;
  const lt = w + dd;
  const p = lt + dd;
  const pr = p + dd;
  const g = pr + dd;
  const dw = p;
  const tt = g;
  const pe = g + dd;
  const ppe = pe + rs;
  const sp = ppe + rs;
  if (precision) {
    for (let i = 0; i < d; i++)
      for (let k = 0; k <= i; k++) {
        const v = <f64>load<f32>(l + ((<usize>(i * d + k)) << 2));
        store<f64>(w + <usize>i * rs + ((<usize>k) << 3), v);
        store<f64>(lt + <usize>k * rs + ((<usize>i) << 3), v);
      }
    // P = L L^T: P_oc = sum_{k <= o} L_ok L_ck for c >= o, row o's upper part, then mirrored.
    triangleRows(d, w, 8, rs, lt, false, false, p, sp);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < i; j++) store<f64>(p + <usize>i * rs + ((<usize>j) << 3), load<f64>(p + <usize>j * rs + ((<usize>i) << 3)));
  } else {
    // W = L^-1 from L column-major (lt, L^T row-major, is that layout).
    transposeFactor(d, l, lt);
    inverseInto(d, lt, w);
    // P = W^T W: P_oc = sum_{k >= o} W_ko W_kc for c <= o, row o's lower part, then mirrored.
    triangleRows(d, w, rs, 8, w, true, true, p, sp);
    mirrorLower(d, p);
  }
  // P e, then P R = P C + n (P e) e^T. Where the JavaScript reads a row of P, C or G this reads
  // the column (outputs side by side): the same numbers, as each is symmetric bit for bit (P is
  // mirrored, C_pq and C_qp sum the same products in the same order, and G_ij = G_ji by its
  // formula's commuted add).
  dotRows(e, 8, p, d, 0, d, 0, d, pe);
  // The fit tr(P R P) = sum_k (P R)_k P_k (row-major k) is one chain of dependent adds: it
  // takes each finished row of P R while the next rows' products run.
  let fit: f64 = 0;
  let o = 0;
  for (; o + 1 < d; o += 2) {
    dotRowPair(p + <usize>o * rs, p + <usize>(o + 1) * rs, 8, c, d, 0, d, 0, d, pr + <usize>o * rs, pr + <usize>(o + 1) * rs, false, false, sp);
    fit = finishRow(d, n, o, p, pe, e, pr, fit);
    fit = finishRow(d, n, o + 1, p, pe, e, pr, fit);
  }
  if (o < d) {
    dotRows(p + <usize>o * rs, 8, c, d, 0, d, 0, d, pr + <usize>o * rs);
    fit = finishRow(d, n, o, p, pe, e, pr, fit);
  }
  let trace: f64 = 0;
  for (let k = 0; k < d; k++) trace += load<f64>(p + <usize>k * rs + ((<usize>k) << 3));
  const loss = fit / (2 * n) - trace;
  if (!withGrads) return loss;
  // G = (P R + R P) / (2n) - I.
  gradientOfP(d, n, pr, g);
  // d loss / d mu = -P^2 e.
  dotRows(pe, 8, p, d, 0, d, 0, d, ppe);
  for (let i = 0; i < d; i++) store<f32>(gmu + ((<usize>i) << 2), <f32>-load<f64>(ppe + ((<usize>i) << 3)));
  if (precision) {
    // dL = 2 G L: (G L)_co = sum_{k >= o} L_ko G_kc for c >= o, column o.
    triangleRows(d, lt, 8, rs, g, true, false, pr, sp);
    for (let o = 0; o < d; o++)
      for (let i = o; i < d; i++)
        store<f32>(dl + ((<usize>(i * d + o)) << 2), <f32>(2 * load<f64>(pr + <usize>o * rs + ((<usize>i) << 3))));
    return loss;
  }
  // dW = 2 W G (lower): dW_oc = sum_{k <= o} W_ok G_kc, then doubled.
  triangleRows(d, w, 8, rs, g, false, true, dw, sp);
  const two = f64x2.splat(2);
  for (let o = 0; o < d; o++) {
    const ro = dw + <usize>o * rs;
    let j = 0;
    for (; j < o; j += 2) v128.store(ro + ((<usize>j) << 3), f64x2.mul(v128.load(ro + ((<usize>j) << 3)), two));
    if (j == o) store<f64>(ro + ((<usize>j) << 3), load<f64>(ro + ((<usize>j) << 3)) * 2);
  }
  // T = W^T dW (lower): T_oc = sum_{k >= o} W_ko dW_kc for c <= o, kept transposed.
  triangleRows(d, w, rs, 8, dw, true, true, pr, sp);
  transposeLower(d, pr, tt);
  // dL = -W^T dW W^T (lower): dL_co = -sum_{k <= o} W_ok T_ck for c >= o, column o.
  triangleRows(d, w, 8, rs, tt, false, false, pr, sp);
  if (sigma) {
    // dL as float32 rounds it, in float64 into g (G and T^T are done with); W (w) and L^T (lt)
    // stay; p and pr are free.
    roundedLower(d, pr, g);
    sigmaBackward(d, dl, w, lt, p, pr, g, sp);
    return loss;
  }
  // dL_iq = -pr_qi for i >= q: rows q, q + 1 of pr in 2 x 2 tiles, transposed by shuffles, each
  // tile's rows of dL one float32 pair (the diagonal tile's dL_q(q+1), above the diagonal, kept).
  const rf = (<usize>d) << 2;
  let q = 0;
  for (; q + 1 < d; q += 2) {
    const ro = pr + <usize>q * rs;
    const at = dl + ((<usize>q) << 2);
    const b0 = v128.load(ro + ((<usize>q) << 3));
    const b1 = v128.load(ro + rs + ((<usize>q) << 3));
    store<f32>(at + <usize>q * rf, <f32>-f64x2.extract_lane(b0, 0));
    v128.store64_lane(at + <usize>(q + 1) * rf, f32x4.demote_f64x2_zero(f64x2.neg(v128.shuffle<f64>(b0, b1, 1, 3))), 0);
    let i = q + 2;
    for (; i + 1 < d; i += 2) {
      const a0 = v128.load(ro + ((<usize>i) << 3));
      const a1 = v128.load(ro + rs + ((<usize>i) << 3));
      v128.store64_lane(at + <usize>i * rf, f32x4.demote_f64x2_zero(f64x2.neg(v128.shuffle<f64>(a0, a1, 0, 2))), 0);
      v128.store64_lane(at + <usize>(i + 1) * rf, f32x4.demote_f64x2_zero(f64x2.neg(v128.shuffle<f64>(a0, a1, 1, 3))), 0);
    }
    if (i < d) {
      store<f32>(at + <usize>i * rf, <f32>-load<f64>(ro + ((<usize>i) << 3)));
      store<f32>(at + <usize>i * rf, <f32>-load<f64>(ro + rs + ((<usize>i) << 3)), 4);
    }
  }
  if (q < d) store<f32>(dl + ((<usize>(q * d + q)) << 2), <f32>-load<f64>(pr + <usize>q * rs + ((<usize>q) << 3)));
  return loss;
}

/**
 * d loss / d Sigma into dl (float32, d x d, both triangles) from d loss / d L as float32 rounds
 * it (in float64 at g, row-major, zeros above the diagonal: the paired rows read them for outputs
 * that nothing uses), for the float32 factor L (its transpose in float64 at lt, read on and above
 * the diagonal): CholeskyKernel.backward's gradient sym(S), S = L^-T Phi L^-1, Phi = tril(L^T dL)
 * with its diagonal halved, taken through W = L^-1 (at w, row-major, zeros above the diagonal),
 * which the lane has: M = Phi W (lower), then for j <= i
 * S_ij = sum_{k >= i} W_ki M_kj and S_ji = sum_{k >= i} W_kj M_ki (M lower: both sums start at
 * k = i). Products only, where the Cholesky backward solves two triangular systems: 2/3 d^3
 * multiply-adds (M's terms from each output's block of eight) in row products that keep two
 * rows' sums in flight, 25 to 26 us at d = 64 where the Cholesky kernel's backward took 36 to 40
 * with its copies in and out. Float64 arithmetic of the same float32 dL, so its float32 result
 * is the Cholesky kernel's but where the rounding falls otherwise (as the tfjs path's: it rounds
 * dL to float32 too; d loss / d Sigma without that rounding, -P G P in closed form, was tried and
 * ends runs of the native-step test more than 1e-5 off the tfjs path's). score-matching-native.ts's
 * sigmaGradientOf is the reference. Blocks: p, pr, then g and lt (d^2 float64 each); sp,
 * dotRowPair's.
 */
function sigmaBackward(d: i32, dl: usize, w: usize, lt: usize, p: usize, pr: usize, g: usize, sp: usize): void {
  const rs = (<usize>d) << 3;
  // Phi_ic = sum_{k >= i} L_ki dL_kc for c <= i (row i of L^T against dL's rows), into p, its
  // diagonal halved.
  triangleRows(d, lt, 8, rs, g, true, true, p, sp);
  for (let i = 0; i < d; i++) {
    const at = p + <usize>i * rs + ((<usize>i) << 3);
    store<f64>(at, load<f64>(at) * 0.5);
  }
  lowerProduct(d, p, w, pr, sp);
  // S's lower triangle (column i of W against M's rows) into g, S^T's (column i of M against
  // W's rows) into lt.
  triangleRows(d, w, rs, 8, pr, true, true, g, sp);
  triangleRows(d, pr, rs, 8, w, true, true, lt, sp);
  symmetricHalf(d, g, lt, dl);
}

/**
 * out_ic = sum_{k = c & ~7}^{i} x_ik y_kc for c <= i, from x and y lower triangular (row-major,
 * float64; y zero above its diagonal, x read on and below it): the product of two lower
 * triangles, each output's terms from the first column of its block of eight, as every block's
 * sums start there (the terms before c are x_ik * 0, which leave a sum's +0 +0 where x is
 * finite). Rows i, i + 1 a pass, block by block (dotRowPair's passes over one set of copies:
 * row i + 1's term k = i + 1 its tail); outputs past a row's diagonal up to the next multiple of
 * four (within d) are written too, +0 where x is finite, as triangleRows widens them, so that
 * triangleRows's passes over out read numbers there.
 */
// @ts-ignore: decorator
@inline
function lowerProduct(d: i32, x: usize, y: usize, out: usize, sp: usize): void {
  const rs = (<usize>d) << 3;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const xa = x + <usize>i * rs;
    const oa = out + <usize>i * rs;
    const c1 = min(d, (i + 5) & ~3);
    // The rows' copies once (terms 0 .. i); each block takes them from its first column on.
    pairCopies(xa, xa + rs, 8, 0, i + 1, sp);
    const spEnd = sp + (<usize>(i + 1) << 5);
    const xbEnd = xa + rs + ((<usize>(i + 1)) << 3);
    for (let c = 0; c < c1; c += 8) {
      const at = (<usize>c) << 3;
      pairDots(xa + at, 8, xbEnd, y + <usize>c * rs, d, c, min(c + 8, c1), oa, oa + rs, false, true, sp + (<usize>c << 5), spEnd);
    }
  }
  if (i < d)
    for (let c = 0; c <= i; c += 8) dotRows(x + <usize>i * rs, 8, y, d, c, i + 1, c, min(c + 8, i + 1), out + <usize>i * rs);
}

/**
 * out[i d + c] = out[c d + i] = (a[i d + c] + b[i d + c]) / 2 (float32) for c <= i, from the lower
 * triangles of a and b (float64, row-major): rows i, i + 1 a pass in 2 x 2 tiles, each tile's
 * transpose by shuffles. The halving is a multiply by 0.5: the same exact quotient, so the same
 * rounding.
 */
// @ts-ignore: decorator
@inline
function symmetricHalf(d: i32, a: usize, b: usize, out: usize): void {
  const rs = (<usize>d) << 3;
  const rf = (<usize>d) << 2;
  const half = f64x2.splat(0.5);
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const ai = a + <usize>i * rs;
    const bi = b + <usize>i * rs;
    const oi = out + <usize>i * rf;
    // Column i of out (rows c, c + 1 at oc), from the tile's transpose.
    const oc = out + ((<usize>i) << 2);
    for (let c = 0; c < i; c += 2) {
      const at = (<usize>c) << 3;
      const a0 = f64x2.mul(f64x2.add(v128.load(ai + at), v128.load(bi + at)), half);
      const a1 = f64x2.mul(f64x2.add(v128.load(ai + rs + at), v128.load(bi + rs + at)), half);
      v128.store64_lane(oi + ((<usize>c) << 2), f32x4.demote_f64x2_zero(a0), 0);
      v128.store64_lane(oi + rf + ((<usize>c) << 2), f32x4.demote_f64x2_zero(a1), 0);
      v128.store64_lane(oc + <usize>c * rf, f32x4.demote_f64x2_zero(v128.shuffle<f64>(a0, a1, 0, 2)), 0);
      v128.store64_lane(oc + <usize>(c + 1) * rf, f32x4.demote_f64x2_zero(v128.shuffle<f64>(a0, a1, 1, 3)), 0);
    }
    // The diagonal tile: entries ii, (i+1)i, (i+1)(i+1) (i(i+1), above the diagonal, unread).
    const at = (<usize>i) << 3;
    const a0 = f64x2.mul(f64x2.add(v128.load(ai + at), v128.load(bi + at)), half);
    const a1 = f64x2.mul(f64x2.add(v128.load(ai + rs + at), v128.load(bi + rs + at)), half);
    v128.store64_lane(oi + ((<usize>i) << 2), f32x4.demote_f64x2_zero(v128.shuffle<f64>(a0, a1, 0, 2)), 0);
    v128.store64_lane(oi + rf + ((<usize>i) << 2), f32x4.demote_f64x2_zero(a1), 0);
  }
  if (i < d)
    for (let c = 0; c <= i; c++) {
      const at = <usize>i * rs + ((<usize>c) << 3);
      const v = <f32>((load<f64>(a + at) + load<f64>(b + at)) * 0.5);
      store<f32>(out + ((<usize>(i * d + c)) << 2), v);
      store<f32>(out + ((<usize>(c * d + i)) << 2), v);
    }
}

/**
 * x[i d + q] = dL_iq = -pr_qi rounded to float32 (the float32 dL the lane hands over otherwise),
 * in float64, for i >= q, and 0 above the diagonal: columns q, q + 1 a pass, from rows q, q + 1
 * of pr in 2 x 2 tiles transposed by shuffles, as the float32 stores take them.
 */
// @ts-ignore: decorator
@inline
function roundedLower(d: i32, pr: usize, x: usize): void {
  const rs = (<usize>d) << 3;
  const zero = f64x2.splat(0);
  let q = 0;
  for (; q + 1 < d; q += 2) {
    const ro = pr + <usize>q * rs;
    // Column q of x: x[i d + q] at xq + i rs.
    const xq = x + ((<usize>q) << 3);
    for (let i = 0; i < q; i++) v128.store(xq + <usize>i * rs, zero);
    const b0 = v128.load(ro + ((<usize>q) << 3));
    const b1 = v128.load(ro + rs + ((<usize>q) << 3));
    v128.store(xq + <usize>q * rs, f64x2.replace_lane(narrowed(f64x2.neg(b0)), 1, 0));
    v128.store(xq + <usize>(q + 1) * rs, narrowed(f64x2.neg(v128.shuffle<f64>(b0, b1, 1, 3))));
    let i = q + 2;
    for (; i + 1 < d; i += 2) {
      const a0 = v128.load(ro + ((<usize>i) << 3));
      const a1 = v128.load(ro + rs + ((<usize>i) << 3));
      v128.store(xq + <usize>i * rs, narrowed(f64x2.neg(v128.shuffle<f64>(a0, a1, 0, 2))));
      v128.store(xq + <usize>(i + 1) * rs, narrowed(f64x2.neg(v128.shuffle<f64>(a0, a1, 1, 3))));
    }
    if (i < d) {
      store<f64>(xq + <usize>i * rs, <f64><f32>-load<f64>(ro + ((<usize>i) << 3)));
      store<f64>(xq + <usize>i * rs, <f64><f32>-load<f64>(ro + rs + ((<usize>i) << 3)), 8);
    }
  }
  if (q < d) {
    const xq = x + ((<usize>q) << 3);
    for (let i = 0; i < q; i++) store<f64>(xq + <usize>i * rs, 0);
    store<f64>(xq + <usize>q * rs, <f64><f32>-load<f64>(pr + <usize>q * rs + ((<usize>q) << 3)));
  }
}

/** Both lanes of v rounded to float32 and back. */
// @ts-ignore: decorator
@inline
function narrowed(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
}

/**
 * lt[k d + i] = L_ik in float64 for k <= i (the rest of lt left alone): the lower triangle of the
 * float32 row-major factor at l, transposed, rows i, i + 1 a pass in 2 x 2 tiles (two float32
 * loads, widened and transposed by shuffles, where a strided store per element cost twice the time).
 */
// @ts-ignore: decorator
@inline
function transposeFactor(d: i32, l: usize, lt: usize): void {
  const rs = (<usize>d) << 3;
  const rf = (<usize>d) << 2;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const li = l + <usize>i * rf;
    const ti = lt + ((<usize>i) << 3);
    for (let k = 0; k < i; k += 2) {
      const a0 = f64x2.promote_low_f32x4(v128.load64_zero(li + ((<usize>k) << 2)));
      const a1 = f64x2.promote_low_f32x4(v128.load64_zero(li + rf + ((<usize>k) << 2)));
      v128.store(ti + <usize>k * rs, v128.shuffle<f64>(a0, a1, 0, 2));
      v128.store(ti + <usize>(k + 1) * rs, v128.shuffle<f64>(a0, a1, 1, 3));
    }
    // The diagonal tile without L_i(i+1), above the diagonal.
    const at = (<usize>i) << 2;
    store<f64>(ti + <usize>i * rs, <f64>load<f32>(li + at));
    store<f64>(ti + <usize>i * rs, <f64>load<f32>(li + rf + at), 8);
    store<f64>(ti + <usize>(i + 1) * rs, <f64>load<f32>(li + rf + at, 4), 8);
  }
  if (i < d)
    for (let k = 0; k <= i; k++) store<f64>(lt + <usize>k * rs + ((<usize>i) << 3), <f64>load<f32>(l + ((<usize>(i * d + k)) << 2)));
}

/**
 * G = (P R + R P) / (2n) - I from P R at pr into g, both row-major d x d. The divisions bound this
 * pass, so it takes only the lower triangle's, in 2 x 2 tiles (rows i, i + 1 of P R against its
 * columns i, i + 1, transposed by shuffles), and mirrors each tile onto the upper triangle: G_ji =
 * (PR_ji + PR_ij) / (2n) is G_ij bit for bit (the add commutes; off the diagonal, - 0 changes
 * nothing).
 */
// @ts-ignore: decorator
@inline
function gradientOfP(d: i32, n: f64, pr: usize, g: usize): void {
  const rs = (<usize>d) << 3;
  const twoN = f64x2.splat(2 * n);
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const ri = pr + <usize>i * rs;
    const gi = g + <usize>i * rs;
    // Column i of P R and of G: (PR_ji, PR_j(i+1)) at ci + j rs.
    const ci = pr + ((<usize>i) << 3);
    const cg = g + ((<usize>i) << 3);
    for (let j = 0; j < i; j += 2) {
      const at = (<usize>j) << 3;
      const a0 = v128.load(ci + <usize>j * rs);
      const a1 = v128.load(ci + <usize>(j + 1) * rs);
      const v0 = f64x2.div(f64x2.add(v128.load(ri + at), v128.shuffle<f64>(a0, a1, 0, 2)), twoN);
      const v1 = f64x2.div(f64x2.add(v128.load(ri + rs + at), v128.shuffle<f64>(a0, a1, 1, 3)), twoN);
      v128.store(gi + at, v0);
      v128.store(gi + rs + at, v1);
      v128.store(cg + <usize>j * rs, v128.shuffle<f64>(v0, v1, 0, 2));
      v128.store(cg + <usize>(j + 1) * rs, v128.shuffle<f64>(v0, v1, 1, 3));
    }
    const at = (<usize>i) << 3;
    const b0 = v128.load(ri + at);
    const b1 = v128.load(ri + rs + at);
    const v0 = f64x2.div(f64x2.add(b0, v128.shuffle<f64>(b0, b1, 0, 2)), twoN);
    const v1 = f64x2.div(f64x2.add(b1, v128.shuffle<f64>(b0, b1, 1, 3)), twoN);
    v128.store(gi + at, f64x2.sub(v0, f64x2(1, 0)));
    v128.store(gi + rs + at, f64x2.sub(v1, f64x2(0, 1)));
  }
  if (i < d) {
    // Odd d: the last row, and its mirror the last column.
    const ri = pr + <usize>i * rs;
    const gi = g + <usize>i * rs;
    for (let j = 0; j < i; j++) {
      const at = (<usize>j) << 3;
      const v = (load<f64>(ri + at) + load<f64>(pr + <usize>j * rs + ((<usize>i) << 3))) / (2 * n);
      store<f64>(gi + at, v);
      store<f64>(g + <usize>j * rs + ((<usize>i) << 3), v);
    }
    const at = (<usize>i) << 3;
    store<f64>(gi + at, (load<f64>(ri + at) + load<f64>(ri + at)) / (2 * n) - 1);
  }
}

/**
 * x[j d + i] = x[i d + j] for j < i (the lower triangle of x mirrored onto the upper): rows i, i + 1
 * a pass in 2 x 2 tiles, transposed by shuffles.
 */
// @ts-ignore: decorator
@inline
function mirrorLower(d: i32, x: usize): void {
  const rs = (<usize>d) << 3;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const xi = x + <usize>i * rs;
    const ti = x + ((<usize>i) << 3);
    for (let j = 0; j < i; j += 2) {
      const at = (<usize>j) << 3;
      const a0 = v128.load(xi + at);
      const a1 = v128.load(xi + rs + at);
      v128.store(ti + <usize>j * rs, v128.shuffle<f64>(a0, a1, 0, 2));
      v128.store(ti + <usize>(j + 1) * rs, v128.shuffle<f64>(a0, a1, 1, 3));
    }
    store<f64>(xi + ((<usize>(i + 1)) << 3), load<f64>(xi + rs + ((<usize>i) << 3)));
  }
  if (i < d)
    for (let j = 0; j < i; j++) store<f64>(x + <usize>j * rs + ((<usize>i) << 3), load<f64>(x + <usize>i * rs + ((<usize>j) << 3)));
}

/**
 * tt[j d + o] = x[o d + j] for j <= o (the lower triangle of x, transposed): rows o, o + 1 a pass
 * in 2 x 2 tiles, transposed by shuffles (the diagonal tile also writes tt[(o + 1) d + o], above
 * the diagonal of x's transpose, which nothing reads).
 */
// @ts-ignore: decorator
@inline
function transposeLower(d: i32, x: usize, tt: usize): void {
  const rs = (<usize>d) << 3;
  let o = 0;
  for (; o + 1 < d; o += 2) {
    const xo = x + <usize>o * rs;
    const to = tt + ((<usize>o) << 3);
    for (let j = 0; j <= o; j += 2) {
      const at = (<usize>j) << 3;
      const a0 = v128.load(xo + at);
      const a1 = v128.load(xo + rs + at);
      v128.store(to + <usize>j * rs, v128.shuffle<f64>(a0, a1, 0, 2));
      v128.store(to + <usize>(j + 1) * rs, v128.shuffle<f64>(a0, a1, 1, 3));
    }
  }
  if (o < d)
    for (let j = 0; j <= o; j++) store<f64>(tt + <usize>j * rs + ((<usize>o) << 3), load<f64>(x + <usize>o * rs + ((<usize>j) << 3)));
}

/** Row o of P R = P C + n (P e) e^T: the rank-one term added; returns fit plus the row's terms of the fit. */
// @ts-ignore: decorator
@inline
function finishRow(d: i32, n: f64, o: i32, p: usize, pe: usize, e: usize, pr: usize, fit: f64): f64 {
  const rs = (<usize>d) << 3;
  const ro = pr + <usize>o * rs;
  const po = p + <usize>o * rs;
  const f = f64x2.splat(n * load<f64>(pe + ((<usize>o) << 3)));
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const at = (<usize>j) << 3;
    const v = f64x2.add(v128.load(ro + at), f64x2.mul(f, v128.load(e + at)));
    v128.store(ro + at, v);
    fit += f64x2.extract_lane(v, 0) * load<f64>(po + at);
    fit += f64x2.extract_lane(v, 1) * load<f64>(po + at, 8);
  }
  if (j < d) {
    const at = (<usize>j) << 3;
    const v = load<f64>(ro + at) + f64x2.extract_lane(f, 0) * load<f64>(e + at);
    store<f64>(ro + at, v);
    fit += v * load<f64>(po + at);
  }
  return fit;
}

/**
 * Row o of a product over a triangle, for every o, into out + o * 8 d: out_oc = sum over k of x_ok
 * y_kc (x_ok at x + o * xr + k * xs, y_kc at y + (k d + c) * 8), where row o's terms are k in
 * [o, d) (`kFrom`) or [0, o + 1), and its outputs c in [0, o + 1) (`cUpTo`) or [o, d). Two rows
 * per pass (dotRowPair) over the terms they share: for rows o and o + 1, the later's start or the
 * earlier's end, with the one term only the other row takes. The pass covers the outputs of both
 * rows, widened to a multiple of four within [0, d) (blocks of eight, then one of four: both run
 * at full speed, where blocks of two wait on their sums' adds; four rather than eight cuts the
 * widened outputs' work by two thirds, 1.5% of the lane at d = 64): a row's outputs outside its
 * own range are written too, with numbers that nothing reads (the other triangle of out, which
 * each caller leaves unread or overwrites).
 */
// @ts-ignore: decorator
@inline
function triangleRows(
  d: i32,
  x: usize,
  xs: usize,
  xr: usize,
  y: usize,
  kFrom: bool,
  cUpTo: bool,
  out: usize,
  sp: usize,
): void {
  const rs = (<usize>d) << 3;
  let o = 0;
  for (; o + 1 < d; o += 2) {
    const xa = x + <usize>o * xr;
    const oa = out + <usize>o * rs;
    const k0 = kFrom ? o + 1 : 0;
    const k1 = kFrom ? d : o + 1;
    const c0 = cUpTo ? 0 : max(0, d - ((d - o + 3) & ~3));
    const c1 = cUpTo ? min(d, (o + 5) & ~3) : d;
    dotRowPair(xa, xa + xr, xs, y, d, k0, k1, c0, c1, oa, oa + rs, kFrom, !kFrom, sp);
  }
  if (o < d)
    dotRows(x + <usize>o * xr, xs, y, d, kFrom ? o : 0, kFrom ? d : o + 1, cUpTo ? 0 : o, cUpTo ? o + 1 : d, out + <usize>o * rs);
}
