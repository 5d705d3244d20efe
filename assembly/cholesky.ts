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
