// Gaussian draws' transform, mean + L z, on rows of normals in place, as src/data/gaussian-sample.ts's
// JavaScript twin (transformRows, its reference) takes it: a module of its own
// (dist/gaussian-rows.wasm, built by scripts/build-wasm.mjs) that src/data/gaussian-rows-wasm.ts
// loads below the engine's kernels, as arc4.wasm. Every run's data passes here once (800 rows of
// 16 a run at d = 16), in the worker's first moments, where the JavaScript loop ran mostly before
// V8 had optimised it: compiled ahead, the rows cost the same from the first lane on.
//
// Linear memory is the host's layout (it grows it to fit): nothing is allocated here.

/**
 * Rows i = 0..n-1 of `rows` (n x d, row-major, each a point's d normals z) become mean + L z, L at
 * `l` (d x d, row-major, lower triangle read), mean at `mean`: entry a of a row is mean_a, then
 * + L_a0 z_0, + L_a1 z_1, ..., + L_aa z_a, each product and sum rounded in that order (f64.mul
 * then f64.add: WebAssembly fuses nothing), as transformRows sums it. Entries go from last to
 * first, so entry a still reads z_0..z_a where the row holds them. Four rows go together: four
 * independent chains of additions, and each L_ak read serves four rows.
 */
export function gaussianRows(n: i32, d: i32, mean: usize, l: usize, rows: usize): void {
  const stride = (<usize>d) << 3;
  let r0 = rows;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    for (let a = d - 1; a >= 0; a--) {
      const la = l + <usize>a * stride;
      let t0 = load<f64>(mean + ((<usize>a) << 3));
      let t1 = t0;
      let t2 = t0;
      let t3 = t0;
      for (let k = 0; k <= a; k++) {
        const at = (<usize>k) << 3;
        const lak = load<f64>(la + at);
        t0 += lak * load<f64>(r0 + at);
        t1 += lak * load<f64>(r1 + at);
        t2 += lak * load<f64>(r2 + at);
        t3 += lak * load<f64>(r3 + at);
      }
      const out = (<usize>a) << 3;
      store<f64>(r0 + out, t0);
      store<f64>(r1 + out, t1);
      store<f64>(r2 + out, t2);
      store<f64>(r3 + out, t3);
    }
    r0 = r3 + stride;
  }
  for (; i < n; i++) {
    for (let a = d - 1; a >= 0; a--) {
      const la = l + <usize>a * stride;
      let t = load<f64>(mean + ((<usize>a) << 3));
      for (let k = 0; k <= a; k++) {
        const at = (<usize>k) << 3;
        t += load<f64>(la + at) * load<f64>(r0 + at);
      }
      store<f64>(r0 + ((<usize>a) << 3), t);
    }
    r0 += stride;
  }
}
