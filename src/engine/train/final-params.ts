import type { NestedValues } from '../../types.js';
import type { ParamGroup } from '../tasks/types.js';

/** Powers of ten that doubles hold exactly: 10^0 .. 10^22. */
const EXACT_POWERS = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * `Number(f.toPrecision(k))` for a finite nonzero `f`, mostly without making the string (a
 * tenth of a microsecond where toPrecision and the parse took most of a microsecond). The k
 * digits are the integer nearest f * 10^p, p = k - 1 - floor(log10 |f|). The product is rounded
 * at most twice (p > 22 scales by 10^22, then by the rest: trained factors' tiny entries, 1e-17,
 * need p up to 25), which moves it by less than 3e-7 for the k <= 9 digits asked for, so only a
 * product that close to a half (where toPrecision's exact rounding might go the other way) or
 * outside 10^(k-1) .. 10^k (log10 a digit off near a power of ten) takes the string route. The
 * integer and 10^p <= 10^22 are exact doubles, so their quotient (or product) is the correctly
 * rounded value of the decimal, as the parse is; past 10^22 the integer's digits are parsed.
 */
export function decimalDigits(f: number, k: number): number {
  return digitsOf(f, Math.floor(Math.log10(Math.abs(f))), k);
}

/** decimalDigits(f, k) given e = floor(log10 |f|), which every k shares. */
function digitsOf(f: number, e: number, k: number): number {
  const a = Math.abs(f);
  const p = k - 1 - e;
  if (p >= -22 && p <= 44) {
    const y = p < 0 ? a / EXACT_POWERS[-p] : p <= 22 ? a * EXACT_POWERS[p] : a * 1e22 * EXACT_POWERS[p - 22];
    const m = Math.round(y);
    if (Math.abs(y - Math.floor(y) - 0.5) > 1e-6 && m >= EXACT_POWERS[k - 1] && m <= EXACT_POWERS[k]) {
      const x = p < 0 ? m * EXACT_POWERS[-p] : p <= 22 ? m / EXACT_POWERS[p] : Number(`${m}e-${p}`);
      return f < 0 ? -x : x;
    }
  }
  return Number(f.toPrecision(k));
}

/**
 * digitsOf(f, e, k) when it reads back as the float32 f, NaN when it does not, or Infinity: it
 * does, and its value is left to be made once k is chosen. Past 10^22 that value takes a parse
 * (a fifth of a trained factor's entries are that small), but whether it reads back does not: two
 * divisions land within 2 ulps of the correctly rounded value, and rounding to float32 is
 * monotonic, so when both ends of a wider interval around them round to the same float32, the
 * value does too.
 */
function tryDigits(f: number, e: number, k: number): number {
  const p = k - 1 - e;
  if (p > 22 && p <= 44) {
    const a = Math.abs(f);
    const y = a * 1e22 * EXACT_POWERS[p - 22];
    const m = Math.round(y);
    if (Math.abs(y - Math.floor(y) - 0.5) > 1e-6 && m >= EXACT_POWERS[k - 1] && m <= EXACT_POWERS[k]) {
      const near = m / 1e22 / EXACT_POWERS[p - 22];
      const slack = near * 2 ** -50;
      const low = Math.fround(near - slack);
      if (low === Math.fround(near + slack)) return low === a ? Number.POSITIVE_INFINITY : Number.NaN;
    }
  }
  const x = digitsOf(f, e, k);
  return Math.fround(x) === f ? x : Number.NaN;
}

/**
 * The shortest decimal that reads back as the same float32 (at most 9 significant digits), so a
 * recorded parameter is exactly the float32 the run held, written as briefly as it can be:
 * 0.02 rather than 0.019999999552965164. Non-finite values stay as they are.
 */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const f = Math.fround(v);
  const e = Math.floor(Math.log10(Math.abs(f)));
  // If k digits read back as f, so do k + 1 (the nearest (k+1)-digit decimal is at least as near
  // as the k-digit one), so the fewest digits are found trying k downwards until one does not;
  // 9 always suffice. A trained value mostly needs 8, else 7 (this runs for every recorded
  // parameter of every run), so 8, 7 and 6 are tried in turn: two or three tries for nearly every
  // value, and a bisection of the rest for the few that need less.
  let lo = 1;
  let hi = 9;
  let shortest = Number.NaN;
  for (let k = 8; k >= 6 && lo < hi; k--) {
    const x = tryDigits(f, e, k);
    if (Number.isNaN(x)) lo = k + 1;
    else {
      hi = k;
      shortest = x;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = tryDigits(f, e, mid);
    if (Number.isNaN(x)) lo = mid + 1;
    else {
      hi = mid;
      shortest = x;
    }
  }
  if (Number.isNaN(shortest)) return digitsOf(f, e, 9);
  return shortest === Number.POSITIVE_INFINITY ? digitsOf(f, e, hi) : shortest;
}

/** `values` (row-major, one lane's group) nested to `shape`, each value as its shortest float32. */
export function nested(values: ArrayLike<number>, shape: readonly number[], at = 0): NestedValues {
  return shape.length === 0 ? shortestFloat32(values[at]) : nestRows(values, shape, 0, at);
}

/**
 * values[at..] nested to shape[depth..] by loops, each value as its shortest float32: this runs
 * for every group of every run (half a million values at 512 runs of d = 16), where a closure
 * per level and a recursion per value cost more than the values' digits.
 */
function nestRows(
  values: ArrayLike<number>,
  shape: readonly number[],
  depth: number,
  at: number,
): NestedValues[] {
  const n = shape[depth];
  const rows = new Array<NestedValues>(n);
  if (depth === shape.length - 1) {
    for (let i = 0; i < n; i++) rows[i] = shortestFloat32(values[at + i]);
    return rows;
  }
  let stride = 1;
  for (let i = depth + 1; i < shape.length; i++) stride *= shape[i];
  for (let i = 0; i < n; i++) rows[i] = nestRows(values, shape, depth + 1, at + i * stride);
  return rows;
}

/** Lane b's parameters, every group by name, from the groups' lane-major values. */
export function laneParams(
  groups: ParamGroup[],
  values: ArrayLike<number>[],
  b: number,
): Record<string, NestedValues> {
  return Object.fromEntries(
    groups.map((g, i) => [g.name, nested(values[i], g.shape, b * g.shape.reduce((x, y) => x * y, 1))]),
  );
}
