// The metrics' log densities (src/engine/tasks/gaussian64.ts): |L^-1 (x - mu)|^2 of points four
// at a time, by the operations of gaussian64.ts's mahalanobis4 in its order, two points per
// f64x2: the same bits as the JavaScript kernel, which stays as the reference and runs at small d.

/**
 * m[p] = |L^-1 (x_p - mu)|^2 for the `count` points at x (row-major float64, d numbers each), l
 * the row-major float64 factor, z 4 d numbers of scratch, m room for count rounded up to 4: the
 * last block of four repeats the last point (as logDensities64 pads it).
 */
export function mahalanobisBlocks(d: i32, count: i32, x: usize, mu: usize, l: usize, z: usize, m: usize): void {
  const rs = (<usize>d) << 3;
  const last = count - 1;
  for (let p = 0; p < count; p += 4) {
    const x0 = x + <usize>p * rs;
    const x1 = x + <usize>min(p + 1, last) * rs;
    const x2 = x + <usize>min(p + 2, last) * rs;
    const x3 = x + <usize>min(p + 3, last) * rs;
    let m01 = f64x2.splat(0);
    let m23 = f64x2.splat(0);
    for (let i = 0; i < d; i++) {
      const c = (<usize>i) << 3;
      const mi = f64x2.splat(load<f64>(mu + c));
      let t01 = f64x2.sub(f64x2(load<f64>(x0 + c), load<f64>(x1 + c)), mi);
      let t23 = f64x2.sub(f64x2(load<f64>(x2 + c), load<f64>(x3 + c)), mi);
      const row = l + <usize>i * rs;
      for (let k = 0; k < i; k++) {
        const lk = f64x2.splat(load<f64>(row + ((<usize>k) << 3)));
        const zk = z + ((<usize>k) << 5);
        t01 = f64x2.sub(t01, f64x2.mul(lk, v128.load(zk)));
        t23 = f64x2.sub(t23, f64x2.mul(lk, v128.load(zk, 16)));
      }
      const lii = f64x2.splat(load<f64>(row + c));
      const z01 = f64x2.div(t01, lii);
      const z23 = f64x2.div(t23, lii);
      const zi = z + ((<usize>i) << 5);
      v128.store(zi, z01);
      v128.store(zi, z23, 16);
      m01 = f64x2.add(m01, f64x2.mul(z01, z01));
      m23 = f64x2.add(m23, f64x2.mul(z23, z23));
    }
    const mp = m + ((<usize>p) << 3);
    v128.store(mp, m01);
    v128.store(mp, m23, 16);
  }
}
