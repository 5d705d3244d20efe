// A lane's final parameters as JSON text, each float32 as its shortest decimal: the text that
// JSON.stringify writes of src/engine/train/final-params.ts's nesting of shortestFloat32's values,
// made here without the half a million JavaScript numbers and arrays of a worker's batch at d = 16
// nor JSON's digit search for each (engine/train/params-json.ts calls it, and holds it to that text).
//
// The search is shortestFloat32's, decision for decision: the same k tried in the same order, each
// k-digit candidate m 10^-p found by the same float64 arithmetic (Math.round of |f| 10^p, taken
// only where it is far from a tie and has k digits), read back through the same division and
// rounding to float32, or for p > 22 through tryDigits's two-sided interval. Where JavaScript
// turns to a string (toPrecision, a parse of the digits), its answer is exact: the candidate here
// is then taken only where the arithmetic makes it certain (`digits`, `tryDigits`), and otherwise
// the call fails (it returns -1) and the lane is written by JSON.stringify: so whatever it writes
// is the decimal JavaScript finds. Then the digits are placed as Number::toString places them.

/** 10^0 .. 10^22, the powers of ten that doubles hold exactly. */
const POWERS = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
]);

@inline
function power(i: i32): f64 {
  return load<f64>(POWERS + (<usize>i << 3));
}

const ZERO: u8 = 48;
const POINT: u8 = 46;
const MINUS: u8 = 45;
const PLUS: u8 = 43;
const E: u8 = 101;

/** What a try gives: the candidate reads back (its m and p kept), does not, or needs a string. */
const YES = 1;
const NO = 0;
const FAIL = -1;

// The last candidate's digits m and scale p (value m 10^-p), as digits() leaves them.
let lastM: f64 = 0;
let lastP: i32 = 0;

/** JavaScript's Math.round of a positive y below 2^52. */
@inline
function round(y: f64): f64 {
  return floor(y + 0.5);
}

/**
 * a 10^q for 0 <= q <= 66 as digitsOf scales (exact powers, 10^22 first past them): at most three
 * roundings, so within 4e-16 of it relatively.
 */
@inline
function scaled(a: f64, q: i32): f64 {
  return q <= 22 ? a * power(q) : q <= 44 ? a * 1e22 * power(q - 22) : a * 1e22 * 1e22 * power(q - 44);
}

/**
 * digitsOf's candidate for k digits at e = floor(log10 a), the integer nearest a 10^p, into lastM
 * and lastP, YES; FAIL where digitsOf takes toPrecision's string (p outside -22 .. 44), unless the
 * nearest integer is certain: a 10^p is within 4e-7 of the computed y (a product of three
 * roundings below 10^10), so with y more than 1e-6 from a tie and m of k digits, m is toPrecision's
 * (for p from 45 to 66: float32 subnormals and the smallest normals).
 */
function digits(a: f64, e: i32, k: i32): i32 {
  const p = k - 1 - e;
  if (p < -22 || p > 66) return FAIL;
  const y = p < 0 ? a / power(-p) : scaled(a, p);
  const m = round(y);
  if (!(abs(y - floor(y) - 0.5) > 1e-6 && m >= power(k - 1) && m <= power(k))) return FAIL;
  lastM = m;
  lastP = p;
  return YES;
}

/**
 * tryDigits: whether the k-digit candidate reads back as the float32 a (its digits in lastM,
 * lastP). For p > 22 JavaScript reads back the double nearest m 10^-p (from 44 on through
 * toPrecision, and from 23 where tryDigits's interval below does not settle it, through a parse):
 * here its interval settles it or the call fails. m 10^-p computed by divisions is within 3 ulps
 * of it, so when both ends of a 2^-50 interval round to one float32, so does that double.
 */
function tryDigits(a: f64, e: i32, k: i32): i32 {
  const p = k - 1 - e;
  if (p > 22) {
    if (digits(a, e, k) != YES) return FAIL;
    const m = lastM;
    const near = p <= 44 ? m / 1e22 / power(p - 22) : m / 1e22 / 1e22 / power(p - 44);
    const slack = near * 8.881784197001252e-16; // 2^-50
    const low = <f64>(<f32>(near - slack));
    if (low != <f64>(<f32>(near + slack))) return FAIL;
    return low == a ? YES : NO;
  }
  if (digits(a, e, k) != YES) return FAIL;
  const x = p < 0 ? lastM * power(-p) : lastM / power(p);
  return <f64>(<f32>x) == a ? YES : NO;
}

/** Number::toString's text of m 10^-p (m a positive integer, at most 10^9) at `at`; returns the end. */
function place(digits: f64, p: i32, negative: bool, at: usize): usize {
  let m = <u32>digits;
  while (m % 10 == 0) {
    m /= 10;
    p--;
  }
  let k = 1;
  while (k < 10 && <f64>m >= power(k)) k++;
  // The value is s 10^(n - k), s the k digits of m.
  const n = k - p;
  if (negative) store<u8>(at++, MINUS);
  if (n >= k && n <= 21) {
    at = writeDigits(m, k, at);
    for (let i = k; i < n; i++) store<u8>(at++, ZERO);
    return at;
  }
  if (n > 0 && n <= 21) {
    const split = <u32>power(k - n);
    at = writeDigits(m / split, n, at);
    store<u8>(at++, POINT);
    return writeDigits(m % split, k - n, at);
  }
  if (n <= 0 && n > -6) {
    store<u8>(at++, ZERO);
    store<u8>(at++, POINT);
    for (let i = 0; i < -n; i++) store<u8>(at++, ZERO);
    return writeDigits(m, k, at);
  }
  const split = <u32>power(k - 1);
  at = writeDigits(m / split, 1, at);
  if (k > 1) {
    store<u8>(at++, POINT);
    at = writeDigits(m % split, k - 1, at);
  }
  store<u8>(at++, E);
  store<u8>(at++, n - 1 < 0 ? MINUS : PLUS);
  const exponent = <u32>abs(n - 1);
  return writeDigits(exponent, exponent >= 10 ? 2 : 1, at);
}

/** The `count` decimal digits of m (leading zeros included) at `at`; returns the end. */
function writeDigits(m: u32, count: i32, at: usize): usize {
  for (let i = count - 1; i >= 0; i--) {
    const q = m / 10;
    store<u8>(at + <usize>i, <u8>(ZERO + m - 10 * q));
    m = q;
  }
  return at + <usize>count;
}

/**
 * shortestFloat32(f)'s text at `at` for a finite float32 f (its end), or 0 where JavaScript's
 * search would make a string (then the caller's JSON.stringify writes the lane).
 */
function shortest(f: f32, at: usize): usize {
  if (f == 0) {
    store<u8>(at, ZERO);
    return at + 1;
  }
  const a = <f64>abs(f);
  const e = decade(a);
  if (e == i32.MIN_VALUE) return 0;
  let lo = 1;
  let hi = 9;
  let found = false;
  let m: f64 = 0;
  let p = 0;
  for (let k = 8; k >= 6 && lo < hi; k--) {
    const r = tryDigits(a, e, k);
    if (r == FAIL) return 0;
    if (r == NO) lo = k + 1;
    else {
      hi = k;
      found = true;
      m = lastM;
      p = lastP;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = tryDigits(a, e, mid);
    if (r == FAIL) return 0;
    if (r == NO) lo = mid + 1;
    else {
      hi = mid;
      found = true;
      m = lastM;
      p = lastP;
    }
  }
  if (!found) {
    // digitsOf(f, e, 9).
    if (digits(a, e, 9) != YES) return 0;
    m = lastM;
    p = lastP;
  }
  return place(m, p, f < 0, at);
}

/**
 * floor(log10 a) as JavaScript's Math.floor(Math.log10(a)) gives it where that matters: here
 * 10^e <= a < 10^(e + 1), tested by `scaled` from an estimate by a's binary exponent;
 * i32.MIN_VALUE from 1e23 on, where the powers are not kept (the caller then fails).
 * Math.log10 may be a decade off within an ulp of a power of ten; its e then makes digitsOf turn
 * to toPrecision for every k (the candidate has k + 1 or k - 1 digits), whose exact candidate is
 * the one found here with the right e: the same decimal either way. A product below rounded onto 1
 * makes e a decade off here too: then no candidate has k digits and the call fails.
 */
function decade(a: f64): i32 {
  if (!(a < 1e23)) return i32.MIN_VALUE;
  const binary = <i32>((reinterpret<u64>(a) >> 52) & 0x7ff) - 1023;
  let e = <i32>floor(<f64>binary * 0.3010299956639812);
  while (e > -66 && !atLeast(a, e)) e--;
  while (e < 22 && atLeast(a, e + 1)) e++;
  return e;
}

/** Whether 10^e <= a, for -66 <= e <= 22. */
@inline
function atLeast(a: f64, e: i32): bool {
  return e >= 0 ? a >= power(e) : scaled(a, -e) >= 1;
}

/**
 * The JSON of `count` float32s at `values` nested to the `depth` dimensions at `dims` (i32;
 * depth 0 for a single value, count 1), each as its shortest decimal, written at `out`: returns
 * the byte length, or -1 where JavaScript's search would make a string or a value is not finite
 * (JSON.stringify then writes the lane). Every dimension is at least 1.
 */
export function shortestJson(values: usize, count: i32, dims: usize, depth: i32, out: usize): i32 {
  let at = out;
  for (let j = 0; j < depth; j++) store<u8>(at++, 91); // [
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      // How many dimensions close between value i - 1 and i: those whose extent divides i.
      let close = 0;
      let t = i;
      for (let j = depth - 1; j >= 1; j--) {
        const n = load<i32>(dims + (<usize>j << 2));
        if (t % n != 0) break;
        t /= n;
        close++;
      }
      for (let j = 0; j < close; j++) store<u8>(at++, 93); // ]
      store<u8>(at++, 44); // ,
      for (let j = 0; j < close; j++) store<u8>(at++, 91);
    }
    const f = load<f32>(values + (<usize>i << 2));
    if (!isFinite(f)) return -1;
    const end = shortest(f, at);
    if (end == 0) return -1;
    at = end;
  }
  for (let j = 0; j < depth; j++) store<u8>(at++, 93);
  return <i32>(at - out);
}
