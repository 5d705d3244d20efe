// exp and log as V8 computes Math.exp and Math.log (src/base/ieee754.cc: FreeBSD msun's e_exp.c
// and e_log.c, the fdlibm algorithms, plus V8's own exp(1) = E), operation for operation, so a
// kernel here gives the numbers its JavaScript twin gets from Math. AssemblyScript's own
// Math.exp and Math.log (musl's table-driven ones) round differently in the last bit.
// test/engine/wasm-fdlibm.test.ts holds both to Node's Math bit for bit on millions of inputs.

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

/** exp (`log`: false) or log of the n float64s at src into dst: for the tests. */
export function fdlibmMap(log: bool, n: i32, src: usize, dst: usize): void {
  for (let i = 0; i < n; i++) {
    const x = load<f64>(src + (<usize>i << 3));
    store<f64>(dst + (<usize>i << 3), log ? fdlibmLog(x) : fdlibmExp(x));
  }
}
