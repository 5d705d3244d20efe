import { dotRows } from './triangular';

// Spike: Cholesky forward, columns of the float64 factor kept column-major (wt[k * d + i] = L_ik)
// so that each column's update is over contiguous rows, two rows per f64x2.
export function choleskyForward(d: i32, a: usize, l: usize, piv: usize, wt: usize): i32 {
  for (let j = 0; j < d; j++) {
    let s: f64 = <f64>load<f32>(a + ((j * d + j) << 2));
    for (let k = 0; k < j; k++) {
      const w = load<f64>(wt + ((k * d + j) << 3));
      s -= w * w;
    }
    const pivot = <f32>s;
    store<f32>(piv + (j << 2), pivot);
    if (!(pivot > 0)) return j;
    const ljj = Math.sqrt(s);
    const cj = wt + ((j * d) << 3);
    store<f64>(cj + (j << 3), ljj);
    let i = j + 1;
    for (; i + 7 < d; i += 8) {
      let t0 = f64x2(<f64>load<f32>(a + ((i * d + j) << 2)), <f64>load<f32>(a + (((i + 1) * d + j) << 2)));
      let t1 = f64x2(<f64>load<f32>(a + (((i + 2) * d + j) << 2)), <f64>load<f32>(a + (((i + 3) * d + j) << 2)));
      let t2 = f64x2(<f64>load<f32>(a + (((i + 4) * d + j) << 2)), <f64>load<f32>(a + (((i + 5) * d + j) << 2)));
      let t3 = f64x2(<f64>load<f32>(a + (((i + 6) * d + j) << 2)), <f64>load<f32>(a + (((i + 7) * d + j) << 2)));
      for (let k = 0; k < j; k++) {
        const c = f64x2.splat(load<f64>(wt + ((k * d + j) << 3)));
        const ck = wt + ((k * d + i) << 3);
        t0 = f64x2.sub(t0, f64x2.mul(v128.load(ck), c));
        t1 = f64x2.sub(t1, f64x2.mul(v128.load(ck, 16), c));
        t2 = f64x2.sub(t2, f64x2.mul(v128.load(ck, 32), c));
        t3 = f64x2.sub(t3, f64x2.mul(v128.load(ck, 48), c));
      }
      const q = f64x2.splat(ljj);
      const o = cj + (i << 3);
      v128.store(o, f64x2.div(t0, q));
      v128.store(o, f64x2.div(t1, q), 16);
      v128.store(o, f64x2.div(t2, q), 32);
      v128.store(o, f64x2.div(t3, q), 48);
    }
    for (; i + 1 < d; i += 2) {
      let t0 = f64x2(<f64>load<f32>(a + ((i * d + j) << 2)), <f64>load<f32>(a + (((i + 1) * d + j) << 2)));
      for (let k = 0; k < j; k++) {
        const c = f64x2.splat(load<f64>(wt + ((k * d + j) << 3)));
        t0 = f64x2.sub(t0, f64x2.mul(v128.load(wt + ((k * d + i) << 3)), c));
      }
      v128.store(cj + (i << 3), f64x2.div(t0, f64x2.splat(ljj)));
    }
    if (i < d) {
      let t: f64 = <f64>load<f32>(a + ((i * d + j) << 2));
      for (let k = 0; k < j; k++) t -= load<f64>(wt + ((k * d + i) << 3)) * load<f64>(wt + ((k * d + j) << 3));
      store<f64>(cj + (i << 3), t / ljj);
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) store<f32>(l + ((i * d + j) << 2), <f32>load<f64>(wt + ((j * d + i) << 3)));
    for (let j = i + 1; j < d; j++) store<f32>(l + ((i * d + j) << 2), 0);
  }
  return d;
}

/**
 * The symmetric gradient abar = sym(L^-T Phi L^-1), Phi = tril(L^T Lbar) with its diagonal
 * halved, of the float32 factor at l and the lower triangle of lbar (float32, row-major), into
 * abar (float32, full): CholeskyKernel.backward's float64 operations in its order. s: scratch of
 * 3 d^2 + d float64 (L^T, Lbar, the working matrix and one row).
 */
export function choleskyBackward(d: i32, l: usize, lbar: usize, abar: usize, s: usize): void {
  const rs = (<usize>d) << 3;
  const dd = <usize>d * rs;
  const lt = s;
  const lb = lt + dd;
  const gt = lb + dd;
  const row = gt + dd;
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      const at = (<usize>(i * d + j)) << 2;
      store<f64>(lt + <usize>j * rs + ((<usize>i) << 3), <f64>load<f32>(l + at));
      store<f64>(lb + <usize>i * rs + ((<usize>j) << 3), <f64>load<f32>(lbar + at));
    }
  // Phi_ic = sum_{k >= i} L_ki Lbar_kc for c <= i (row i of L^T against Lbar's rows), diagonal
  // halved, kept transposed (column i of Phi^T) for the solve that follows.
  for (let i = 0; i < d; i++) {
    dotRows(lt + <usize>i * rs, 8, lb, d, i, d, 0, i + 1, row);
    const ci = gt + ((<usize>i) << 3);
    for (let c = 0; c < i; c++) store<f64>(ci + <usize>c * rs, load<f64>(row + ((<usize>c) << 3)));
    store<f64>(ci + <usize>i * rs, load<f64>(row + ((<usize>i) << 3)) / 2);
  }
  // M = Phi L^-1 by back substitution: M_rj = (Phi_rj - sum_{j < k <= r} M_rk L_kj) / L_jj, j
  // descending, each row on its own (M^T keeps a column's rows neighbours). Four rows at a time,
  // two f64x2: first the block's own triangle, entry by entry; then each column j left of it,
  // the terms k <= i for all four rows, then the block's entries k = i + 1.. for the rows below k.
  let i = 0;
  for (; i + 3 < d; i += 4) {
    const ci = gt + ((<usize>i) << 3);
    for (let j = i + 3; j > i; j--) {
      const lj = lt + <usize>j * rs;
      const ljj = load<f64>(lj + ((<usize>j) << 3));
      for (let r = j; r <= i + 3; r++) {
        const cr = gt + ((<usize>r) << 3);
        let t = load<f64>(cr + <usize>j * rs);
        for (let k = j + 1; k <= r; k++) t -= load<f64>(cr + <usize>k * rs) * load<f64>(lj + ((<usize>k) << 3));
        store<f64>(cr + <usize>j * rs, t / ljj);
      }
    }
    const m11 = load<f64>(ci + <usize>(i + 1) * rs, 8);
    const m1 = v128.load(ci + <usize>(i + 1) * rs, 16);
    const m2 = v128.load(ci + <usize>(i + 2) * rs, 16);
    const m33 = load<f64>(ci + <usize>(i + 3) * rs, 24);
    for (let j = i; j >= 0; j--) {
      const lj = lt + <usize>j * rs;
      const cj = ci + <usize>j * rs;
      let v0 = v128.load(cj);
      let v1 = v128.load(cj, 16);
      let mk = cj + rs;
      for (let k = j + 1; k <= i; k++) {
        const a = f64x2.splat(load<f64>(lj + ((<usize>k) << 3)));
        v0 = f64x2.sub(v0, f64x2.mul(v128.load(mk), a));
        v1 = f64x2.sub(v1, f64x2.mul(v128.load(mk, 16), a));
        mk += rs;
      }
      const l1 = load<f64>(lj + ((<usize>(i + 1)) << 3));
      const l2 = load<f64>(lj + ((<usize>(i + 2)) << 3));
      const l3 = load<f64>(lj + ((<usize>(i + 3)) << 3));
      v0 = f64x2.replace_lane(v0, 1, f64x2.extract_lane(v0, 1) - m11 * l1);
      v1 = f64x2.sub(v1, f64x2.mul(m1, f64x2.splat(l1)));
      v1 = f64x2.sub(v1, f64x2.mul(m2, f64x2.splat(l2)));
      v1 = f64x2.replace_lane(v1, 1, f64x2.extract_lane(v1, 1) - m33 * l3);
      const q = f64x2.splat(load<f64>(lj + ((<usize>j) << 3)));
      v128.store(cj, f64x2.div(v0, q));
      v128.store(cj, f64x2.div(v1, q), 16);
    }
  }
  // Two rows, then one: row i + 1 first gets its column i + 1 and takes the term k = i + 1 last.
  if (i + 1 < d) {
    const c1 = gt + <usize>(i + 1) * rs + ((<usize>(i + 1)) << 3);
    store<f64>(c1, load<f64>(c1) / load<f64>(lt + <usize>(i + 1) * rs + ((<usize>(i + 1)) << 3)));
    const mNext = load<f64>(c1);
    const ci = gt + ((<usize>i) << 3);
    for (let j = i; j >= 0; j--) {
      const lj = lt + <usize>j * rs;
      let v = v128.load(ci + <usize>j * rs);
      for (let k = j + 1; k <= i; k++)
        v = f64x2.sub(v, f64x2.mul(v128.load(ci + <usize>k * rs), f64x2.splat(load<f64>(lj + ((<usize>k) << 3)))));
      const t = f64x2.extract_lane(v, 1) - mNext * load<f64>(lj + ((<usize>(i + 1)) << 3));
      v = f64x2.replace_lane(v, 1, t);
      v128.store(ci + <usize>j * rs, f64x2.div(v, f64x2.splat(load<f64>(lj + ((<usize>j) << 3)))));
    }
    i += 2;
  }
  if (i < d) {
    const ci = gt + ((<usize>i) << 3);
    for (let j = i; j >= 0; j--) {
      const lj = lt + <usize>j * rs;
      let t = load<f64>(ci + <usize>j * rs);
      for (let k = j + 1; k <= i; k++) t -= load<f64>(ci + <usize>k * rs) * load<f64>(lj + ((<usize>k) << 3));
      store<f64>(ci + <usize>j * rs, t / load<f64>(lj + ((<usize>j) << 3)));
    }
  }
  // M row-major into lb (Lbar is done with), zero above the diagonal.
  const g = lb;
  for (let r = 0; r < d; r++)
    for (let c = 0; c < d; c++)
      store<f64>(g + <usize>r * rs + ((<usize>c) << 3), c <= r ? load<f64>(gt + <usize>c * rs + ((<usize>r) << 3)) : 0);
  // S = L^-T M, last row first: S_ij = (M_ij - sum_{k > i} L_ki S_kj) / L_ii, k ascending,
  // eight columns of a row per pass.
  for (let r = d - 1; r >= 0; r--) {
    const gr = g + <usize>r * rs;
    const lr = lt + <usize>r * rs;
    const lrr = f64x2.splat(load<f64>(lr + ((<usize>r) << 3)));
    let j = 0;
    for (; j + 7 < d; j += 8) {
      const o = gr + ((<usize>j) << 3);
      let s0 = v128.load(o);
      let s1 = v128.load(o, 16);
      let s2 = v128.load(o, 32);
      let s3 = v128.load(o, 48);
      let gk = g + <usize>(r + 1) * rs + ((<usize>j) << 3);
      for (let k = r + 1; k < d; k++) {
        const a = f64x2.splat(load<f64>(lr + ((<usize>k) << 3)));
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
    }
    for (; j + 1 < d; j += 2) {
      const o = gr + ((<usize>j) << 3);
      let s0 = v128.load(o);
      let gk = g + <usize>(r + 1) * rs + ((<usize>j) << 3);
      for (let k = r + 1; k < d; k++) {
        s0 = f64x2.sub(s0, f64x2.mul(f64x2.splat(load<f64>(lr + ((<usize>k) << 3))), v128.load(gk)));
        gk += rs;
      }
      v128.store(o, f64x2.div(s0, lrr));
    }
    if (j < d) {
      const o = gr + ((<usize>j) << 3);
      let t = load<f64>(o);
      for (let k = r + 1; k < d; k++) t -= load<f64>(lr + ((<usize>k) << 3)) * load<f64>(g + <usize>k * rs + ((<usize>j) << 3));
      store<f64>(o, t / f64x2.extract_lane(lrr, 0));
    }
  }
  for (let r = 0; r < d; r++)
    for (let c = 0; c < d; c++)
      store<f32>(
        abar + ((<usize>(r * d + c)) << 2),
        <f32>((load<f64>(g + <usize>r * rs + ((<usize>c) << 3)) + load<f64>(g + <usize>c * rs + ((<usize>r) << 3))) / 2),
      );
}
