// Dot products of one vector against many, each output's sum in the four interleaved chains of
// src/engine/ops/dot.ts's `dot` (term k into chain k mod 4 while four terms remain, the rest into
// chain 0, then (s0 + s1) + (s2 + s3)), vectorized across independent outputs: bit for bit that
// function's result for every output.

/**
 * For j in [j0, j1): out[j] = dot over k < n of a_k * b_kj, where a_k is the float64 at
 * a + k * as (a row, as = 8, or a column, as = 8 d) and b_kj the float64 at b + k * rs + 8 j
 * (so outputs j, j + 1 are neighbours in memory: four outputs per pass, two per f64x2).
 */
// @ts-ignore: decorator
@inline
export function dotChains(
  a: usize,
  as: usize,
  b: usize,
  rs: usize,
  n: i32,
  j0: i32,
  j1: i32,
  out: usize,
): void {
  let j = j0;
  for (; j + 3 < j1; j += 4) {
    let p0 = f64x2.splat(0);
    let q0 = f64x2.splat(0);
    let p1 = f64x2.splat(0);
    let q1 = f64x2.splat(0);
    let p2 = f64x2.splat(0);
    let q2 = f64x2.splat(0);
    let p3 = f64x2.splat(0);
    let q3 = f64x2.splat(0);
    let ap = a;
    let bp = b + ((<usize>j) << 3);
    let k = 0;
    for (; k + 3 < n; k += 4) {
      let x = f64x2.splat(load<f64>(ap));
      p0 = f64x2.add(p0, f64x2.mul(x, v128.load(bp)));
      q0 = f64x2.add(q0, f64x2.mul(x, v128.load(bp, 16)));
      x = f64x2.splat(load<f64>(ap + as));
      p1 = f64x2.add(p1, f64x2.mul(x, v128.load(bp + rs)));
      q1 = f64x2.add(q1, f64x2.mul(x, v128.load(bp + rs, 16)));
      x = f64x2.splat(load<f64>(ap + 2 * as));
      p2 = f64x2.add(p2, f64x2.mul(x, v128.load(bp + 2 * rs)));
      q2 = f64x2.add(q2, f64x2.mul(x, v128.load(bp + 2 * rs, 16)));
      x = f64x2.splat(load<f64>(ap + 3 * as));
      p3 = f64x2.add(p3, f64x2.mul(x, v128.load(bp + 3 * rs)));
      q3 = f64x2.add(q3, f64x2.mul(x, v128.load(bp + 3 * rs, 16)));
      ap += 4 * as;
      bp += 4 * rs;
    }
    for (; k < n; k++) {
      const x = f64x2.splat(load<f64>(ap));
      p0 = f64x2.add(p0, f64x2.mul(x, v128.load(bp)));
      q0 = f64x2.add(q0, f64x2.mul(x, v128.load(bp, 16)));
      ap += as;
      bp += rs;
    }
    const o = out + ((<usize>j) << 3);
    v128.store(o, f64x2.add(f64x2.add(p0, p1), f64x2.add(p2, p3)));
    v128.store(o, f64x2.add(f64x2.add(q0, q1), f64x2.add(q2, q3)), 16);
  }
  for (; j + 1 < j1; j += 2) {
    let p0 = f64x2.splat(0);
    let p1 = f64x2.splat(0);
    let p2 = f64x2.splat(0);
    let p3 = f64x2.splat(0);
    let ap = a;
    let bp = b + ((<usize>j) << 3);
    let k = 0;
    for (; k + 3 < n; k += 4) {
      p0 = f64x2.add(p0, f64x2.mul(f64x2.splat(load<f64>(ap)), v128.load(bp)));
      p1 = f64x2.add(p1, f64x2.mul(f64x2.splat(load<f64>(ap + as)), v128.load(bp + rs)));
      p2 = f64x2.add(p2, f64x2.mul(f64x2.splat(load<f64>(ap + 2 * as)), v128.load(bp + 2 * rs)));
      p3 = f64x2.add(p3, f64x2.mul(f64x2.splat(load<f64>(ap + 3 * as)), v128.load(bp + 3 * rs)));
      ap += 4 * as;
      bp += 4 * rs;
    }
    for (; k < n; k++) {
      p0 = f64x2.add(p0, f64x2.mul(f64x2.splat(load<f64>(ap)), v128.load(bp)));
      ap += as;
      bp += rs;
    }
    v128.store(out + ((<usize>j) << 3), f64x2.add(f64x2.add(p0, p1), f64x2.add(p2, p3)));
  }
  if (j < j1) {
    let s0: f64 = 0;
    let s1: f64 = 0;
    let s2: f64 = 0;
    let s3: f64 = 0;
    let ap = a;
    let bp = b + ((<usize>j) << 3);
    let k = 0;
    for (; k + 3 < n; k += 4) {
      s0 += load<f64>(ap) * load<f64>(bp);
      s1 += load<f64>(ap + as) * load<f64>(bp + rs);
      s2 += load<f64>(ap + 2 * as) * load<f64>(bp + 2 * rs);
      s3 += load<f64>(ap + 3 * as) * load<f64>(bp + 3 * rs);
      ap += 4 * as;
      bp += 4 * rs;
    }
    for (; k < n; k++) {
      s0 += load<f64>(ap) * load<f64>(bp);
      ap += as;
      bp += rs;
    }
    store<f64>(out + ((<usize>j) << 3), s0 + s1 + (s2 + s3));
  }
}
