// The float64 Cholesky factor of src/ground/dense64.ts's choleskyInto, bit for bit: each entry's
// subtractions in ascending k, then one division by the pivot's square root.

/**
 * dense64.ts's choleskyInto of the lower triangle of a (float64, row-major), kept column by
 * column (lt + k ls + 8 i holds L_ik, columns ls bytes apart) so that a column's rows are
 * neighbours: four rows per pass. Returns false at the first pivot that is not > 0.
 */
export function cholesky64(d: i32, a: usize, lt: usize, ls: usize): bool {
  const rs = (<usize>d) << 3;
  for (let j = 0; j < d; j++) {
    const cj = lt + <usize>j * ls;
    const jj = (<usize>j) << 3;
    let s = load<f64>(a + <usize>j * rs + jj);
    for (let k = 0; k < j; k++) {
      const v = load<f64>(lt + <usize>k * ls + jj);
      s -= v * v;
    }
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    store<f64>(cj + jj, ljj);
    const q = f64x2.splat(ljj);
    let i = j + 1;
    for (; i + 3 < d; i += 4) {
      const ai = a + <usize>i * rs + jj;
      let t0 = f64x2(load<f64>(ai), load<f64>(ai + rs));
      let t1 = f64x2(load<f64>(ai + 2 * rs), load<f64>(ai + 3 * rs));
      let ck = lt + ((<usize>i) << 3);
      for (let k = 0; k < j; k++) {
        const c = f64x2.splat(load<f64>(lt + <usize>k * ls + jj));
        t0 = f64x2.sub(t0, f64x2.mul(v128.load(ck), c));
        t1 = f64x2.sub(t1, f64x2.mul(v128.load(ck, 16), c));
        ck += ls;
      }
      const o = cj + ((<usize>i) << 3);
      v128.store(o, f64x2.div(t0, q));
      v128.store(o, f64x2.div(t1, q), 16);
    }
    for (; i + 1 < d; i += 2) {
      const ai = a + <usize>i * rs + jj;
      let t0 = f64x2(load<f64>(ai), load<f64>(ai + rs));
      for (let k = 0; k < j; k++)
        t0 = f64x2.sub(
          t0,
          f64x2.mul(v128.load(lt + <usize>k * ls + ((<usize>i) << 3)), f64x2.splat(load<f64>(lt + <usize>k * ls + jj))),
        );
      v128.store(cj + ((<usize>i) << 3), f64x2.div(t0, q));
    }
    if (i < d) {
      let t = load<f64>(a + <usize>i * rs + jj);
      for (let k = 0; k < j; k++)
        t -= load<f64>(lt + <usize>k * ls + ((<usize>i) << 3)) * load<f64>(lt + <usize>k * ls + jj);
      store<f64>(cj + ((<usize>i) << 3), t / ljj);
    }
  }
  return true;
}

/**
 * choleskyInto of the symmetric d x d float64 matrix at a (lower triangle read) into l's lower
 * triangle (float64, row-major; the upper triangle zero). Returns 0 at the first pivot that is
 * not > 0 (l is then not written), else 1. s: scratch of d (d + 4) float64.
 */
export function choleskyInto64(d: i32, a: usize, l: usize, s: usize): i32 {
  const ls = <usize>(d + 4) << 3;
  if (!cholesky64(d, a, s, ls)) return 0;
  const rs = (<usize>d) << 3;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++)
      store<f64>(l + <usize>i * rs + ((<usize>j) << 3), j <= i ? load<f64>(s + <usize>j * ls + ((<usize>i) << 3)) : 0);
  return 1;
}
