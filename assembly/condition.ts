// The condition check's passes over a block (src/engine/native/condition-bound.ts), on blocks in
// linear memory: the same float64 operations in the same order as their JavaScript twins
// (condition-bound.ts `shiftSums`, ground/triangular-bounds.ts `relativeDrift`), so the check's
// bounds do not depend on which of the two ran.

/** condition-bound.ts's V = 2^-24 (1 + 2^-20) and TINY = 2^-148, from their bits. */
const V: f64 = reinterpret<f64>(((<u64>(1023 - 24)) << 52) | ((<u64>1) << 32));
const TINY: f64 = reinterpret<f64>((<u64>(1023 - 148)) << 52);

/**
 * For the float32 block m (d x d row-major, upper triangle not read) and an anchor whose entries
 * below the diagonal are float32 values, at a (float32, d x d row-major, its diagonal not read),
 * with its float64 diagonal at diagonal (d float64): out[0] = sum_i (m_ii - a_ii)^2, out[1] =
 * sum_{j < i} (m_ij - a_ij)^2, out[2] = sum_i (V |m_ii| + TINY)^2. Each difference in float64
 * (exact operands, so the same as against a float64 copy of the anchor). Row by row, four columns
 * at a time in two f64x2 sums (columns 4q, 4q + 1 in the first, 4q + 2, 4q + 3 in the second: two
 * chains), a row's last pair in the first, an odd row's last column in a sum of its own; added
 * first, first's second, second's first, second's second, the odd columns' last.
 */
export function conditionShift(d: i32, m: usize, a: usize, diagonal: usize, out: usize): void {
  let squares: f64 = 0;
  let tail: f64 = 0;
  let rounded: f64 = 0;
  let low = f64x2.splat(0);
  let high = f64x2.splat(0);
  for (let i = 0; i < d; i++) {
    const mr = m + ((<usize>(i * d)) << 2);
    const ar = a + ((<usize>(i * d)) << 2);
    let j = 0;
    for (; j + 3 < i; j += 4) {
      const o = (<usize>j) << 2;
      const mq = v128.load(mr + o);
      const aq = v128.load(ar + o);
      const t0 = f64x2.sub(f64x2.promote_low_f32x4(mq), f64x2.promote_low_f32x4(aq));
      const t1 = f64x2.sub(
        f64x2.promote_low_f32x4(v128.shuffle<i32>(mq, mq, 2, 3, 2, 3)),
        f64x2.promote_low_f32x4(v128.shuffle<i32>(aq, aq, 2, 3, 2, 3)),
      );
      low = f64x2.add(low, f64x2.mul(t0, t0));
      high = f64x2.add(high, f64x2.mul(t1, t1));
    }
    if (j + 1 < i) {
      const o = (<usize>j) << 2;
      const t = f64x2.sub(
        f64x2.promote_low_f32x4(v128.load64_zero(mr + o)),
        f64x2.promote_low_f32x4(v128.load64_zero(ar + o)),
      );
      low = f64x2.add(low, f64x2.mul(t, t));
      j += 2;
    }
    if (j < i) {
      const t = <f64>load<f32>(mr + ((<usize>j) << 2)) - <f64>load<f32>(ar + ((<usize>j) << 2));
      tail += t * t;
    }
    const mii = <f64>load<f32>(mr + ((<usize>i) << 2));
    const t = mii - load<f64>(diagonal + ((<usize>i) << 3));
    squares += t * t;
    const dii = V * Math.abs(mii) + TINY;
    rounded += dii * dii;
  }
  store<f64>(out, squares);
  store<f64>(
    out,
    f64x2.extract_lane(low, 0) +
      f64x2.extract_lane(low, 1) +
      f64x2.extract_lane(high, 0) +
      f64x2.extract_lane(high, 1) +
      tail,
    8,
  );
  store<f64>(out, rounded, 16);
}

/**
 * ||(L - A) W||_F for float64 L, A and W (d x d row-major, upper triangles not read), row
 * (d float64) scratch: relativeDrift's operations, row i of (L - A) W as a sum of rows k of W,
 * two columns per f64x2, its squares added in ascending column order.
 */
export function conditionDrift(d: i32, l: usize, a: usize, w: usize, row: usize): f64 {
  let squares: f64 = 0;
  for (let i = 0; i < d; i++) {
    memory.fill(row, 0, (<usize>(i + 1)) << 3);
    const lr = l + ((<usize>(i * d)) << 3);
    const ar = a + ((<usize>(i * d)) << 3);
    for (let k = 0; k <= i; k++) {
      const delta = load<f64>(lr + ((<usize>k) << 3)) - load<f64>(ar + ((<usize>k) << 3));
      if (delta == 0) continue;
      const wk = w + ((<usize>(k * d)) << 3);
      const c = f64x2.splat(delta);
      let j = 0;
      for (; j + 1 <= k; j += 2) {
        const o = row + ((<usize>j) << 3);
        v128.store(o, f64x2.add(v128.load(o), f64x2.mul(c, v128.load(wk + ((<usize>j) << 3)))));
      }
      if (j <= k) {
        const o = row + ((<usize>j) << 3);
        store<f64>(o, load<f64>(o) + delta * load<f64>(wk + ((<usize>j) << 3)));
      }
    }
    for (let j = 0; j <= i; j++) {
      const r = load<f64>(row + ((<usize>j) << 3));
      squares += r * r;
    }
  }
  return Math.sqrt(squares);
}
