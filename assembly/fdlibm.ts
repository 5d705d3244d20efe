// exp, log, sin and cos as V8 computes Math.exp, Math.log, Math.sin and Math.cos (src/base/ieee754.cc:
// FreeBSD msun's e_exp.c, e_log.c, k_sin.c, k_cos.c, e_rem_pio2.c, s_sin.c and s_cos.c, the fdlibm
// algorithms, plus V8's own exp(1) = E), operation for operation, so a kernel here gives the
// numbers its JavaScript twin gets from Math. AssemblyScript's own Math functions (musl's) round
// differently in the last bit. test/engine/wasm-fdlibm.test.ts holds each to Node's Math bit for
// bit on millions of inputs.

@inline
function high(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >>> 32);
}

@inline
function low(x: f64): u32 {
  return <u32>reinterpret<u64>(x);
}

@inline
function words(hi: i32, lo: u32): f64 {
  return reinterpret<f64>((<u64>(<u32>hi) << 32) | <u64>lo);
}

const LN2_HI: f64 = 6.93147180369123816490e-1; // 0x3FE62E42 FEE00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76

const O_THRESHOLD: f64 = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD: f64 = -7.45133219101941108420e2; // 0xC0874910 D52D3051
const INV_LN2: f64 = 1.44269504088896338700; // 0x3FF71547 652B82FE
const P1: f64 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
const P2: f64 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
const P3: f64 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
const P4: f64 = -1.65339022054652515390e-6; // 0xBEBBBD41 C5D26BF1
const P5: f64 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0
const E: f64 = 2.718281828459045; // 0x4005BF0A 8B145769
const HUGE: f64 = 1.0e300;
const TWOM1000: f64 = 9.33263618503218878990e-302; // 2^-1000
const TWO1023: f64 = 8.988465674311579539e307; // 2^1023

/** V8's Math.exp (ieee754.cc exp). */
export function fdlibmExp(x: f64): f64 {
  let hx = high(x);
  const xsb = (hx >>> 31) & 1;
  hx &= 0x7fffffff;
  // Non-finite and out-of-range arguments.
  if (<u32>hx >= 0x40862e42) {
    if (<u32>hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low(x)) != 0) return x + x; // NaN
      return xsb == 0 ? x : 0.0; // exp(+-inf) = inf, 0
    }
    if (x > O_THRESHOLD) return HUGE * HUGE; // overflow
    if (x < U_THRESHOLD) return TWOM1000 * TWOM1000; // underflow
  }
  // Argument reduction: x = k ln2 + r, |r| <= 0.5 ln2, r = hi - lo.
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (<u32>hx > 0x3fd62e42) {
    // |x| > 0.5 ln2
    if (<u32>hx < 0x3ff0a2b2) {
      // and |x| < 1.5 ln2; V8 returns E for exp(1) itself (the reduction gets its last bit wrong).
      if (x == 1.0) return E;
      hi = xsb == 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb == 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI; // t * LN2_HI is exact here
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (<u32>hx < 0x3e300000) {
    // |x| < 2^-28 (the C's huge + x > one is always true here)
    return 1.0 + x;
  }
  const t = x * x;
  const twopk = k >= -1021 ? words(0x3ff00000 + (k << 20), 0) : words(0x3ff00000 + ((k + 1000) << 20), 0);
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * TWO1023;
    return y * twopk;
  }
  return y * twopk * TWOM1000;
}

const TWO54: f64 = 1.80143985094819840000e16; // 0x43500000 00000000
const LG1: f64 = 6.666666666666735130e-1; // 0x3FE55555 55555593
const LG2: f64 = 3.999999999940941908e-1; // 0x3FD99999 9997FA04
const LG3: f64 = 2.857142874366239149e-1; // 0x3FD24924 94229359
const LG4: f64 = 2.222219843214978396e-1; // 0x3FCC71C5 1D8E78AF
const LG5: f64 = 1.818357216161805012e-1; // 0x3FC74664 96CB03DE
const LG6: f64 = 1.531383769920937332e-1; // 0x3FC39A09 D078C69F
const LG7: f64 = 1.479819860511658591e-1; // 0x3FC2F112 DF3E5244

/** V8's Math.log (ieee754.cc log). */
export function fdlibmLog(x: f64): f64 {
  let hx = high(x);
  const lx = low(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity; // log(+-0)
    if (hx < 0) return NaN; // log(negative)
    k -= 54;
    x *= TWO54; // subnormal: scale up
    hx = high(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = words(hx | (i ^ 0x3ff00000), low(x)); // normalize x or x / 2
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      const dk = <f64>k;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - r;
    const dk = <f64>k;
    return dk * LN2_HI - ((r - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

// sin and cos. An argument past pi/4 is reduced to x - n pi/2 = hi + lo in [-pi/4, pi/4]
// (remPio2), and the quadrant n mod 4 picks +-kernelSin or +-kernelCos of (hi, lo). Arguments up
// to 2^20 pi/2 (about 1.65 million: fdlibm's comment says 2^19, its bound 0x413921FB is 2^20)
// are reduced as fdlibm reduces them; larger ones (fdlibm's __kernel_rem_pio2, a
// multiple-precision product with 2/pi) are not ported: sin and cos return NaN there, and their
// callers' arguments stay below (Box-Muller's angles are in [0, 2 pi)).

const S1: f64 = -1.66666666666666324348e-1; // 0xBFC55555 55555549
const S2: f64 = 8.33333333332248946124e-3; // 0x3F811111 1110F8A6
const S3: f64 = -1.98412698298579493134e-4; // 0xBF2A01A0 19C161D5
const S4: f64 = 2.75573137070700676789e-6; // 0x3EC71DE3 57B1FE7D
const S5: f64 = -2.50507602534068634195e-8; // 0xBE5AE5E6 8A2B9CEB
const S6: f64 = 1.58969099521155010221e-10; // 0x3DE5D93A 5ACFD57C

/** __kernel_sin: sin(x + y) for |x| <= pi/4, y the tail of x (taken as 0 unless `tail`). */
@inline
function kernelSin(x: f64, y: f64, tail: bool): f64 {
  // |x| < 2^-27: x itself (the C's (int) x == 0 always holds there).
  if ((high(x) & 0x7fffffff) < 0x3e400000) return x;
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (!tail) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

const C1: f64 = 4.16666666666666019037e-2; // 0x3FA55555 5555554C
const C2: f64 = -1.38888888888741095749e-3; // 0xBF56C16C 16C15177
const C3: f64 = 2.48015872894767294178e-5; // 0x3EFA01A0 19CB1590
const C4: f64 = -2.75573143513906633035e-7; // 0xBE927E4F 809C52AD
const C5: f64 = 2.08757232129817482790e-9; // 0x3E21EE9E BDB4B1C4
const C6: f64 = -1.13596475577881948265e-11; // 0xBDA8FAE9 BE8838D4

/** __kernel_cos: cos(x + y) for |x| <= pi/4, y the tail of x. */
@inline
function kernelCos(x: f64, y: f64): f64 {
  const ix = high(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1.0; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1.0 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  // qx = |x| / 4 with its low word cleared, or 0.28125 past 0.78125: 1 - qx and x^2 / 2 - qx are exact.
  const qx = ix > 0x3fe90000 ? 0.28125 : words(ix - 0x00200000, 0);
  const iz = 0.5 * z - qx;
  const a = 1.0 - qx;
  return a - (iz - (z * r - x * y));
}

const PIO2: f64 = 1.57079632679489655800; // 0x3FF921FB 54442D18, pi / 2 rounded
const INV_PIO2: f64 = 6.36619772367581382433e-1; // 0x3FE45F30 6DC9C883, 53 bits of 2 / pi
const PIO2_1: f64 = 1.57079632673412561417; // 0x3FF921FB 54400000, the first 33 bits of pi / 2
const PIO2_1T: f64 = 6.07710050650619224932e-11; // 0x3DD0B461 1A626331, pi / 2 - PIO2_1
const PIO2_2: f64 = 6.07710050630396597660e-11; // 0x3DD0B461 1A600000, the next 33 bits
const PIO2_2T: f64 = 2.02226624879595063154e-21; // 0x3BA3198A 2E037073, pi / 2 - (PIO2_1 + PIO2_2)
const PIO2_3: f64 = 2.02226624871116645580e-21; // 0x3BA3198A 2E000000, the third 33 bits
const PIO2_3T: f64 = 8.47842766036889956997e-32; // 0x397B839A 252049C1, the rest

/** remPio2's remainder, x - n pi/2 = remHi + remLo (fdlibm's y[0] and y[1]). */
let remHi: f64 = 0;
let remLo: f64 = 0;

/**
 * __ieee754_rem_pio2 for pi/4 < |x| <= 2^20 pi/2: returns n, the nearest integer to x / (pi/2),
 * and sets remHi + remLo = x - n pi/2, pi/2 taken to 33 + 53 bits, or to 33 + 33 + 53 or three
 * times 33 + 53 where the first reduction cancels too many leading bits.
 */
function remPio2(x: f64): i32 {
  const hx = high(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // |x| < 3 pi/4: n = +-1 (x near pi/2 itself, high word 0x3FF921FB, needs the longer pi/2).
    if (hx > 0) {
      let z = x - PIO2_1;
      if (ix != 0x3ff921fb) {
        remHi = z - PIO2_1T;
        remLo = (z - remHi) - PIO2_1T;
      } else {
        z -= PIO2_2;
        remHi = z - PIO2_2T;
        remLo = (z - remHi) - PIO2_2T;
      }
      return 1;
    }
    let z = x + PIO2_1;
    if (ix != 0x3ff921fb) {
      remHi = z + PIO2_1T;
      remLo = (z - remHi) + PIO2_1T;
    } else {
      z += PIO2_2;
      remHi = z + PIO2_2T;
      remLo = (z - remHi) + PIO2_2T;
    }
    return -1;
  }
  const n = <i32>(abs(x) * INV_PIO2 + 0.5);
  const fn = <f64>n;
  let r = abs(x) - fn * PIO2_1;
  let w = fn * PIO2_1T;
  // fdlibm's table npio2_hw[n - 1] is the high word of n pi/2, which is high(n * PIO2) for every
  // n = 1..32 (each product checked against the table): x that close to n pi/2 may cancel.
  if (n < 32 && ix != high(fn * PIO2)) {
    remHi = r - w;
  } else {
    const j = ix >> 20;
    remHi = r - w;
    let i = j - ((high(remHi) >> 20) & 0x7ff);
    if (i > 16) {
      // A second reduction, good to 118 bits.
      let t = r;
      w = fn * PIO2_2;
      r = t - w;
      w = fn * PIO2_2T - ((t - r) - w);
      remHi = r - w;
      i = j - ((high(remHi) >> 20) & 0x7ff);
      if (i > 49) {
        // A third, 151 bits.
        t = r;
        w = fn * PIO2_3;
        r = t - w;
        w = fn * PIO2_3T - ((t - r) - w);
        remHi = r - w;
      }
    }
  }
  remLo = (r - remHi) - w;
  if (hx < 0) {
    remHi = -remHi;
    remLo = -remLo;
    return -n;
  }
  return n;
}

/** The largest high word remPio2 reduces: 2^20 pi/2. */
const MEDIUM = 0x413921fb;

/** V8's Math.sin (ieee754.cc sin) for |x| <= 2^20 pi/2; NaN beyond (not ported). */
export function fdlibmSin(x: f64): f64 {
  const ix = high(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0.0, false); // |x| <= pi/4
  if (ix >= 0x7ff00000) return x - x; // sin(Inf or NaN) is NaN
  if (ix > MEDIUM) return NaN;
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelSin(remHi, remLo, true);
    case 1:
      return kernelCos(remHi, remLo);
    case 2:
      return -kernelSin(remHi, remLo, true);
    default:
      return -kernelCos(remHi, remLo);
  }
}

/** V8's Math.cos (ieee754.cc cos) for |x| <= 2^20 pi/2; NaN beyond (not ported). */
export function fdlibmCos(x: f64): f64 {
  const ix = high(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0.0); // |x| <= pi/4
  if (ix >= 0x7ff00000) return x - x; // cos(Inf or NaN) is NaN
  if (ix > MEDIUM) return NaN;
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelCos(remHi, remLo);
    case 1:
      return -kernelSin(remHi, remLo, true);
    case 2:
      return -kernelCos(remHi, remLo);
    default:
      return kernelSin(remHi, remLo, true);
  }
}

/** fdlibmSinCos's results. */
export let sinOf: f64 = 0;
export let cosOf: f64 = 0;

/**
 * fdlibmSin(x) into sinOf and fdlibmCos(x) into cosOf, the same numbers from one reduction (each
 * is a function of x's reduction alone): what Box-Muller takes of each angle.
 */
export function fdlibmSinCos(x: f64): void {
  const ix = high(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) {
    sinOf = kernelSin(x, 0.0, false);
    cosOf = kernelCos(x, 0.0);
    return;
  }
  if (ix >= 0x7ff00000) {
    sinOf = cosOf = x - x;
    return;
  }
  if (ix > MEDIUM) {
    sinOf = cosOf = NaN;
    return;
  }
  const n = remPio2(x);
  const s = kernelSin(remHi, remLo, true);
  const c = kernelCos(remHi, remLo);
  switch (n & 3) {
    case 0:
      sinOf = s;
      cosOf = c;
      break;
    case 1:
      sinOf = c;
      cosOf = -s;
      break;
    case 2:
      sinOf = -s;
      cosOf = -c;
      break;
    default:
      sinOf = -c;
      cosOf = s;
  }
}

// Branch-free forms for blocks of arguments (Box-Muller's, box-muller.ts). Where an argument's
// branches fall at random, as they do for uniform draws, the exact forms above mispredict a few
// branches a call (about 10 ns each on log and 20 ns on sin or cos, measured); these take every
// common branch's arithmetic at once and keep one result by a select, the same operations on the
// kept value. Each covers the arguments where its algorithm takes only common branches, and says
// which (the rest go to the exact forms, a branch that is almost never taken).

/** a if `pick`, else b, as an integer select (a conditional move, not a branch). */
@inline
function pickF64(a: f64, b: f64, pick: bool): f64 {
  return reinterpret<f64>(select<i64>(reinterpret<i64>(a), reinterpret<i64>(b), pick));
}

/**
 * Whether logPlain(x) is fdlibmLog(x): x normal, positive and finite, and its reduced f not in
 * (-2^-20, 2^-20) (x not that close to a power of two: fdlibm's short branch).
 */
@inline
export function logIsPlain(x: f64): bool {
  const hx = high(x);
  return <u32>(hx - 0x00100000) < 0x7fe00000 && (0x000fffff & (2 + (hx & 0x000fffff))) >= 3;
}

/**
 * fdlibmLog(x) for x where logIsPlain: its last branch (i > 0) by a select between both forms,
 * and no branch on k = 0: fdlibm's k = 0 forms are its k forms with k = 0 (dk LN2_HI and
 * dk LN2_LO are then +0, and x - (+0) = x, +0 - (a - f) = f - a exactly: their f is not 0 here).
 */
@inline
export function logPlain(x: f64): f64 {
  let hx = high(x);
  let k = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  const f = words(hx | (i ^ 0x3ff00000), low(x)) - 1.0;
  k += i >> 20;
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  const hfsq = 0.5 * f * f;
  const near = dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  const far = dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
  return pickF64(near, far, ((hx - 0x6147a) | (0x6b851 - hx)) > 0);
}

/**
 * fdlibmSinCos(x) into sinOf and cosOf without unpredictable branches, for x in [0, 2^20 pi/2]
 * where the reduction is plain; returns false, leaving them, where it is not: x or its reduced
 * argument below 2^-27 (the kernels' shortcut), or x with the high word of n pi/2 (fdlibm's
 * longer reductions). Otherwise one form: n = 0 up to pi/4 (x - 0 pi/2 is x exactly, with tail
 * 0), 1 up to 3 pi/4 (fdlibm's own case, the same operations as the general one with n = 1);
 * kernelSin's two forms by a select, kernelCos's short form as its long one with qx = 0 (1 - 0
 * and z / 2 - 0 are exact); the quadrant's swap and signs by selects and a sign bit.
 */
@inline
export function sinCosPlain(x: f64): bool {
  const ix = high(x);
  if (<u32>(ix - 0x3e400000) > <u32>(MEDIUM - 0x3e400000)) return false;
  const n = ix <= 0x3fe921fb ? 0 : ix < 0x4002d97c ? 1 : <i32>(x * INV_PIO2 + 0.5);
  const fn = <f64>n;
  const r = x - fn * PIO2_1;
  const w = fn * PIO2_1T;
  const y0 = r - w;
  const y1 = (r - y0) - w;
  const iy = high(y0) & 0x7fffffff;
  if ((n != 0 && ix == high(fn * PIO2)) || iy < 0x3e400000) return false;
  const z = y0 * y0;
  const v = z * y0;
  const rs = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  const s = pickF64(y0 + v * (S1 + z * rs), y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * S1), n == 0);
  const rc = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  const qx = pickF64(0.0, pickF64(0.28125, words(iy - 0x00200000, 0), iy > 0x3fe90000), iy < 0x3fd33333);
  const c = (1.0 - qx) - ((0.5 * z - qx) - (z * rc - y0 * y1));
  // Quadrant q = n & 3: sin is s, c, -s, -c and cos c, -s, -c, s.
  const swap = (n & 1) != 0;
  const sinSign = (<i64>(n & 2)) << 62;
  const cosSign = (<i64>((n + 1) & 2)) << 62;
  sinOf = reinterpret<f64>(reinterpret<i64>(pickF64(c, s, swap)) ^ sinSign);
  cosOf = reinterpret<f64>(reinterpret<i64>(pickF64(s, c, swap)) ^ cosSign);
  return true;
}

/** Which function fdlibmMap applies (any other `fn`: cos). */
const EXP = 0;
const LOG = 1;
const SIN = 2;

/** exp (0), log (1), sin (2) or cos (3) of the n float64s at src into dst: for the tests. */
export function fdlibmMap(fn: i32, n: i32, src: usize, dst: usize): void {
  for (let i = 0; i < n; i++) {
    const x = load<f64>(src + (<usize>i << 3));
    let y: f64;
    if (fn == EXP) y = fdlibmExp(x);
    else if (fn == LOG) y = fdlibmLog(x);
    else if (fn == SIN) y = fdlibmSin(x);
    else y = fdlibmCos(x);
    store<f64>(dst + (<usize>i << 3), y);
  }
}
