// The classifier's density and its backward for one lane (tasks/mvn-classifier-wasm.ts), the
// WebAssembly twin of tasks/mvn-classifier-native.ts's `density` and `densityBackward`: every
// output gets the JavaScript kernel's float64 operations in its order. Vectors run across
// independent outputs only: the rows of a forward substitution (its column form: row p still
// subtracts its terms in q order), the columns of a row of sums, and pairs of back substitutions
// (unit, trial), whose single chains cannot be split.
//
// Layouts: a unit's factor comes in as float32 row-major (l + u d^2) and is kept in float64
// column-major (lc: lc[q d + p] = L_pq, p >= q) so both substitutions read columns of L as
// contiguous rows; chain c = u m + i (unit u, trial i) has its z and s at c d.

import { inverseInto } from './triangular';

/** t[p] -= c[p] * s for p in [from, to): each t[p] one subtraction, as `t -= l * z` does. */
@inline
function subScaled(t: usize, c: usize, s: f64, from: i32, to: i32): void {
  const v = f64x2.splat(s);
  let p = from;
  for (; p + 3 < to; p += 4) {
    const a = t + (<usize>p << 3);
    const b = c + (<usize>p << 3);
    v128.store(a, f64x2.sub(v128.load(a), f64x2.mul(v128.load(b), v)));
    v128.store(a, f64x2.sub(v128.load(a, 16), f64x2.mul(v128.load(b, 16), v)), 16);
  }
  for (; p + 1 < to; p += 2) {
    const a = t + (<usize>p << 3);
    v128.store(a, f64x2.sub(v128.load(a), f64x2.mul(v128.load(c + (<usize>p << 3)), v)));
  }
  if (p < to) {
    const a = t + (<usize>p << 3);
    store<f64>(a, load<f64>(a) - load<f64>(c + (<usize>p << 3)) * s);
  }
}

/**
 * Each unit's factor into lc, then for each chain z = L^-1 (x_i - mu_u) (forward substitution,
 * column form over the scratch row t) into zs and |z|^2 into maha[c]. The log-determinant and
 * the constant are the caller's (Math.log is JavaScript's).
 */
export function classifierForward(
  d: i32,
  units: i32,
  m: i32,
  x: usize,
  mu: usize,
  l: usize,
  lc: usize,
  zs: usize,
  maha: usize,
  t: usize,
): void {
  const dd = d * d;
  for (let u = 0; u < units; u++) {
    const lu = l + (<usize>(u * dd) << 2);
    const cu = lc + (<usize>(u * dd) << 3);
    for (let q = 0; q < d; q++)
      for (let p = q; p < d; p++)
        store<f64>(cu + (<usize>(q * d + p) << 3), <f64>load<f32>(lu + (<usize>(p * d + q) << 2)));
    const mu0 = mu + (<usize>(u * d) << 2);
    for (let i = 0; i < m; i++) {
      const xi = x + (<usize>(i * d) << 2);
      const c = u * m + i;
      const z = zs + (<usize>(c * d) << 3);
      for (let p = 0; p < d; p++)
        store<f64>(t + (<usize>p << 3), <f64>load<f32>(xi + (<usize>p << 2)) - <f64>load<f32>(mu0 + (<usize>p << 2)));
      let sum: f64 = 0;
      for (let q = 0; q < d; q++) {
        const col = cu + (<usize>(q * d) << 3);
        const zq = load<f64>(t + (<usize>q << 3)) / load<f64>(col + (<usize>q << 3));
        store<f64>(z + (<usize>q << 3), zq);
        sum += zq * zq;
        subScaled(t, col, zq, q + 1, d);
      }
      store<f64>(maha + (<usize>c << 3), sum);
    }
  }
}

/**
 * s = L^-T z of chains a and b at once, one in each half of an f64x2 (L of each chain's unit at la
 * and lb, column-major): s_p = (z_p - sum_{q > p} L_qp s_q) / L_pp, q ascending. sp is scratch
 * for the pair's s, interleaved.
 */
function backSubstitutePair(
  d: i32,
  la: usize,
  za: usize,
  sa: usize,
  lb: usize,
  zb: usize,
  sb: usize,
  sp: usize,
): void {
  for (let p = d - 1; p >= 0; p--) {
    const ca = la + (<usize>(p * d) << 3);
    const cb = lb + (<usize>(p * d) << 3);
    let t = f64x2(load<f64>(za + (<usize>p << 3)), load<f64>(zb + (<usize>p << 3)));
    for (let q = p + 1; q < d; q++) {
      const c = f64x2.replace_lane(f64x2.splat(load<f64>(ca + (<usize>q << 3))), 1, load<f64>(cb + (<usize>q << 3)));
      t = f64x2.sub(t, f64x2.mul(c, v128.load(sp + (<usize>q << 4))));
    }
    const s = f64x2.div(t, f64x2.replace_lane(f64x2.splat(load<f64>(ca + (<usize>p << 3))), 1, load<f64>(cb + (<usize>p << 3))));
    v128.store(sp + (<usize>p << 4), s);
    store<f64>(sa + (<usize>p << 3), f64x2.extract_lane(s, 0));
    store<f64>(sb + (<usize>p << 3), f64x2.extract_lane(s, 1));
  }
}

/** The same for one chain. */
function backSubstitute(d: i32, l: usize, z: usize, s: usize): void {
  for (let p = d - 1; p >= 0; p--) {
    const col = l + (<usize>(p * d) << 3);
    let t = load<f64>(z + (<usize>p << 3));
    for (let q = p + 1; q < d; q++) t -= load<f64>(col + (<usize>q << 3)) * load<f64>(s + (<usize>q << 3));
    store<f64>(s + (<usize>p << 3), t / load<f64>(col + (<usize>p << 3)));
  }
}

/** dst[q] = (fresh ? 0 : dst[q]) + g * v[q] for q in [0, n): a running sum over trials. */
@inline
function addScaled(dst: usize, v: usize, g: f64, n: i32, fresh: bool): void {
  const gv = f64x2.splat(g);
  const zero = f64x2.splat(0);
  let q = 0;
  for (; q + 1 < n; q += 2) {
    const a = dst + (<usize>q << 3);
    v128.store(a, f64x2.add(fresh ? zero : v128.load(a), f64x2.mul(gv, v128.load(v + (<usize>q << 3)))));
  }
  if (q < n) {
    const a = dst + (<usize>q << 3);
    store<f64>(a, (fresh ? 0 : load<f64>(a)) + g * load<f64>(v + (<usize>q << 3)));
  }
}

/**
 * d loss / d Sigma = (acc - gsum Sigma^-1) / 2 into dl (float32, both triangles), with
 * (Sigma^-1)_pq = sum_{k >= p} W_kp W_kq for q <= p in two sums by the parity of k - p, as
 * mvn-classifier-native.ts sums them. For one p every q's sums take the same k, so q runs across
 * the vectors: four columns of sums (eight chains) at a time, then two, then one.
 */
function sigmaInto(d: i32, w: usize, acc: usize, gsum: f64, dl: usize): void {
  const g = f64x2.splat(gsum);
  const two = f64x2.splat(2);
  for (let p = 0; p < d; p++) {
    let q = 0;
    for (; q + 3 <= p; q += 4) {
      let e0 = f64x2.splat(0);
      let o0 = f64x2.splat(0);
      let e1 = f64x2.splat(0);
      let o1 = f64x2.splat(0);
      let k = p;
      for (; k + 1 < d; k += 2) {
        const r = w + (<usize>(k * d + q) << 3);
        const n = r + (<usize>d << 3);
        const a = f64x2.splat(load<f64>(w + (<usize>(k * d + p) << 3)));
        const c = f64x2.splat(load<f64>(w + (<usize>((k + 1) * d + p) << 3)));
        e0 = f64x2.add(e0, f64x2.mul(a, v128.load(r)));
        e1 = f64x2.add(e1, f64x2.mul(a, v128.load(r, 16)));
        o0 = f64x2.add(o0, f64x2.mul(c, v128.load(n)));
        o1 = f64x2.add(o1, f64x2.mul(c, v128.load(n, 16)));
      }
      if (k < d) {
        const r = w + (<usize>(k * d + q) << 3);
        const a = f64x2.splat(load<f64>(w + (<usize>(k * d + p) << 3)));
        e0 = f64x2.add(e0, f64x2.mul(a, v128.load(r)));
        e1 = f64x2.add(e1, f64x2.mul(a, v128.load(r, 16)));
      }
      const ar = acc + (<usize>(p * d + q) << 3);
      storeSymmetric(dl, d, p, q, f64x2.div(f64x2.sub(v128.load(ar), f64x2.mul(g, f64x2.add(e0, o0))), two));
      storeSymmetric(dl, d, p, q + 2, f64x2.div(f64x2.sub(v128.load(ar, 16), f64x2.mul(g, f64x2.add(e1, o1))), two));
    }
    for (; q + 1 <= p; q += 2) {
      let e0 = f64x2.splat(0);
      let o0 = f64x2.splat(0);
      let k = p;
      for (; k + 1 < d; k += 2) {
        const r = w + (<usize>(k * d + q) << 3);
        e0 = f64x2.add(e0, f64x2.mul(f64x2.splat(load<f64>(w + (<usize>(k * d + p) << 3))), v128.load(r)));
        o0 = f64x2.add(o0, f64x2.mul(f64x2.splat(load<f64>(w + (<usize>((k + 1) * d + p) << 3))), v128.load(r + (<usize>d << 3))));
      }
      if (k < d)
        e0 = f64x2.add(e0, f64x2.mul(f64x2.splat(load<f64>(w + (<usize>(k * d + p) << 3))), v128.load(w + (<usize>(k * d + q) << 3))));
      const ar = acc + (<usize>(p * d + q) << 3);
      storeSymmetric(dl, d, p, q, f64x2.div(f64x2.sub(v128.load(ar), f64x2.mul(g, f64x2.add(e0, o0))), two));
    }
    if (q <= p) {
      let even: f64 = 0;
      let odd: f64 = 0;
      let k = p;
      for (; k + 1 < d; k += 2) {
        even += load<f64>(w + (<usize>(k * d + p) << 3)) * load<f64>(w + (<usize>(k * d + q) << 3));
        odd += load<f64>(w + (<usize>((k + 1) * d + p) << 3)) * load<f64>(w + (<usize>((k + 1) * d + q) << 3));
      }
      if (k < d) even += load<f64>(w + (<usize>(k * d + p) << 3)) * load<f64>(w + (<usize>(k * d + q) << 3));
      const v = <f32>((load<f64>(acc + (<usize>(p * d + q) << 3)) - gsum * (even + odd)) / 2);
      store<f32>(dl + (<usize>(p * d + q) << 2), v);
      store<f32>(dl + (<usize>(q * d + p) << 2), v);
    }
  }
}

/** Entries (p, q) and (p, q + 1) of v, rounded to float32, at (p, q..q+1) and (q..q+1, p). */
@inline
function storeSymmetric(dl: usize, d: i32, p: i32, q: i32, v: v128): void {
  const a = <f32>f64x2.extract_lane(v, 0);
  const b = <f32>f64x2.extract_lane(v, 1);
  store<f32>(dl + (<usize>(p * d + q) << 2), a);
  store<f32>(dl + (<usize>(p * d + q + 1) << 2), b);
  store<f32>(dl + (<usize>(q * d + p) << 2), a);
  store<f32>(dl + (<usize>((q + 1) * d + p) << 2), b);
}

/**
 * d loss / d mu (into dmu, float32) and d loss / d L (zeros above its lower triangle), or with
 * `sigma` d loss / d Sigma (into dl, float32, both triangles), of every unit from g = d loss / d log p (g[c]) and the
 * forward's lc and zs: s = L^-T z per chain, two chains per f64x2; per unit the sums over trials
 * in trial order (acc and accMu, the first trial's terms added to 0, as the JavaScript kernel
 * does), the log-determinant's -gsum / L_pp; for Sigma the inverse and (acc - gsum Sigma^-1) / 2.
 */
export function classifierBackward(
  d: i32,
  units: i32,
  m: i32,
  sigma: bool,
  lc: usize,
  zs: usize,
  g: usize,
  s: usize,
  sp: usize,
  acc: usize,
  accMu: usize,
  w: usize,
  dl: usize,
  dmu: usize,
): void {
  const dd = d * d;
  const chains = units * m;
  let c = 0;
  for (; c + 1 < chains; c += 2) {
    const n = c + 1;
    backSubstitutePair(
      d,
      lc + (<usize>((c / m) * dd) << 3),
      zs + (<usize>(c * d) << 3),
      s + (<usize>(c * d) << 3),
      lc + (<usize>((n / m) * dd) << 3),
      zs + (<usize>(n * d) << 3),
      s + (<usize>(n * d) << 3),
      sp,
    );
  }
  if (c < chains)
    backSubstitute(d, lc + (<usize>((c / m) * dd) << 3), zs + (<usize>(c * d) << 3), s + (<usize>(c * d) << 3));
  for (let u = 0; u < units; u++) {
    const cu = lc + (<usize>(u * dd) << 3);
    const du = dl + (<usize>(u * dd) << 2);
    let gsum: f64 = 0;
    for (let i = 0; i < m; i++) {
      const ci = u * m + i;
      const gi = load<f64>(g + (<usize>ci << 3));
      gsum += gi;
      const si = s + (<usize>(ci * d) << 3);
      const v = sigma ? si : zs + (<usize>(ci * d) << 3);
      const first = i === 0;
      const last = i === m - 1;
      for (let p = 0; p < d; p++) {
        const gs = gi * load<f64>(si + (<usize>p << 3));
        const row = acc + (<usize>(p * d) << 3);
        addScaled(row, v, gs, p + 1, first);
        if (last && !sigma) {
          // The last trial's sums, with the log-determinant's term on the diagonal, are d loss / d L.
          const at = row + (<usize>p << 3);
          store<f64>(at, load<f64>(at) + -gsum / load<f64>(cu + (<usize>(p * d + p) << 3)));
          for (let q = 0; q <= p; q++)
            store<f32>(du + (<usize>(p * d + q) << 2), <f32>load<f64>(row + (<usize>q << 3)));
          for (let q = p + 1; q < d; q++) store<f32>(du + (<usize>(p * d + q) << 2), 0);
        }
        const mp = accMu + (<usize>p << 3);
        const sum = (first ? 0 : load<f64>(mp)) + gs;
        if (last) store<f32>(dmu + (<usize>(u * d + p) << 2), <f32>sum);
        else store<f64>(mp, sum);
      }
    }
    if (sigma) {
      inverseInto(d, cu, w);
      sigmaInto(d, w, acc, gsum, du);
    }
  }
}
