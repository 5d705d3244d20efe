// The metrics' log densities (src/engine/tasks/gaussian64.ts): |L^-1 (x - mu)|^2 of points in
// blocks of four, by the operations of gaussian64.ts's mahalanobis4 in its order, two points per
// f64x2: the same bits as the JavaScript kernel, which stays as the reference and runs at small d.

/**
 * m[4 b + q] = |L^-1 (x_q - mu)|^2 for point q of block b, x holding `blocks` blocks of four
 * points coordinate by coordinate (x + 32 (b d + i) holds coordinate i of the block's four
 * points), l the row-major float64 factor, z 4 d numbers of scratch.
 */
export function mahalanobisBlocks(d: i32, blocks: i32, x: usize, mu: usize, l: usize, z: usize, m: usize): void {
  const rs = (<usize>d) << 3;
  for (let b = 0; b < blocks; b++) {
    const xb = x + <usize>b * (rs << 2);
    let m01 = f64x2.splat(0);
    let m23 = f64x2.splat(0);
    for (let i = 0; i < d; i++) {
      const mi = f64x2.splat(load<f64>(mu + ((<usize>i) << 3)));
      const xi = xb + ((<usize>i) << 5);
      let t01 = f64x2.sub(v128.load(xi), mi);
      let t23 = f64x2.sub(v128.load(xi, 16), mi);
      const row = l + <usize>i * rs;
      for (let k = 0; k < i; k++) {
        const lk = f64x2.splat(load<f64>(row + ((<usize>k) << 3)));
        const zk = z + ((<usize>k) << 5);
        t01 = f64x2.sub(t01, f64x2.mul(lk, v128.load(zk)));
        t23 = f64x2.sub(t23, f64x2.mul(lk, v128.load(zk, 16)));
      }
      const lii = f64x2.splat(load<f64>(row + ((<usize>i) << 3)));
      const z01 = f64x2.div(t01, lii);
      const z23 = f64x2.div(t23, lii);
      const zi = z + ((<usize>i) << 5);
      v128.store(zi, z01);
      v128.store(zi, z23, 16);
      m01 = f64x2.add(m01, f64x2.mul(z01, z01));
      m23 = f64x2.add(m23, f64x2.mul(z23, z23));
    }
    const mb = m + ((<usize>b) << 5);
    v128.store(mb, m01);
    v128.store(mb, m23, 16);
  }
}
