// The classifier's whole step at small d across lanes (tasks/mvn-classifier-lanes.ts): two lanes
// per f64x2, each half doing exactly the float64 operations, in the same order, of the JavaScript
// lane (ops/cholesky-kernel.ts's forward for `full`, mvn-classifier-native.ts's `density` and
// `densityBackward`, native/maps.ts's map backward), so every lane gets the numbers it gets
// there. Within one lane at d = 2 or 4 there is nothing independent to put side by side; across
// lanes everything is.
//
// Lanes come in pairs (an i32 pair of lane indices each; the caller pairs the live lanes, and an
// odd one with itself). Operands stay where the step keeps them, lane-major (AoS), and are read
// into pair form on the way: a pair's L (f64, lower triangle) at lp + (k U + u) d^2 v128s, its z
// at zs + ((k U + u) m + i) d v128s, for pair k. exp and log are V8's Math.exp and Math.log
// (fdlibm.ts): log-cholesky's diagonal here, the log-densities' and the head's in
// classifier-head.ts.

import { fdlibmExp } from './fdlibm';

/** Lanes a and b of the float32s at a and b, as float64. */
@inline
function pair(a: usize, b: usize): v128 {
  return f64x2(<f64>load<f32>(a), <f64>load<f32>(b));
}

/** Both halves of v rounded to float32, into a and b. */
@inline
function put(a: usize, b: usize, v: v128): void {
  store<f32>(a, <f32>f64x2.extract_lane(v, 0));
  store<f32>(b, <f32>f64x2.extract_lane(v, 1));
}

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 4);
}

/**
 * t - a_0 b_0 - a_1 b_1 - ... - a_(n-1) b_(n-1), subtracted one term at a time in that order,
 * a_k at a + k aStep bytes and b_k at b + 16 k. The hot loops here step pointers: an index
 * scaled to a v128's 16 bytes costs a shift and an add per load, which x64's addressing cannot
 * fold (it scales by 8 at most). With paritySum's and the backward's sums stepped the same way,
 * `full` takes 4% and 9% more lane-steps/s at d = 8 and 16 (tril and log-cholesky, which skip
 * Sigma's inverse, 0% to 2%).
 */
@inline
function chainSub(t: v128, a: usize, aStep: usize, b: usize, n: i32): v128 {
  const end = b + (<usize>n << 4);
  for (; b < end; a += aStep, b += 16) t = f64x2.sub(t, f64x2.mul(v128.load(a), v128.load(b)));
  return t;
}

/**
 * CholeskyKernel.forward of Sigma (lower triangle of the float32 blocks at sa and sb) for two
 * lanes, into their float32 factors la and lb and pivots pa and pb (the checks), with w as
 * float64 scratch (d^2 v128). A lane whose pivot fails (<= 0 or NaN as float32) keeps the pivots
 * up to it, NaN after, and its factor's columns before it, NaN from it on. Returns which lanes
 * succeeded: bit 0 lane a, bit 1 lane b.
 */
function choleskyPair(d: i32, sa: usize, sb: usize, la: usize, lb: usize, pa: usize, pb: usize, w: usize): i32 {
  let fa = d;
  let fb = d;
  for (let j = 0; j < d; j++) {
    const jj = j * d + j;
    const wj = at(w, j * d);
    const s = chainSub(pair(sa + (<usize>jj << 2), sb + (<usize>jj << 2)), wj, 16, wj, j);
    const pivotA = <f32>f64x2.extract_lane(s, 0);
    const pivotB = <f32>f64x2.extract_lane(s, 1);
    if (fa === d) {
      store<f32>(pa + (<usize>j << 2), pivotA);
      if (!(pivotA > 0)) fa = j;
    }
    if (fb === d) {
      store<f32>(pb + (<usize>j << 2), pivotB);
      if (!(pivotB > 0)) fb = j;
    }
    // Past a lane's failure its half computes garbage that nothing keeps.
    const ljj = f64x2.sqrt(s);
    v128.store(at(w, jj), ljj);
    for (let i = j + 1; i < d; i++) {
      const ij = i * d + j;
      const t = chainSub(pair(sa + (<usize>ij << 2), sb + (<usize>ij << 2)), at(w, i * d), 16, wj, j);
      v128.store(at(w, ij), f64x2.div(t, ljj));
    }
  }
  factorOut(d, w, 0, fa, la, pa);
  factorOut(d, w, 1, fb, lb, pb);
  return (fa === d ? 1 : 0) | (fb === d ? 2 : 0);
}

/** Half `half` of the pair factor w into the float32 factor l, as CholeskyKernel.forward writes it when column `failed` failed (d: none). */
@inline
function factorOut(d: i32, w: usize, half: i32, failed: i32, l: usize, pivots: usize): void {
  for (let j = failed + 1; j < d; j++) store<f32>(pivots + (<usize>j << 2), NaN);
  for (let i = 0; i < d; i++) {
    const known = min(i + 1, failed);
    let c = 0;
    for (; c < known; c++) {
      const v = v128.load(at(w, i * d + c));
      store<f32>(l + (<usize>(i * d + c) << 2), <f32>(half === 0 ? f64x2.extract_lane(v, 0) : f64x2.extract_lane(v, 1)));
    }
    for (; c <= i; c++) store<f32>(l + (<usize>(i * d + c) << 2), NaN);
    for (; c < d; c++) store<f32>(l + (<usize>(i * d + c) << 2), 0);
  }
}

/**
 * The forward of every pair: each unit's factor (by `map`: SIGMA, Sigma's at raw into l, pivots
 * into checks, success into ok[lane U + u]; else L is raw's lower triangle, its diagonal the
 * checks, log-cholesky's diagonal first made exp of the raw one in place), then z = L^-1 (x_i - mu_u) of each trial into zs and |z|^2 into maha[(lane U + u) m +
 * i] (f64), as NativeClassifier's `density` takes them.
 */
export function classifierLanesForward(
  map: i32,
  d: i32,
  units: i32,
  m: i32,
  pairs: usize,
  count: i32,
  x: usize,
  mu: usize,
  raw: usize,
  l: usize,
  checks: usize,
  ok: usize,
  lp: usize,
  zs: usize,
  maha: usize,
  w: usize,
): void {
  const dd = d * d;
  for (let k = 0; k < count; k++) {
    const a = load<i32>(pairs + (<usize>k << 3));
    const b = load<i32>(pairs + (<usize>k << 3), 4);
    for (let u = 0; u < units; u++) {
      const ea = a * units + u;
      const eb = b * units + u;
      const ra = raw + (<usize>(ea * dd) << 2);
      const rb = raw + (<usize>(eb * dd) << 2);
      const ca = checks + (<usize>(ea * d) << 2);
      const cb = checks + (<usize>(eb * d) << 2);
      if (map === LOG_CHOLESKY) {
        // L's diagonal as the map makes it, in place: the float32 exp of the raw one (once for
        // a lane paired with itself).
        expDiagonal(d, ra);
        if (b !== a) expDiagonal(d, rb);
      }
      let srcA = ra;
      let srcB = rb;
      if (map === SIGMA) {
        srcA = l + (<usize>(ea * dd) << 2);
        srcB = l + (<usize>(eb * dd) << 2);
        const good = choleskyPair(d, ra, rb, srcA, srcB, ca, cb, w);
        store<i32>(ok + (<usize>ea << 2), good & 1);
        store<i32>(ok + (<usize>eb << 2), good >> 1);
      } else
        for (let j = 0; j < d; j++) {
          const jj = <usize>(j * d + j) << 2;
          store<f32>(ca + (<usize>j << 2), load<f32>(ra + jj));
          store<f32>(cb + (<usize>j << 2), load<f32>(rb + jj));
        }
      const lu = lp + (<usize>((k * units + u) * dd) << 4);
      for (let i = 0; i < d; i++)
        for (let c = 0; c <= i; c++) {
          const o = <usize>(i * d + c) << 2;
          v128.store(at(lu, i * d + c), pair(srcA + o, srcB + o));
        }
      const ma = mu + (<usize>(ea * d) << 2);
      const mb = mu + (<usize>(eb * d) << 2);
      for (let i = 0; i < m; i++) {
        const xa = x + (<usize>((a * m + i) * d) << 2);
        const xb = x + (<usize>((b * m + i) * d) << 2);
        const z = zs + (<usize>(((k * units + u) * m + i) * d) << 4);
        let sum = f64x2.splat(0);
        for (let p = 0; p < d; p++) {
          const po = <usize>p << 2;
          const t = chainSub(f64x2.sub(pair(xa + po, xb + po), pair(ma + po, mb + po)), at(lu, p * d), 16, z, p);
          const zp = f64x2.div(t, v128.load(at(lu, p * d + p)));
          v128.store(at(z, p), zp);
          sum = f64x2.add(sum, f64x2.mul(zp, zp));
        }
        store<f64>(maha + (<usize>((ea * m + i)) << 3), f64x2.extract_lane(sum, 0));
        store<f64>(maha + (<usize>((eb * m + i)) << 3), f64x2.extract_lane(sum, 1));
      }
    }
  }
}

/** The float32 block at r's diagonal replaced by its exp (Math.exp's, rounded to float32). */
function expDiagonal(d: i32, r: usize): void {
  for (let j = 0; j < d; j++) {
    const o = r + (<usize>(j * d + j) << 2);
    store<f32>(o, <f32>fdlibmExp(<f64>load<f32>(o)));
  }
}

/** What the map's backward makes of dL: */
/** `full`: d loss / d Sigma is the raw gradient (0 for a failed factor). */
const SIGMA: i32 = 0;
/** tril: dL's lower triangle, zeros above. */
const TRIL: i32 = 1;
/** log-cholesky: dL below the diagonal, dL_jj L_jj on it, zeros above. */
const LOG_CHOLESKY: i32 = 2;

/** Entry (p, q) of dL for both lanes of a pair, as `map` writes it into the raw gradients ga and gb. */
@inline
function putDl(map: i32, ga: usize, gb: usize, d: i32, p: i32, q: i32, v: v128, lpp: v128): void {
  const o = <usize>(p * d + q) << 2;
  if (map === LOG_CHOLESKY && p === q) {
    // dl is float32 (the task's buffer), then times L_jj, rounded again.
    const r = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
    put(ga + o, gb + o, f64x2.mul(r, lpp));
  } else put(ga + o, gb + o, v);
}

/**
 * The backward of every pair from g = d loss / d log p (g[(lane U + u) m + i], f64) and the
 * forward's lp and zs, as NativeClassifier's `densityBackward` and the map's backward take it: d
 * loss / d mu into gmu (float32, lane-major) and, by `map`, d loss / d Sigma or d loss / d L
 * through the map into graw (float32 d x d blocks, lane-major). sc: scratch of 3 d^2 + 2 d v128.
 */
export function classifierLanesBackward(
  map: i32,
  d: i32,
  units: i32,
  m: i32,
  pairs: usize,
  count: i32,
  lp: usize,
  zs: usize,
  g: usize,
  ok: usize,
  gmu: usize,
  graw: usize,
  sc: usize,
): void {
  const dd = d * d;
  const sigma = map === SIGMA;
  const s = sc;
  const accMu = at(s, d);
  const acc = at(accMu, d);
  const wt = at(acc, dd);
  const dls = at(wt, dd);
  const zero = f64x2.splat(0);
  for (let k = 0; k < count; k++) {
    const a = load<i32>(pairs + (<usize>k << 3));
    const b = load<i32>(pairs + (<usize>k << 3), 4);
    for (let u = 0; u < units; u++) {
      const ea = a * units + u;
      const eb = b * units + u;
      const lu = lp + (<usize>((k * units + u) * dd) << 4);
      const ga = graw + (<usize>(ea * dd) << 2);
      const gb = graw + (<usize>(eb * dd) << 2);
      let gsum = f64x2.splat(0);
      for (let i = 0; i < m; i++) {
        const gi = f64x2(load<f64>(g + (<usize>(ea * m + i) << 3)), load<f64>(g + (<usize>(eb * m + i) << 3)));
        gsum = f64x2.add(gsum, gi);
        const z = zs + (<usize>(((k * units + u) * m + i) * d) << 4);
        for (let p = d - 1; p >= 0; p--) {
          const t = chainSub(v128.load(at(z, p)), at(lu, (p + 1) * d + p), <usize>d << 4, at(s, p + 1), d - 1 - p);
          v128.store(at(s, p), f64x2.div(t, v128.load(at(lu, p * d + p))));
        }
        const v = sigma ? s : z;
        const first = i === 0;
        const last = i === m - 1;
        const toDl = last && !sigma;
        for (let p = 0; p < d; p++) {
          const gs = f64x2.mul(gi, v128.load(at(s, p)));
          if (toDl) {
            const lpp = v128.load(at(lu, p * d + p));
            for (let q = 0; q < p; q++) {
              const r = f64x2.add(first ? zero : v128.load(at(acc, p * d + q)), f64x2.mul(gs, v128.load(at(v, q))));
              putDl(map, ga, gb, d, p, q, r, lpp);
            }
            const diag = f64x2.add(
              f64x2.add(first ? zero : v128.load(at(acc, p * d + p)), f64x2.mul(gs, v128.load(at(v, p)))),
              f64x2.div(f64x2.neg(gsum), lpp),
            );
            putDl(map, ga, gb, d, p, p, diag, lpp);
            if (map !== SIGMA)
              for (let q = p + 1; q < d; q++) {
                const o = <usize>(p * d + q) << 2;
                store<f32>(ga + o, 0);
                store<f32>(gb + o, 0);
              }
          } else
            for (let r = at(acc, p * d), x = v, end = at(v, p + 1); x < end; r += 16, x += 16)
              v128.store(r, f64x2.add(first ? zero : v128.load(r), f64x2.mul(gs, v128.load(x))));
          const sum = f64x2.add(first ? zero : v128.load(at(accMu, p)), gs);
          if (last) {
            const o = <usize>((ea * d + p)) << 2;
            put(gmu + o, gmu + (<usize>((eb * d + p)) << 2), sum);
          } else v128.store(at(accMu, p), sum);
        }
      }
      if (sigma) {
        inversePair(d, lu, wt);
        sigmaPair(d, wt, acc, gsum, dls);
        for (let p = 0; p < d; p++)
          for (let q = 0; q <= p; q++) {
            const r = v128.load(at(dls, p * d + q));
            put(ga + (<usize>(p * d + q) << 2), gb + (<usize>(p * d + q) << 2), r);
            put(ga + (<usize>(q * d + p) << 2), gb + (<usize>(q * d + p) << 2), r);
          }
        // A failed factor has no gradient (the step fills its block with zeros).
        if (load<i32>(ok + (<usize>ea << 2)) === 0) memory.fill(ga, 0, <usize>dd << 2);
        if (load<i32>(ok + (<usize>eb << 2)) === 0) memory.fill(gb, 0, <usize>dd << 2);
      }
    }
  }
}

/**
 * even + odd of two sums over k in [from, to) of x_k y_k (pair-form rows x and y) by the parity of
 * k - from, each from its start (even's `start`, odd's 0) adding (or with `minus` subtracting) its
 * terms in ascending k: the sums of inverseTransposeInto and of densityBackward's Sigma^-1.
 */
@inline
function paritySum(x: usize, y: usize, from: i32, to: i32, start: v128, minus: bool): v128 {
  let even = start;
  let odd = f64x2.splat(0);
  // Pointers stepped by 32 bytes, the loads' offsets immediate (chainSub says why).
  let px = at(x, from);
  let py = at(y, from);
  const pairs = at(x, from + ((to - from) & ~1));
  for (; px < pairs; px += 32, py += 32) {
    const a = f64x2.mul(v128.load(px), v128.load(py));
    const b = f64x2.mul(v128.load(px, 16), v128.load(py, 16));
    even = minus ? f64x2.sub(even, a) : f64x2.add(even, a);
    odd = minus ? f64x2.sub(odd, b) : f64x2.add(odd, b);
  }
  if ((to - from) & 1) {
    const a = f64x2.mul(v128.load(px), v128.load(py));
    even = minus ? f64x2.sub(even, a) : f64x2.add(even, a);
  }
  return f64x2.add(even, odd);
}

/**
 * W^T for W = L^-1 (wt[q d + p] = W_pq) of the pair factor at lu, as inverseTransposeInto sums
 * it: W_pq = (delta_pq - sum_{q <= k < p} L_pk W_kq) / L_pp in two sums by the parity of k - q.
 */
function inversePair(d: i32, lu: usize, wt: usize): void {
  for (let p = 0; p < d; p++) {
    const lpp = v128.load(at(lu, p * d + p));
    for (let q = 0; q <= p; q++) {
      const sum = paritySum(at(lu, p * d), at(wt, q * d), q, p, f64x2.splat(p === q ? 1 : 0), true);
      v128.store(at(wt, q * d + p), f64x2.div(sum, lpp));
    }
  }
}

/**
 * (acc - gsum Sigma^-1) / 2 for q <= p into dls[p d + q], with (Sigma^-1)_pq = sum_{k >= p} W_kp
 * W_kq in two sums by the parity of k - p, as densityBackward takes them.
 */
function sigmaPair(d: i32, wt: usize, acc: usize, gsum: v128, dls: usize): void {
  // x / 2 and x * 0.5 are the same float64 (both the exact half, rounded once), and a multiply
  // does not wait for the divider.
  const half = f64x2.splat(0.5);
  for (let p = 0; p < d; p++)
    for (let q = 0; q <= p; q++) {
      const sum = paritySum(at(wt, p * d), at(wt, q * d), p, d, f64x2.splat(0), false);
      const r = f64x2.sub(v128.load(at(acc, p * d + q)), f64x2.mul(gsum, sum));
      v128.store(at(dls, p * d + q), f64x2.mul(r, half));
    }
}
