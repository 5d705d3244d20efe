import { cholesky64 } from './cholesky64';
import { dotChains } from './dot-chains';

// spd-riemannian's update hooks (src/engine/parameterizations/spd-riemannian.ts) on one float64
// block, d x d row-major: the same float64 operations in the same order as the JavaScript hooks,
// two independent outputs per f64x2 (columns of a row, rows of a column).

/**
 * The Riemannian gradient X sym(G) X of the block raw (X: its lower triangle, mirrored) and the
 * gradient grad, into out (full, exactly symmetric). s: scratch of 3 d (d + 4) float64 (X, sym(G),
 * X sym(G)).
 */
export function spdDirection(d: i32, raw: usize, grad: usize, out: usize, s: usize): void {
  const rs = (<usize>d) << 3;
  // The scratch matrices' rows are PAD entries longer than d: at d = 64 rows 512 bytes apart
  // share a few cache sets, and a pass down a column evicts itself (3x slower).
  const ps = <usize>(d + PAD) << 3;
  const x = s;
  const g = x + <usize>d * ps;
  const t = g + <usize>d * ps;
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      const ij = <usize>i * rs + ((<usize>j) << 3);
      const ji = <usize>j * rs + ((<usize>i) << 3);
      const pij = <usize>i * ps + ((<usize>j) << 3);
      const pji = <usize>j * ps + ((<usize>i) << 3);
      const v = load<f64>(raw + ij);
      store<f64>(x + pij, v);
      store<f64>(x + pji, v);
      const m = (load<f64>(grad + ij) + load<f64>(grad + ji)) / 2;
      store<f64>(g + pij, m);
      store<f64>(g + pji, m);
    }
  // T_ij = X_i . sym(G)_j, sym(G)'s row j read as its column j; then (T X)_ij = T_i . X_j for
  // j <= i, X's row j read as its column j; mirrored.
  for (let i = 0; i < d; i++) dotChains(x + <usize>i * ps, 8, g, ps, d, 0, d, t + <usize>i * ps);
  for (let i = 0; i < d; i++) dotChains(t + <usize>i * ps, 8, x, ps, d, 0, i + 1, out + <usize>i * rs);
  mirrorLower(d, out);
}

/** Extra entries per row of the kernels' scratch matrices. */
const PAD = 4;

/**
 * The retraction (X + Y X^-1 Y) / 2 of the block before (X: its lower triangle) and the stepped
 * block (Y: its lower triangle, mirrored) into out (full, exactly symmetric): X = L L^T in float64,
 * W = L^-1 Y, (X + W^T W) / 2. Returns 0 when X's float64 Cholesky fails (out is then not
 * written), else 1. s: scratch of 2 d (d + 4) + d float64 (L column by column, W, one row).
 */
export function spdRetract(d: i32, before: usize, stepped: usize, out: usize, s: usize): i32 {
  const rs = (<usize>d) << 3;
  const ps = <usize>(d + PAD) << 3;
  const lt = s;
  const w = lt + <usize>d * ps;
  const row = w + <usize>d * ps;
  if (!cholesky64(d, before, lt, ps)) return 0;
  // Row i of W: Y's row i, less L_ik W_k for k < i in ascending k, over L_ii; four entries of
  // the row per pass.
  for (let i = 0; i < d; i++) {
    const wi = w + <usize>i * ps;
    for (let c = 0; c < d; c++)
      store<f64>(
        wi + ((<usize>c) << 3),
        load<f64>(stepped + (c <= i ? <usize>i * rs + ((<usize>c) << 3) : <usize>c * rs + ((<usize>i) << 3))),
      );
    const li = lt + ((<usize>i) << 3);
    const lii = f64x2.splat(load<f64>(li + <usize>i * ps));
    let c = 0;
    for (; c + 3 < d; c += 4) {
      const o = wi + ((<usize>c) << 3);
      let v0 = v128.load(o);
      let v1 = v128.load(o, 16);
      let wk = w + ((<usize>c) << 3);
      let lk = li;
      for (let k = 0; k < i; k++) {
        const a = f64x2.splat(load<f64>(lk));
        v0 = f64x2.sub(v0, f64x2.mul(a, v128.load(wk)));
        v1 = f64x2.sub(v1, f64x2.mul(a, v128.load(wk, 16)));
        wk += ps;
        lk += ps;
      }
      v128.store(o, f64x2.div(v0, lii));
      v128.store(o, f64x2.div(v1, lii), 16);
    }
    for (; c + 1 < d; c += 2) {
      const o = wi + ((<usize>c) << 3);
      let v0 = v128.load(o);
      for (let k = 0; k < i; k++)
        v0 = f64x2.sub(
          v0,
          f64x2.mul(f64x2.splat(load<f64>(li + <usize>k * ps)), v128.load(w + <usize>k * ps + ((<usize>c) << 3))),
        );
      v128.store(o, f64x2.div(v0, lii));
    }
    if (c < d) {
      const o = wi + ((<usize>c) << 3);
      let v = load<f64>(o);
      for (let k = 0; k < i; k++) v -= load<f64>(li + <usize>k * ps) * load<f64>(w + <usize>k * ps + ((<usize>c) << 3));
      store<f64>(o, v / f64x2.extract_lane(lii, 0));
    }
  }
  // (W^T W)_ij: column i of W against its columns j <= i.
  for (let i = 0; i < d; i++) {
    dotChains(w + ((<usize>i) << 3), ps, w, ps, d, 0, i + 1, row);
    const oi = out + <usize>i * rs;
    const bi = before + <usize>i * rs;
    for (let j = 0; j <= i; j++) {
      const at = (<usize>j) << 3;
      store<f64>(oi + at, (load<f64>(bi + at) + load<f64>(row + at)) / 2);
    }
  }
  mirrorLower(d, out);
  return 1;
}

/** The upper triangle of m (d x d float64, row-major) from its lower one. */
function mirrorLower(d: i32, m: usize): void {
  const rs = (<usize>d) << 3;
  for (let i = 1; i < d; i++)
    for (let j = 0; j < i; j++) store<f64>(m + <usize>j * rs + ((<usize>i) << 3), load<f64>(m + <usize>i * rs + ((<usize>j) << 3)));
}
