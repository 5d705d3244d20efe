import { dotChains } from './dot-chains';
import { dotRows } from './triangular';

// The symmetric path of src/engine/ops/expm-kernel.ts from a kept eigendecomposition A = V
// diag(lambda) V^T: e^A and the Daleckii-Krein adjoint, with the same float64 operations in the
// same order as the JavaScript kernel, vectorized across the independent entries of a row.

/**
 * e^A = W V^T with W = V diag(e^lambda), lower triangle mirrored, into out (float32, d x d).
 * v: V (float64, row-major); e: e^lambda_k (float64, d). s: scratch of 2 d^2 + d float64.
 */
export function expmFromEigen(d: i32, v: usize, e: usize, out: usize, s: usize): void {
  const rs = (<usize>d) << 3;
  const w = s;
  const vt = transpose(d, v, w + <usize>d * rs);
  const row = vt + <usize>d * rs;
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const at = <usize>i * rs + ((<usize>k) << 3);
      store<f64>(w + at, load<f64>(v + at) * load<f64>(e + ((<usize>k) << 3)));
    }
  // Row i of W against rows j <= i of V (columns of V^T).
  for (let i = 0; i < d; i++) {
    dotChains(w + <usize>i * rs, 8, vt, rs, d, 0, i + 1, row);
    for (let j = 0; j <= i; j++) {
      const x = <f32>load<f64>(row + ((<usize>j) << 3));
      store<f32>(out + ((<usize>(i * d + j)) << 2), x);
      store<f32>(out + ((<usize>(j * d + i)) << 2), x);
    }
  }
}

/**
 * V (Phi o (V^T G V)) V^T into out (float32, d x d): v: V (float64, row-major); phi: the divided
 * differences Phi_ij (float64, d x d); g: G (float32, d x d). s: scratch of 4 d^2 float64.
 */
export function expmFrechet(d: i32, v: usize, phi: usize, g: usize, out: usize, s: usize): void {
  const rs = (<usize>d) << 3;
  const dd = <usize>d * rs;
  const gf = s;
  const t = gf + dd;
  const m = t + dd;
  const vt = m + dd;
  for (let k = 0; k < d * d; k++) store<f64>(gf + ((<usize>k) << 3), <f64>load<f32>(g + ((<usize>k) << 2)));
  // t = G V; m = V^T t (column i of V against t's rows); m o Phi; t = V m.
  for (let i = 0; i < d; i++) dotRows(gf + <usize>i * rs, 8, v, d, 0, d, 0, d, t + <usize>i * rs);
  for (let i = 0; i < d; i++) dotRows(v + ((<usize>i) << 3), rs, t, d, 0, d, 0, d, m + <usize>i * rs);
  for (let k = 0; k < d * d; k++) {
    const at = (<usize>k) << 3;
    store<f64>(m + at, load<f64>(m + at) * load<f64>(phi + at));
  }
  for (let i = 0; i < d; i++) dotRows(v + <usize>i * rs, 8, m, d, 0, d, 0, d, t + <usize>i * rs);
  // out = t V^T: row i of t against rows of V (columns of V^T), into m's row i.
  transpose(d, v, vt);
  for (let i = 0; i < d; i++) {
    const mi = m + <usize>i * rs;
    dotChains(t + <usize>i * rs, 8, vt, rs, d, 0, d, mi);
    for (let j = 0; j < d; j++) store<f32>(out + ((<usize>(i * d + j)) << 2), <f32>load<f64>(mi + ((<usize>j) << 3)));
  }
}

/** a^T (d x d float64) into at; returns at. */
function transpose(d: i32, a: usize, at: usize): usize {
  const rs = (<usize>d) << 3;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) store<f64>(at + <usize>j * rs + ((<usize>i) << 3), load<f64>(a + <usize>i * rs + ((<usize>j) << 3)));
  return at;
}
