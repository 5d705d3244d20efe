// Dot products of one row against many, the core of the native tasks' matrix products, vectorized
// across independent outputs: each output's sum takes its terms in ascending k, one multiply and
// one add at a time, from +0 (src/engine/ops/triangular.ts's rowDots, bit for bit).

/**
 * For c in [c0, c1): out[c] = sum over k in [k0, k1) of x_k * y_kc, where x_k is the float64 at
 * x + k * xs (a row of a matrix, xs = 8, or a column, xs = 8 d) and y_kc = yt[k * d + c] (so the
 * outputs c, c + 1 are neighbours in memory: eight outputs per pass, two per f64x2).
 */
// @ts-ignore: decorator
@inline
export function dotRows(
  x: usize,
  xs: usize,
  yt: usize,
  d: i32,
  k0: i32,
  k1: i32,
  c0: i32,
  c1: i32,
  out: usize,
): void {
  const rs = (<usize>d) << 3;
  const x0 = x + <usize>k0 * xs;
  const y0 = yt + <usize>k0 * rs;
  let c = c0;
  for (; c + 7 < c1; c += 8) {
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    let xp = x0;
    let yp = y0 + ((<usize>c) << 3);
    for (let k = k0; k < k1; k++) {
      const a = f64x2.splat(load<f64>(xp));
      s0 = f64x2.add(s0, f64x2.mul(a, v128.load(yp)));
      s1 = f64x2.add(s1, f64x2.mul(a, v128.load(yp, 16)));
      s2 = f64x2.add(s2, f64x2.mul(a, v128.load(yp, 32)));
      s3 = f64x2.add(s3, f64x2.mul(a, v128.load(yp, 48)));
      xp += xs;
      yp += rs;
    }
    const o = out + ((<usize>c) << 3);
    v128.store(o, s0);
    v128.store(o, s1, 16);
    v128.store(o, s2, 32);
    v128.store(o, s3, 48);
  }
  for (; c + 1 < c1; c += 2) {
    let s0 = f64x2.splat(0);
    let xp = x0;
    let yp = y0 + ((<usize>c) << 3);
    for (let k = k0; k < k1; k++) {
      s0 = f64x2.add(s0, f64x2.mul(f64x2.splat(load<f64>(xp)), v128.load(yp)));
      xp += xs;
      yp += rs;
    }
    v128.store(out + ((<usize>c) << 3), s0);
  }
  if (c < c1) {
    let s: f64 = 0;
    let xp = x0;
    let yp = y0 + ((<usize>c) << 3);
    for (let k = k0; k < k1; k++) {
      s += load<f64>(xp) * load<f64>(yp);
      xp += xs;
      yp += rs;
    }
    store<f64>(out + ((<usize>c) << 3), s);
  }
}

/**
 * dotRows for two rows a (at xa, outputs at outA) and b (at xb, outputs at outB) whose sums share
 * the terms k in [k0, k1) and the outputs c in [c0, c1): each load of y serves both rows. With
 * `headA`, row a's sums take one more term before those, k0 - 1 (its terms start one k earlier);
 * with `tailB`, row b's one more after them, k1 (its terms end one k later). Each sum still takes
 * its terms in ascending k from +0, as dotRows's. sp: scratch of 32 (k1 - k0) bytes, where the
 * rows' x_k are laid out once as f64x2 pairs of copies, so that a term costs one load of each
 * for every block of outputs instead of a load and a splat.
 */
// @ts-ignore: decorator
@inline
export function dotRowPair(
  xa: usize,
  xb: usize,
  xs: usize,
  yt: usize,
  d: i32,
  k0: i32,
  k1: i32,
  c0: i32,
  c1: i32,
  outA: usize,
  outB: usize,
  headA: bool,
  tailB: bool,
  sp: usize,
): void {
  const rs = (<usize>d) << 3;
  pairCopies(xa, xb, xs, k0, k1, sp);
  pairDots(xa + <usize>k0 * xs, xs, xb + <usize>k1 * xs, yt + <usize>k0 * rs, d, c0, c1, outA, outB, headA, tailB, sp, sp + (<usize>(k1 - k0) << 5));
}

/** dotRowPair's copies: x_a and x_b at k in [k0, k1) as f64x2 pairs of copies, 32 bytes a k, from sp. */
// @ts-ignore: decorator
@inline
export function pairCopies(xa: usize, xb: usize, xs: usize, k0: i32, k1: i32, sp: usize): void {
  let xpa = xa + <usize>k0 * xs;
  let xpb = xb + <usize>k0 * xs;
  const spEnd = sp + (<usize>(k1 - k0) << 5);
  for (let q = sp; q < spEnd; q += 32) {
    v128.store(q, f64x2.splat(load<f64>(xpa)));
    v128.store(q, f64x2.splat(load<f64>(xpb)), 16);
    xpa += xs;
    xpb += xs;
  }
}

/**
 * dotRowPair's sums from its copies of the shared terms at [sp, spEnd) (pairCopies): y's rows
 * from y0 (the first shared term's), x_a's first shared term at xa0 (its head term one xs
 * before), x_b's tail term at xbEnd. A caller whose blocks of outputs start their terms at
 * different k can make the copies once and pass each block its part of them.
 */
// @ts-ignore: decorator
@inline
export function pairDots(
  xa0: usize,
  xs: usize,
  xbEnd: usize,
  y0: usize,
  d: i32,
  c0: i32,
  c1: i32,
  outA: usize,
  outB: usize,
  headA: bool,
  tailB: bool,
  sp: usize,
  spEnd: usize,
): void {
  const rs = (<usize>d) << 3;
  let c = c0;
  for (; c + 7 < c1; c += 8) {
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let s3 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let t2 = f64x2.splat(0);
    let t3 = f64x2.splat(0);
    let yp = y0 + ((<usize>c) << 3);
    if (headA) {
      const a = f64x2.splat(load<f64>(xa0 - xs));
      const yh = yp - rs;
      s0 = f64x2.add(s0, f64x2.mul(a, v128.load(yh)));
      s1 = f64x2.add(s1, f64x2.mul(a, v128.load(yh, 16)));
      s2 = f64x2.add(s2, f64x2.mul(a, v128.load(yh, 32)));
      s3 = f64x2.add(s3, f64x2.mul(a, v128.load(yh, 48)));
    }
    for (let q = sp; q < spEnd; q += 32) {
      const a = v128.load(q);
      const b = v128.load(q, 16);
      const v0 = v128.load(yp);
      const v1 = v128.load(yp, 16);
      const v2 = v128.load(yp, 32);
      const v3 = v128.load(yp, 48);
      s0 = f64x2.add(s0, f64x2.mul(a, v0));
      s1 = f64x2.add(s1, f64x2.mul(a, v1));
      s2 = f64x2.add(s2, f64x2.mul(a, v2));
      s3 = f64x2.add(s3, f64x2.mul(a, v3));
      t0 = f64x2.add(t0, f64x2.mul(b, v0));
      t1 = f64x2.add(t1, f64x2.mul(b, v1));
      t2 = f64x2.add(t2, f64x2.mul(b, v2));
      t3 = f64x2.add(t3, f64x2.mul(b, v3));
      yp += rs;
    }
    if (tailB) {
      const b = f64x2.splat(load<f64>(xbEnd));
      t0 = f64x2.add(t0, f64x2.mul(b, v128.load(yp)));
      t1 = f64x2.add(t1, f64x2.mul(b, v128.load(yp, 16)));
      t2 = f64x2.add(t2, f64x2.mul(b, v128.load(yp, 32)));
      t3 = f64x2.add(t3, f64x2.mul(b, v128.load(yp, 48)));
    }
    const oa = outA + ((<usize>c) << 3);
    v128.store(oa, s0);
    v128.store(oa, s1, 16);
    v128.store(oa, s2, 32);
    v128.store(oa, s3, 48);
    const ob = outB + ((<usize>c) << 3);
    v128.store(ob, t0);
    v128.store(ob, t1, 16);
    v128.store(ob, t2, 32);
    v128.store(ob, t3, 48);
  }
  // A block of four: half the passes over y that two blocks of two take.
  if (c + 3 < c1) {
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let yp = y0 + ((<usize>c) << 3);
    if (headA) {
      const a = f64x2.splat(load<f64>(xa0 - xs));
      s0 = f64x2.add(s0, f64x2.mul(a, v128.load(yp - rs)));
      s1 = f64x2.add(s1, f64x2.mul(a, v128.load(yp - rs, 16)));
    }
    for (let q = sp; q < spEnd; q += 32) {
      const a = v128.load(q);
      const b = v128.load(q, 16);
      const v0 = v128.load(yp);
      const v1 = v128.load(yp, 16);
      s0 = f64x2.add(s0, f64x2.mul(a, v0));
      s1 = f64x2.add(s1, f64x2.mul(a, v1));
      t0 = f64x2.add(t0, f64x2.mul(b, v0));
      t1 = f64x2.add(t1, f64x2.mul(b, v1));
      yp += rs;
    }
    if (tailB) {
      const b = f64x2.splat(load<f64>(xbEnd));
      t0 = f64x2.add(t0, f64x2.mul(b, v128.load(yp)));
      t1 = f64x2.add(t1, f64x2.mul(b, v128.load(yp, 16)));
    }
    const oa = outA + ((<usize>c) << 3);
    v128.store(oa, s0);
    v128.store(oa, s1, 16);
    const ob = outB + ((<usize>c) << 3);
    v128.store(ob, t0);
    v128.store(ob, t1, 16);
    c += 4;
  }
  for (; c + 1 < c1; c += 2) {
    let s0 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let yp = y0 + ((<usize>c) << 3);
    if (headA) s0 = f64x2.add(s0, f64x2.mul(f64x2.splat(load<f64>(xa0 - xs)), v128.load(yp - rs)));
    for (let q = sp; q < spEnd; q += 32) {
      const v = v128.load(yp);
      s0 = f64x2.add(s0, f64x2.mul(v128.load(q), v));
      t0 = f64x2.add(t0, f64x2.mul(v128.load(q, 16), v));
      yp += rs;
    }
    if (tailB) t0 = f64x2.add(t0, f64x2.mul(f64x2.splat(load<f64>(xbEnd)), v128.load(yp)));
    v128.store(outA + ((<usize>c) << 3), s0);
    v128.store(outB + ((<usize>c) << 3), t0);
  }
  if (c < c1) {
    let s: f64 = 0;
    let t: f64 = 0;
    let yp = y0 + ((<usize>c) << 3);
    if (headA) s += load<f64>(xa0 - xs) * load<f64>(yp - rs);
    for (let q = sp; q < spEnd; q += 32) {
      const y = load<f64>(yp);
      s += load<f64>(q) * y;
      t += load<f64>(q, 16) * y;
      yp += rs;
    }
    if (tailB) t += load<f64>(xbEnd) * load<f64>(yp);
    store<f64>(outA + ((<usize>c) << 3), s);
    store<f64>(outB + ((<usize>c) << 3), t);
  }
}

/**
 * W = L^-1 of the float64 column-major factor at lc (lc[q d + p] = L_pq) into w row-major
 * (w[k d + q] = W_kq, zeros above the diagonal: the sums below read them), as ops/triangular.ts's
 * inverseTransposeInto sums it: W_pq = (even + odd) / L_pp, the terms -L_pk W_kq for k in [q, p)
 * split between two sums by the parity of k - q (W_pp = (1 + 0) / L_pp). Row by row, the columns
 * of a row across the vectors, six at a time in registers (at eight, V8 spills two of the sums to
 * the stack on every term): sums a and b take the terms of even and odd k - q0, so for the odd
 * columns of a block a is their odd sum and b their even one (and odd + even is even + odd, bit
 * for bit). A column q > q0 of a block starts at k = q0: its terms
 * for k < q are -L_pk * 0, which leave its +0 sum +0, as the sum it has not started yet.
 */
export function inverseInto(d: i32, lc: usize, w: usize): void {
  const rs = (<usize>d) << 3;
  const rs2 = rs << 1;
  for (let p = 0; p < d; p++) {
    // L_pk at lc + k rs + p 8 and W_kq at w + k rs + q 8: both walked down k by pointer.
    const lcp = lc + ((<usize>p) << 3);
    const lpp = load<f64>(lcp + <usize>p * rs);
    const out = w + <usize>p * rs;
    let q = 0;
    for (; q + 5 < p; q += 6) {
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      let a2 = f64x2.splat(0);
      let b0 = f64x2.splat(0);
      let b1 = f64x2.splat(0);
      let b2 = f64x2.splat(0);
      let lk = lcp + <usize>q * rs;
      let r = w + <usize>q * rs + ((<usize>q) << 3);
      let k = q;
      for (; k + 1 < p; k += 2) {
        const l0 = f64x2.splat(load<f64>(lk));
        const l1 = f64x2.splat(load<f64>(lk + rs));
        const n = r + rs;
        a0 = f64x2.sub(a0, f64x2.mul(l0, v128.load(r)));
        a1 = f64x2.sub(a1, f64x2.mul(l0, v128.load(r, 16)));
        a2 = f64x2.sub(a2, f64x2.mul(l0, v128.load(r, 32)));
        b0 = f64x2.sub(b0, f64x2.mul(l1, v128.load(n)));
        b1 = f64x2.sub(b1, f64x2.mul(l1, v128.load(n, 16)));
        b2 = f64x2.sub(b2, f64x2.mul(l1, v128.load(n, 32)));
        lk += rs2;
        r += rs2;
      }
      if (k < p) {
        const l0 = f64x2.splat(load<f64>(lk));
        a0 = f64x2.sub(a0, f64x2.mul(l0, v128.load(r)));
        a1 = f64x2.sub(a1, f64x2.mul(l0, v128.load(r, 16)));
        a2 = f64x2.sub(a2, f64x2.mul(l0, v128.load(r, 32)));
      }
      const dv = f64x2.splat(lpp);
      const o = out + (<usize>q << 3);
      v128.store(o, f64x2.div(f64x2.add(a0, b0), dv));
      v128.store(o, f64x2.div(f64x2.add(a1, b1), dv), 16);
      v128.store(o, f64x2.div(f64x2.add(a2, b2), dv), 32);
    }
    for (; q + 1 < p; q += 2) {
      let a = f64x2.splat(0);
      let b = f64x2.splat(0);
      let lk = lcp + <usize>q * rs;
      let r = w + <usize>q * rs + ((<usize>q) << 3);
      let k = q;
      for (; k + 1 < p; k += 2) {
        a = f64x2.sub(a, f64x2.mul(f64x2.splat(load<f64>(lk)), v128.load(r)));
        b = f64x2.sub(b, f64x2.mul(f64x2.splat(load<f64>(lk + rs)), v128.load(r + rs)));
        lk += rs2;
        r += rs2;
      }
      if (k < p) a = f64x2.sub(a, f64x2.mul(f64x2.splat(load<f64>(lk)), v128.load(r)));
      v128.store(out + (<usize>q << 3), f64x2.div(f64x2.add(a, b), f64x2.splat(lpp)));
    }
    if (q < p) {
      let even: f64 = 0;
      let odd: f64 = 0;
      let lk = lcp + <usize>q * rs;
      let r = w + <usize>q * rs + ((<usize>q) << 3);
      let k = q;
      for (; k + 1 < p; k += 2) {
        even -= load<f64>(lk) * load<f64>(r);
        odd -= load<f64>(lk + rs) * load<f64>(r + rs);
        lk += rs2;
        r += rs2;
      }
      if (k < p) even -= load<f64>(lk) * load<f64>(r);
      store<f64>(out + (<usize>q << 3), (even + odd) / lpp);
    }
    const one: f64 = 1;
    store<f64>(out + (<usize>p << 3), (one + 0) / lpp);
    for (let c = p + 1; c < d; c++) store<f64>(out + (<usize>c << 3), 0);
  }
}
