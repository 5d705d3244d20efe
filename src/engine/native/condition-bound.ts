import { symmetrizeLower } from '../../ground/dense64.js';
import { relativeDrift, triangularBounds } from '../../ground/triangular-bounds.js';
import { ExtremeEigenKernel } from '../ops/extreme-eigen-kernel.js';
import { ConditionWasm, FLAT_BELOW, RAW_SLACK, SHIFTS_BELOW, SHIFTS_FROM } from './condition-wasm.js';

/**
 * How far a native map's float32 factor L^ (maps.ts `forward`) may be from the float64 covariance
 * the condition check judges (the one its parameterization's float64 map gives for the same float32
 * raw block), per parameterization. Parameterizations absent here get no bound in the step: the
 * host check (train/condition.ts) judges every block of theirs.
 *
 * - `exact`: L^ is the raw block's lower triangle itself (tril): Sigma = L^ L^^T.
 * - `rounded-diagonal`: L^ is the float64 factor with its diagonal exp(raw_jj) rounded to float32
 *   (log-cholesky, and precision-cholesky's factor of the precision): L = L^ + D with D diagonal,
 *   |D_jj| <= V |L^_jj| + 2^-149. Tier 1 pays it as an absolute slack on Sigma (near the limit
 *   about 2 V cond relative to lambda_min, too much to clear a block there); tier 2 as part of the
 *   move from its anchor, relative to the anchor (about V sqrt(d cond) there), with no d exps;
 *   tiers 3 and 4 form the float64 factor itself (d exps) and have none.
 * - `cholesky`: L^ is a Cholesky factor of the raw block P = Sigma (full, spd-riemannian, full-clip), computed in float32 arithmetic or better
 *   (the shared kernel works in float64 and rounds its output): L^ L^^T = P + E with
 *   |E| <= gamma_{d+2} |L^| |L^|^T (Higham, Accuracy and Stability of Numerical Algorithms, 2nd
 *   ed., Thm 10.3, gamma_n = n u / (1 - n u), u = 2^-24; one more rounding than the theorem's
 *   gamma_{d+1} for a kernel that multiplies by a reciprocal pivot), plus underflow's absolute part.
 */
type Slack = 'exact' | 'rounded-diagonal' | 'cholesky';

const SLACK: Record<string, Slack> = {
  tril: 'exact',
  'log-cholesky': 'rounded-diagonal',
  'precision-cholesky': 'rounded-diagonal',
  full: 'cholesky',
  // Covariance-valued raw blocks on full's map (maps.ts): their own update moves P, not what the
  // step or the check reads of it.
  'spd-riemannian': 'cholesky',
  'full-clip': 'cholesky',
};

/** Each slack's code for assembly/condition.ts `conditionShifts`. */
const SLACK_CODE: Record<Slack, number> = { exact: 0, 'rounded-diagonal': 1, cholesky: 2 };

const U = 2 ** -24;
/** float32 rounding of a float64 exp (u / (1 - u)) and that exp's own error, with room to spare. */
const V = U * (1 + 2 ** -20);
/** Twice float32's smallest subnormal half: an underflowed product's absolute error, generously. */
const TINY = 2 ** -148;

/**
 * The step's bound for parameterization `name`, or undefined when the step has none for it. With
 * `wasm: false` its passes run in JavaScript at every d (the tests' reference; the same bounds).
 * `rawDiagonals: false` for a task whose step may also run whole (the classifier's lanes, which
 * hand `blocks` their factors' diagonals, not the raw ones): its bounds are then the same whichever
 * way a step runs, as they are without `rawAdditive` and `rawRelative`.
 */
export function stepConditionBound(
  name: string,
  d: number,
  units: number,
  limits: ArrayLike<number>,
  { wasm = true, rawDiagonals = true }: { wasm?: boolean; rawDiagonals?: boolean } = {},
): StepConditionBound | undefined {
  const slack = SLACK[name];
  return (
    slack &&
    new StepConditionBound(
      slack,
      d,
      units,
      limits,
      ConditionWasm.for(d, limits.length * units, wasm, SHIFTS_FROM),
      rawDiagonals,
    )
  );
}

/** `rawAdditive`'s margins: a float64 exp's error, its underflow, and the rounding of its terms. */
const EXP_ERROR = 2 ** -42;
const EXP_FLOOR = 2 ** -1000;
const ROUNDING = 1 + 2 ** -40;

/**
 * Tier 2's additive bound for a rounded diagonal's block from its raw block m[from..] (whose
 * diagonal is log L's: L_ii = exp(m_ii) in float64, the float64 factor the check judges, and L's
 * entries below the diagonal are m's), with no float32 factor read and no exp: the step's pass
 * reads the raw blocks before the maps make their factors (score matching's), and so can clear a
 * block by itself. Against the anchor M_a (its factor, lo <= sigma(M_a)^2 <= hi), from
 * raws[at..]: its raw diagonal r_i (d values), then c_i >= exp(r_i) and b_i >= |exp(r_i) - M_a,ii|
 * (d each, float64 exps: `rawTerms`); off >= the squares of m - M_a below the diagonal
 * (`offSquares`, which carries its own margin).
 *
 * With x = |m_ii - r_i| <= 1/2 (else Infinity: the other bounds' turn), |e^y - 1| <= |y| + y^2
 * there, so |exp(m_ii) - exp(r_i)| <= exp(r_i) (x + x^2); each float64 exp is within 2^-44
 * relative of e^y (far more than a correctly rounded one's error), plus 2^-1074 where it is
 * subnormal: |L_ii - M_a,ii| <= c_i (x + x^2 + 2^-42) + b_i + 2^-1000 (e^x + 1 < 4), and the
 * few float64 roundings of that term and of the sum of d squares (each 2^-53 relative, d <= 256)
 * fit in its factor 1 + 2^-40. So e >= ||L - M_a||_F, sigma(L) within e of sigma(M_a) (Weyl), and
 * cond(L L^T) <= ((sqrt(hi) + e) / (sqrt(lo) - e))^2, as `additive`'s. assembly/condition.ts's
 * `rawAdditive`, the same operations in the same order (the same bits).
 */
export function rawAdditive(
  m: Float32Array,
  from: number,
  raws: Float64Array,
  at: number,
  d: number,
  off: number,
  lo: number,
  hi: number,
): number {
  let diagonal = 0;
  for (let i = 0; i < d; i++) {
    const t = rawTerm(m[from + i * (d + 1)], raws, at, d, i);
    if (t === Number.POSITIVE_INFINITY) return t;
    diagonal += t * t;
  }
  const e = Math.sqrt(off + diagonal);
  const reach = Math.sqrt(lo);
  if (!(reach > e)) return Number.POSITIVE_INFINITY;
  const q = (Math.sqrt(hi) + e) / (reach - e);
  return q * q;
}

/**
 * `rawAdditive`'s bound on |L_ii - M_a,ii| from the raw diagonal entry y = m_ii and the anchor's
 * terms at raws[at..]; Infinity past x = 1/2 (or where a term overflowed: either way the bound is
 * Infinity, as the kernel's).
 */
function rawTerm(y: number, raws: Float64Array, at: number, d: number, i: number): number {
  const x = Math.abs(y - raws[at + i]);
  if (!(x <= 0.5)) return Number.POSITIVE_INFINITY;
  return (raws[at + d + i] * (x + x * x + EXP_ERROR) + raws[at + 2 * d + i] + EXP_FLOOR) * ROUNDING;
}

/**
 * Tier 2's relative bound for a rounded diagonal's block from its raw block m[from..], as
 * `rawAdditive`'s from its raw diagonal: eta >= ||(L - M_a) W||_F (W = M_a^-1, rows[i] the norm of
 * its row i), row i of (L - M_a) W of norm at most sum_j |L - M_a|_ij rows_j, with |L - M_a|_ii at
 * most `rawAdditive`'s term; sigma(L) within a factor 1 +- eta of sigma(M_a), so cond(L L^T) <=
 * hi (1 + eta)^2 / (lo (1 - eta)^2). Each row's columns below the diagonal as `driftMoves`'s (in
 * pairs, even and odd in two sums added at the row's end, an odd row's last one), then its
 * diagonal's term: assembly/condition.ts `conditionRows` and `rawRelative`, the same bits.
 */
export function rawRelative(
  m: Float32Array,
  from: number,
  a: Float64Array,
  rows: Float64Array,
  raws: Float64Array,
  at: number,
  d: number,
  lo: number,
  hi: number,
): number {
  const eta = Math.sqrt(rawRowSquares(m, from, a, rows, raws, at, d));
  if (!(eta < 1)) return Number.POSITIVE_INFINITY;
  const up = 1 + eta;
  const down = 1 - eta;
  return (hi * (up * up)) / (lo * (down * down));
}

/**
 * `rawRelative`'s and `rawSince`'s sum_i row_i^2, row i = sum_{j < i} |m_ij - a_ij| rows_j + its
 * diagonal's `rawTerm` (against raws[at..]) times rows_i, for block m[from..] and a reference a
 * (lower triangle, float32 values below the diagonal: the anchor or the block when the exact drift
 * last ran); Infinity past a term's reach.
 */
function rawRowSquares(
  m: Float32Array,
  from: number,
  a: Float64Array,
  rows: Float64Array,
  raws: Float64Array,
  at: number,
  d: number,
): number {
  let squares = 0;
  for (let i = 0; i < d; i++) {
    const t = rawTerm(m[from + i * (d + 1)], raws, at, d, i);
    if (t === Number.POSITIVE_INFINITY) return t;
    const mr = from + i * d;
    const ar = i * d;
    let rowEven = 0;
    let rowOdd = 0;
    let j = 0;
    for (; j + 1 < i; j += 2) {
      rowEven += Math.abs(m[mr + j] - a[ar + j]) * rows[j];
      rowOdd += Math.abs(m[mr + j + 1] - a[ar + j + 1]) * rows[j + 1];
    }
    let row = rowEven + rowOdd;
    if (j < i) row += Math.abs(m[mr + j] - a[ar + j]) * rows[j];
    row += t * rows[i];
    squares += row * row;
  }
  return squares;
}

/**
 * Tier 2's bound from the last exact drift for a rounded diagonal's block from its raw block
 * m[from..], as `rawRelative`'s from the anchor: with L the float64 factor of m (L_ii = exp(m_ii),
 * L's entries below the diagonal m's), L_a the anchor's factor, W = L_a^-1 (rows[i] the norm of
 * its row i), S the float32 factor L^ when the exact drift last ran (s, lower triangle; float32
 * values) and eta = ||(S - L_a) W||_F that drift (`relativeDrift`'s float64 value, taken as it is,
 * as the step's other bound from it, from L^'s move since, takes it):
 *   ||(L - L_a) W||_F <= ||(S - L_a) W||_F + ||(L - S) W||_F,
 * and row i of (L - S) W is sum_j (L - S)_ij W_j, of norm at most sum_j |L - S|_ij rows_j. Below
 * the diagonal |L - S|_ij = |m_ij - s_ij|; on it |L_ii - S_ii| <= `rawTerm`'s term against the
 * raw diagonal r of the block then, with c_i >= exp(r_i) and b_i >= |exp(r_i) - S_ii| (`rawTerms`
 * of that raw block against s, at raws[at..]): `rawAdditive`'s proof of its term with S_ii in place
 * of the anchor's diagonal (it asks nothing else of it). The float64 sums of these non-negative
 * terms (a difference of float32 values, a product, sums of at most d terms, a square, a sum of d
 * squares, a square root: each rounding within 2^-53 relative) are within (2 d + 6) 2^-53 <
 * 2^-43 (d <= 256) of the exact sqrt(sum_i row_i^2), which the factor ROUNDING = 1 + 2^-40 covers.
 * So eta' = eta + sqrt(sum_i row_i^2) ROUNDING >= ||(L - L_a) W||_F, sigma(L) within a factor
 * 1 +- eta' of sigma(L_a), and cond(L L^T) <= hi (1 + eta')^2 / (lo (1 - eta')^2), as `across`.
 * L itself, not L^ = L + D: no ||D W||_F term (the bound from L^'s move since, `sinceMoves`, adds
 * it), and no float32 factor needed, so the batch's pass clears a block near the limit before the
 * step makes its factor. Each row's columns below the diagonal as `sinceMoves`'s (`rawRowSquares`),
 * then its diagonal's term: assembly/condition.ts `conditionRows` and `rawSince`, the same bits.
 * Infinity where eta or eta' is 1 or more (or NaN), x > 1/2, or lo <= 0.
 */
export function rawSince(
  m: Float32Array,
  from: number,
  s: Float64Array,
  rows: Float64Array,
  raws: Float64Array,
  at: number,
  d: number,
  eta: number,
  lo: number,
  hi: number,
): number {
  // An anchor whose lo is not positive (a float64 eigenvalue of a block far past any limit, whose
  // lane has ended) gives no bound.
  if (!(eta < 1) || !(lo > 0)) return Number.POSITIVE_INFINITY;
  const total = eta + Math.sqrt(rawRowSquares(m, from, s, rows, raws, at, d)) * ROUNDING;
  if (!(total < 1)) return Number.POSITIVE_INFINITY;
  const up = 1 + total;
  const down = 1 - total;
  return (hi * (up * up)) / (lo * (down * down));
}

/**
 * `rawAdditive`'s terms of an anchor a (d x d, its diagonal M_a's) made from the raw block
 * raw[at..] (raw_ii = log of its float64 factor's L_ii), into out[to..] (3 d float64).
 */
export function rawTerms(
  raw: Float32Array,
  at: number,
  a: Float64Array,
  d: number,
  out: Float64Array,
  to: number,
): void {
  for (let i = 0; i < d; i++) {
    const r = raw[at + i * (d + 1)];
    const ex = Math.exp(r);
    out[to + i] = r;
    out[to + d + i] = ex * ROUNDING;
    out[to + 2 * d + i] = Math.abs(ex - a[i * (d + 1)]) * ROUNDING;
  }
}

/**
 * Tier 2's sums over block m[from..] (float32, d x d row-major, upper triangle not read) against
 * an anchor a (float64, float32 values below its diagonal: condition-wasm.ts `anchor`): sums[0] =
 * sum_i (m_ii - a_ii)^2 and sums[2] = sum_i (V |m_ii| + TINY)^2 (a rounded diagonal's ||D||_F^2)
 * in float64, sums[1] >= sum_{j < i} (m_ij - a_ij)^2 from their float32 sum (`offSquares`).
 * assembly/condition.ts's operations in its order, so both give the same bits.
 */
export function shiftSums(
  m: Float32Array,
  from: number,
  a: Float64Array,
  d: number,
  sums: Float64Array,
): void {
  sums[1] = offSquares(m, from, a, d);
  // The diagonal as `diagonalSums` (its anchor's diagonal here at a[(d + 1) i]).
  let diagonal0 = 0;
  let diagonal1 = 0;
  let rounded0 = 0;
  let rounded1 = 0;
  const step = d + 1;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const m0 = m[from + i * step];
    const m1 = m[from + (i + 1) * step];
    const t0 = m0 - a[i * step];
    const t1 = m1 - a[(i + 1) * step];
    diagonal0 += t0 * t0;
    diagonal1 += t1 * t1;
    const d0 = V * Math.abs(m0) + TINY;
    const d1 = V * Math.abs(m1) + TINY;
    rounded0 += d0 * d0;
    rounded1 += d1 * d1;
  }
  let diagonal = diagonal0 + diagonal1;
  let rounded = rounded0 + rounded1;
  if (i < d) {
    const mii = m[from + i * step];
    const t = mii - a[i * step];
    diagonal += t * t;
    const dii = V * Math.abs(mii) + TINY;
    rounded += dii * dii;
  }
  sums[0] = diagonal;
  sums[2] = rounded;
}

/** `offSquares`'s sixteen float32 sums. */
const offLanes = new Float64Array(16);

/**
 * An upper bound on S = sum_{j < i} (m_ij - a_ij)^2 from its sum in float32 arithmetic, four
 * columns a SIMD instruction in assembly/condition.ts (no widening of each float32 pair to float64,
 * two values an instruction, as the pass before it): each difference, square and
 * addition rounded to float32 (Math.fround of the float64 result, which is the float32 operation's
 * correctly rounded result: float64 holds a product of two float32 values exactly, and a sum or
 * difference rounded twice, to 53 then 24 bits, rounds as once), each term into one of sixteen
 * lanes as the kernel's (FLAT_BELOW), then the lanes pairwise as its f32x4 sums: (0 + 4) + (8 +
 * 12), ..., then (l0 + l1) + (l2 + l3).
 *
 * Each difference is scaled by 2^32 before it is squared (exact; the squares of moves down to
 * 2^-95 stay out of float32's subnormals, several times slower to add), and the sum by 2^-64 at
 * the end (exact in float64). Its margin, with u = 2^-24 and n = d (d - 1) / 2 terms
 * t = 2^32 (m_ij - a_ij) (a_ij float32 values):
 * - the difference: fl(t) = t (1 + e), |e| <= u (a float32 difference that underflows is exact,
 *   and so is its scaling, or it overflows to Infinity); an anchor entry that is not a float32
 *   value (the twin's float64 a) rounds twice, first to 53 bits: |e| <= u + 2^-52;
 * - its square: fl(fl(t)^2) >= fl(t)^2 (1 - u) - 2^-150 (round to nearest with gradual underflow
 *   is off by at most half a subnormal step), so >= t^2 (1 - u)^3 (1 - 2^-52)^2 - 2^-150;
 * - the additions: each term passes through at most n + 4 of them (its lane's chain, the two
 *   lane-wise sums of the four f32x4 sums, two of the last three), of non-negative operands, each
 *   rounded by a factor within [1 - u, 1 + u] (a sum that is subnormal is exact), so the float32
 *   sum s >= (1 - u)^(n + 4) sum_ij fl(fl(t)^2).
 * So 2^64 S <= (s + n 2^-150) / ((1 - u)^(n + 7) (1 - 2^-52)^2). With x = (n + 7) u < 2^-9 (d <= 256,
 * the schema's limit), 1 / (1 - u)^(n + 7) <= 1 / (1 - x) <= 1 + x + 2x^2 < 1 + 1.01 x, and the
 * factor taken, 1 + (n + 8) 2u = 1 + 2x + 2u, exceeds that by more than 0.9 x >= 7 u, far more
 * than the twin's (1 - 2^-52)^-2 and this expression's three float64 roundings (each 2^-53).
 * An overflow (a move of Frobenius norm near 2^32 or more) gives Infinity (no bound), a NaN
 * stays NaN (no bound): neither clears a block; such a block goes on to the other tiers.
 * Within tier 2's bounds the margin is (n + 8) 2u relative, 2^-12 at d = 64: the blocks the
 * float64 pass cleared still clear.
 */
export function offSquares(m: Float32Array, from: number, a: Float64Array, d: number): number {
  const lanes = offLanes;
  lanes.fill(0);
  // Below FLAT_BELOW the kernel reads the block whole, entry f = i d + j into lane f mod 16;
  // from it on four rows at a time, row i into sum i mod 4, column j into its lane j mod 4.
  const flat = d < FLAT_BELOW;
  for (let i = 1; i < d; i++) {
    const row = from + i * d;
    const ar = i * d;
    for (let j = 0; j < i; j++) {
      const t = Math.fround(Math.fround(m[row + j] - a[ar + j]) * 2 ** 32);
      const lane = flat ? (ar + j) & 15 : ((i & 3) << 2) | (j & 3);
      lanes[lane] = Math.fround(lanes[lane] + Math.fround(t * t));
    }
  }
  const f = Math.fround;
  const v = (l: number) => f(f(lanes[l] + lanes[l + 4]) + f(lanes[l + 8] + lanes[l + 12]));
  const sum = f(f(v(0) + v(1)) + f(v(2) + v(3)));
  const n = (d * (d - 1)) / 2;
  return (sum + n * 2 ** -149) * (1 + (n + 8) * 2 ** -23) * 2 ** -64;
}

/**
 * `shiftSums`'s sums[0] and sums[2], on the diagonal alone (independent of sums[1], so in a pass of
 * its own), the anchor's diagonal at a[at..] (its copy in linear memory, condition-wasm.ts
 * `diagonalAt`). Not shared with `shiftSums`, nor `movesFrom` with `driftMoves`: an access site
 * that sees both host arrays and views of linear memory runs several times slower (measured: the
 * relative bound's pass 5x slower in the step).
 */
export function diagonalSums(
  m: Float32Array,
  from: number,
  a: Float64Array,
  at: number,
  d: number,
  sums: Float64Array,
): void {
  // Entries i and i + 1 (i even) in two sums each, added at the end, then an odd d's last entry:
  // assembly/condition.ts `diagonalShift`'s order (the lanes of its f64x2 sums).
  let diagonal0 = 0;
  let diagonal1 = 0;
  let rounded0 = 0;
  let rounded1 = 0;
  const step = d + 1;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const m0 = m[from + i * step];
    const m1 = m[from + (i + 1) * step];
    const t0 = m0 - a[at + i];
    const t1 = m1 - a[at + i + 1];
    diagonal0 += t0 * t0;
    diagonal1 += t1 * t1;
    const d0 = V * Math.abs(m0) + TINY;
    const d1 = V * Math.abs(m1) + TINY;
    rounded0 += d0 * d0;
    rounded1 += d1 * d1;
  }
  let diagonal = diagonal0 + diagonal1;
  let rounded = rounded0 + rounded1;
  if (i < d) {
    const mii = m[from + i * step];
    const t = mii - a[at + i];
    diagonal += t * t;
    const dii = V * Math.abs(mii) + TINY;
    rounded += dii * dii;
  }
  sums[0] = diagonal;
  sums[2] = rounded;
}

/**
 * Tier 2's O(d^2) sums for its relative bound, over block l[lo..] (float32, d x d row-major, upper
 * triangle not read) against the float64 anchor a, rows the norms of the rows of its inverse W:
 * out[0] = ||L^ - A||_F^2, out[1] = sum_i (sum_j |L^ - A|_ij rows_j (+ D_ii rows_i))^2, and for a
 * rounded diagonal out[2] = ||D||_F^2, out[3] = ||D W||_F^2 (D_ii = V |L^_ii| + TINY). Each row's
 * columns in pairs, even and odd in two sums (the squares over every row in one pair, the row's
 * weighted sum in another, added at the row's end), an odd row's last column and then the
 * diagonal apart: assembly/condition.ts `conditionMoves`'s order (two lanes of an f64x2).
 */
export function driftMoves(
  l: Float32Array,
  lo: number,
  a: Float64Array,
  rows: Float64Array,
  d: number,
  rounded: boolean,
  out: Float64Array,
): void {
  let even = 0;
  let odd = 0;
  let tail = 0;
  let diagonal = 0;
  let relative = 0;
  let dSquares = 0;
  let dwSquares = 0;
  for (let i = 0; i < d; i++) {
    const lr = lo + i * d;
    const ar = i * d;
    let rowEven = 0;
    let rowOdd = 0;
    let j = 0;
    for (; j + 1 < i; j += 2) {
      const t0 = l[lr + j] - a[ar + j];
      const t1 = l[lr + j + 1] - a[ar + j + 1];
      even += t0 * t0;
      odd += t1 * t1;
      rowEven += Math.abs(t0) * rows[j];
      rowOdd += Math.abs(t1) * rows[j + 1];
    }
    let row = rowEven + rowOdd;
    if (j < i) {
      const t = l[lr + j] - a[ar + j];
      tail += t * t;
      row += Math.abs(t) * rows[j];
    }
    const lii = l[lr + i];
    const t = lii - a[ar + i];
    diagonal += t * t;
    row += Math.abs(t) * rows[i];
    if (rounded) {
      const dii = V * Math.abs(lii) + TINY;
      dSquares += dii * dii;
      const dw = dii * rows[i];
      dwSquares += dw * dw;
      row += dw;
    }
    relative += row * row;
  }
  out[0] = even + odd + tail + diagonal;
  out[1] = relative;
  out[2] = dSquares;
  out[3] = dwSquares;
}

/**
 * `driftMoves`' out[3] for a rounded diagonal alone, ||D W||_F^2 with D_ii = V |L^_ii| + TINY, from
 * L^'s diagonal (block l[lo..]) and rows as `driftMoves`'s: the same operations in the same order
 * as its and assembly/condition.ts `conditionMoves`'s (the same bits).
 */
export function dwSquares(l: Float32Array, lo: number, rows: Float64Array, d: number): number {
  let dwSquares = 0;
  for (let i = 0; i < d; i++) {
    const dii = V * Math.abs(l[lo + i * (d + 1)]) + TINY;
    const dw = dii * rows[i];
    dwSquares += dw * dw;
  }
  return dwSquares;
}

/**
 * `driftMoves` from its sums below the diagonal (off[at] the squares, off[at + 1 + i] row i's
 * weighted sum: assembly/condition.ts `conditionRows` makes them for many blocks at once) and the
 * diagonal's terms, from L^'s diagonal l[lo + (d + 1) i], the anchor's a[aAt + i] and the norms
 * of its inverse's rows rows[rAt + i] (off, a and rows: views of linear memory alone, as
 * `diagonalSums`'s).
 */
export function movesFrom(
  off: Float64Array,
  at: number,
  l: Float32Array,
  lo: number,
  a: Float64Array,
  aAt: number,
  rows: Float64Array,
  rAt: number,
  d: number,
  rounded: boolean,
  out: Float64Array,
): void {
  let diagonal = 0;
  let relative = 0;
  let dSquares = 0;
  let dwSquares = 0;
  for (let i = 0; i < d; i++) {
    let row = off[at + 1 + i];
    const lii = l[lo + i * (d + 1)];
    const ri = rows[rAt + i];
    const t = lii - a[aAt + i];
    diagonal += t * t;
    row += Math.abs(t) * ri;
    if (rounded) {
      const dii = V * Math.abs(lii) + TINY;
      dSquares += dii * dii;
      const dw = dii * ri;
      dwSquares += dw * dw;
      row += dw;
    }
    relative += row * row;
  }
  out[0] = off[at] + diagonal;
  out[1] = relative;
  out[2] = dSquares;
  out[3] = dwSquares;
}

/**
 * sum_i (sum_{j <= i} |L^_ij - S_ij| rows_j)^2 for block l[lo..] and s (float32 values: the block
 * when the exact drift last ran), rows as `driftMoves`'s: each row's columns below the diagonal in
 * pairs, even and odd in two sums added at the row's end, its odd last one, then its diagonal
 * (`conditionSince`'s and `conditionRows`'s order).
 */
export function sinceMoves(
  l: Float32Array,
  lo: number,
  s: Float64Array,
  rows: Float64Array,
  d: number,
): number {
  let since = 0;
  for (let i = 0; i < d; i++) {
    const lr = lo + i * d;
    const sr = i * d;
    let rowEven = 0;
    let rowOdd = 0;
    let j = 0;
    for (; j + 1 < i; j += 2) {
      rowEven += Math.abs(l[lr + j] - s[sr + j]) * rows[j];
      rowOdd += Math.abs(l[lr + j + 1] - s[sr + j + 1]) * rows[j + 1];
    }
    let row = rowEven + rowOdd;
    if (j < i) row += Math.abs(l[lr + j] - s[sr + j]) * rows[j];
    row += Math.abs(l[lr + i] - s[sr + i]) * rows[i];
    since += row * row;
  }
  return since;
}

/**
 * `sinceMoves` from its sums below the diagonal (rowSums[at + i], row i's: assembly/condition.ts
 * `conditionRows` makes them for many blocks at once) and the diagonal's terms, from L^'s diagonal
 * l[lo + (d + 1) i] and s's, s[sAt + i] (its copy in linear memory, condition-wasm.ts `settle`),
 * rows as `movesFrom`'s.
 */
export function sinceFrom(
  rowSums: Float64Array,
  at: number,
  l: Float32Array,
  lo: number,
  s: Float64Array,
  sAt: number,
  rows: Float64Array,
  rAt: number,
  d: number,
): number {
  let since = 0;
  for (let i = 0; i < d; i++) {
    const row = rowSums[at + i] + Math.abs(l[lo + i * (d + 1)] - s[sAt + i]) * rows[rAt + i];
    since += row * row;
  }
  return since;
}

/**
 * cond(L L^T) <= hi (1 + eta)^2 / (lo (1 - eta)^2) for sigma(L) within a factor 1 +- eta of its
 * anchor's, whose squares lie in [lo, hi] (tier 2's relative bound); Infinity from eta = 1.
 */
function across(eta: number, lo: number, hi: number): number {
  return eta < 1 ? (hi * (1 + eta) ** 2) / (lo * (1 - eta) ** 2) : Number.POSITIVE_INFINITY;
}

/** The eta at which `across` reaches limit: how far a factor may drift from its anchor and stay within it. */
function reach(limit: number, lo: number, hi: number): number {
  const s = Math.sqrt((limit * lo) / hi);
  return (s - 1) / (s + 1);
}

/** `factorForm`'s margin for a rounded diagonal: ((1 + V) / (1 - V))^4. */
const ROUNDED_FORM = ((1 + V) / (1 - V)) ** 4;

/**
 * d = 2: tr(Sigma)^2 / det(Sigma) = cond + 2 + 1 / cond >= cond, from full's raw Sigma s[at..]
 * itself (its float32 products are exact in float64, each sum and quotient within a few float64
 * roundings, far inside the tests' margins). Not positive definite or non-finite: Infinity (the
 * host's).
 */
function sigmaForm(s: Float32Array, at: number): number {
  const s00 = s[at];
  const s10 = s[at + 2];
  const s11 = s[at + 3];
  const det = s00 * s11 - s10 * s10;
  return s00 > 0 && det > 0 ? (s00 + s11) ** 2 / det : Number.POSITIVE_INFINITY;
}

/**
 * d = 2: `sigmaForm`'s closed form from the factor L^ = [[a, 0], [b, c]] at l[lo..] (tr = a^2 +
 * b^2 + c^2, det = a^2 c^2), times ROUNDED_FORM where a and c are rounded exps (`rounded`: the
 * float64 factor's a and c within a factor 1 +- V of L^'s, so tr within a factor (1 + V)^2 and
 * det (1 - V)^4 of L^'s values, and (tr^2 / det) within ((1 + V) / (1 - V))^4). Tiny or
 * non-finite: Infinity (the host's).
 */
function factorForm(l: Float32Array, lo: number, rounded: boolean): number {
  const a = l[lo];
  const b = l[lo + 2];
  const c = l[lo + 3];
  const bound = (a * a + b * b + c * c) ** 2 / (a * a * c * c);
  if (!rounded) return bound;
  return Math.abs(a) >= 2 ** -100 && Math.abs(c) >= 2 ** -100
    ? bound * ROUNDED_FORM
    : Number.POSITIVE_INFINITY;
}

/** A block's anchor, when tier 3 or 4 last ran on it, or tier 1 cleared it well within the limit. */
interface Anchor {
  /** The lower triangle of its factor (L^, or the float64 factor for `rounded-diagonal`; for `cholesky` its raw Sigma). */
  m: Float64Array;
  /** Whether `w`, `rows` and `last` hold m's inverse and what tier 2 found with it (tiers 3 and 4); a tier-1 anchor has no inverse. */
  inverse: boolean;
  /** Whether tier 2 tries it (a tier-1 anchor is retired when tier 1 clears the block only near the limit). */
  live: boolean;
  /** Whether the additive bound failed on the block's last call (its next one goes straight to the relative bound's pass). */
  relative: boolean;
  /** L^^-1 then (lower triangle). */
  w: Float64Array;
  /** The norms of w's rows (tier 2's O(d^2) relative bound, and a rounded diagonal's share of eta). */
  rows: Float64Array;
  /** The lower triangle of L^ when tier 2 last computed ||(L^ - L_a) W||_F exactly, and that value (Infinity: not yet). */
  last: Float64Array;
  lastEta: number;
  /** Bounds on the extreme eigenvalues of L^ L^^T (for `cholesky`: of Sigma) then. */
  lo: number;
  hi: number;
  /** Whether the bound from it cleared the block then. */
  cleared: boolean;
  /** Calls left before the step tries an uncleared block again (until then the host judges it). */
  wait: number;
  /** Calls left in which tier 1 clears the block without anchoring it (it outran its last anchors). */
  calm: number;
}

/** How many steps a block the step's tiers could not clear (near the limit) is left to the host before they try again. */
const WAIT = 16;
/**
 * The share of its anchor's `reach` past which a block's last exact drift has a new anchor made
 * rather than further exact drifts (`drift`). Score matching's precision-cholesky near the limit
 * (condition-cost.mjs, 1,500 steps at d = 64): 3,250 exact drifts and 70 anchors with none, 1,436
 * and 95 at 0.7, 1,142 and 124 at 0.5; the check's share at d = 64 about 2 points lower at 0.7 or
 * 0.5 than with none, and no clear difference between the two at d = 16 and 32.
 */
const RENEW = 0.7;

/** An anchor's bound above limit / NEAR is near the limit (for `cholesky`: the host's to judge once it moved past it). */
const NEAR = 4;

/** An anchor that tier 2 used fewer times than this before the block moved past it did not pay for itself. */
const HOLD = 4;

/**
 * The condition check's tiers, run inside the native step on each unit's float32 factor L^ right
 * after the map computed it (so it is still in cache, and no float64 factor is formed): upper
 * bounds on the 2-norm condition number of the block's float64 covariance (or precision). A block
 * cleared here (bound within its lane's limit) is not looked at again; any other goes to the host
 * check (train/condition.ts), which words the reason from its exact value. So the guarantee is the
 * host check's: a block is cleared only by an upper bound, here one that also covers how L^
 * differs from the float64 factor (SLACK).
 *
 * From L^: lambda(L^ L^^T) lies in [a, A] with A = min(||L^||_1 ||L^||_inf, ||L^||_F^2) and
 * a = 1 / (max(M^-1 e) max(M^-T e)), M the comparison matrix of L^ (ground/triangular-bounds.ts).
 * With Sigma = L^ L^^T + F and ||F||_2 <= f (SLACK), cond(Sigma) <= (A + f) / (a - f) (Weyl).
 * Four tiers, as the host's:
 *
 * 1. O(d^2): [a, A] above.
 * 2. O(d^2): from the block's anchor, lambda within e of the anchor's bounds (Weyl): for `cholesky`
 *    on Sigma itself, the raw block (e = ||Sigma - Sigma_a||_F, no slack), for the others
 *    sigma(L) (e = ||L - L_a||_F, L the float64 factor), which may narrow [a, A]. Then sigma(L)
 *    within a factor 1 +- eta of the anchor's, eta >= ||(L - L_a) L_a^-1||_F: in O(d^2) from the
 *    norms of L_a^-1's rows (on the move from the anchor, or on the move since eta's last exact
 *    value, added to it), then in O(d^3 / 6) (ground/triangular-bounds.ts `relativeDrift`).
 * 3. O(d^3 / 6): sigma_min(L^) >= 1 / ||L^-1||_F and sigma_max(L^) <= ||L^||_F.
 * 4. O(4/3 d^3): the float64 extreme eigenvalues of Sigma (`cholesky`) or of L^ L^^T.
 *
 * Tier 2 runs first, where the block has an anchor: its additive bound is one pass over the
 * block, tier 1 two passes with d divisions in a chain, which at d = 8 to 16 is the check's
 * whole cost each step. Tier 1 anchors a block it clears within limit / NEAR (its [a, A], no
 * inverse: the additive bound only); one it clears only nearer the limit, tier 3 anchors when its
 * bound is within limit / NEAR (else tier 1's bound stands). Tiers 3 and 4 anchor the blocks
 * tier 1 does not clear: a block that needs them pays once, then once per drift of a sizeable
 * fraction of its smallest eigenvalue. A block that outruns its tier-1 anchor (tier 2 cleared it
 * fewer than HOLD times from it) is anchored by tier 3 next, whose inverse gives tier 2 its
 * relative bounds; one that outruns that too is cleared by tier 1 alone, anchoring nothing, for
 * WAIT steps. One that tier 2 cannot clear while still that near its anchor (its condition
 * number is near the limit, or past it) is left to the host for WAIT steps at a time where that
 * anchor is within a factor 2 of the limit (else it is anchored anew); so is a `cholesky` block
 * anchored within a factor NEAR of the limit once it moved past tier 2's reach (the host's drift
 * tier, on its float64 factor, reaches further).
 * At d = 2 one closed form replaces them: within a few float64 roundings of the exact value.
 *
 * Where the WebAssembly kernels run (from d = 16), tier 2's passes are its kernels, against a copy of each anchor kept in linear
 * memory: the same float64 operations in the same order as `shiftSums`, `driftMoves`,
 * `sinceMoves` and `relativeDrift`, so the same bounds. From d = 3 to 31 the step's two O(d^2)
 * passes from the anchors run for the whole batch in one call before its blocks (`prepare`): the
 * additive bound's, and the relative bound's below the diagonal for the blocks that go straight to
 * it; each block then reads what it needs (`cleared`, `movesFrom`), and only the blocks those do
 * not clear go through `judge`'s tiers.
 */
export class StepConditionBound {
  /**
   * Per block (lane * units + unit), of the last step: an upper bound on its condition number
   * within its lane's limit, or Infinity where the step could not clear it (the host check judges
   * it). Where the batch's kernels run they keep them (condition-wasm.ts `boundAt`, `clear` sets a
   * cleared block's there): this is a copy, made at each read (a view of linear memory would be
   * detached by its growth while the caller holds it).
   */
  get bounds(): Float64Array {
    if (this.inMemory) this.kernels!.copyBounds(this.kept);
    return this.kept;
  }

  /** Block k's bound (`bounds`), where it is kept. */
  private setBound(k: number, bound: number): void {
    if (this.inMemory) {
      const kernels = this.kernels!;
      kernels.f64()[kernels.boundAt(k)] = bound;
    } else this.kept[k] = bound;
  }

  /** `bounds`, or their copy where the kernels keep them (`inMemory`). */
  private readonly kept: Float64Array;
  /** Whether the batch's kernels keep the blocks' bounds and `served` counts (they clear blocks: `clear`). */
  private readonly inMemory: boolean;
  /** How often each tier cleared a block (tests and the cost measurement read it). */
  readonly tiers = { bound: 0, drift: 0, trace: 0, exact: 0 };
  private readonly anchors: (Anchor | undefined)[];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly inv: Float64Array;
  private readonly norms = new Float64Array(4);
  /** The e of the last `shift`. */
  private moved = 0;
  /** Whether the current `block` call may read `prepare`'s sums, and whether their diagonal sums are its factor's (`prepare`). */
  private ready = false;
  private diagonals = true;
  /** `shiftSums`'s out. */
  private readonly sums = new Float64Array(3);
  /** `driftMoves`'s out. */
  private readonly moves = new Float64Array(4);
  /** Whether the last `shift` ran on WebAssembly, so left its block staged in linear memory. */
  private staged = false;
  /** Whether `sums` hold this call's block's sums already (`shiftedHere`), for `shift`. */
  private summed = false;
  /** Whether the last `fromRows` cleared its block by the additive bound. */
  private additiveCleared = false;
  /** The float64 factor of a `rounded-diagonal` block, for tiers 2 to 4. */
  private readonly l64: Float64Array;
  /** Tier 4's extreme eigenvalues. */
  private readonly eigen: ExtremeEigenKernel;
  /** Every block's anchor factor (`stored`). */
  private readonly store: Float64Array;
  /** The passes' WebAssembly kernels that run block by block (from condition-wasm.ts's FROM). */
  private readonly wasm?: ConditionWasm;
  /** Per block, the `prepare` whose sums it may read (until its `block` call); `prepared` counts them. */
  private readonly fresh: Uint32Array;
  private prepared = 0;
  /**
   * Per block, what `cleared` reads instead of its anchor (an object on the heap, which a step's
   * other data evicts between steps): whether its next call starts with tier 2's additive bound
   * (`judge`'s first step), and how many calls tier 2 cleared from it. Its anchor's lo and hi it
   * reads from the kernels' copy (condition-wasm.ts `extremes`).
   */
  private readonly fast: Uint8Array;
  /** `served`, where the kernels do not keep it (`inMemory`, `servedOf`). */
  private readonly served: Uint32Array;
  /** Per block, the stamp of the `prepare` that cleared it (`shiftsCleared`), until its `block` call. */
  private readonly done: Uint32Array;
  /** How many live blocks the last `prepare` (of stamp `listed`) did not clear (listed at condition-wasm.ts `pendingAt`). */
  private left = 0;
  private listed = 0;
  /** Per block, its anchor's `lastEta` (for `fromRows`). */
  private readonly lastEtas: Float64Array;
  /** Per block, its anchor's `rawTerms` (3 d; a rounded diagonal's), for `rawAdditive`. */
  private readonly raws: Float64Array;
  /** Per block, the `rawTerms` of its raw block against its anchor's `last` when the exact drift last ran, for `rawSince`. */
  private readonly sinceRaws: Float64Array;
  /**
   * Whether `prepare` may try the raw diagonal's bounds (`rawFirst`): only then does an anchor
   * keep its `rawTerms` (d exps), which no other bound reads.
   */
  private readonly rawBounds: boolean;
  /**
   * Whether tier 2's additive and relative bounds try `rawAdditive` and `rawRelative` first (a
   * rounded diagonal whose step hands `prepare` its raw blocks in the batch's range of d,
   * SHIFTS_FROM to SHIFTS_BELOW, unless not `rawDiagonals`: its pass then clears a block without
   * the float32 factor's diagonal), set by `prepare` with or without the kernels, so the bounds are
   * the same either way.
   */
  private rawFirst = false;
  /** The raw block of the current `judge` or `shiftedHere` call, for `rawAdditive` and `rawTerms`. */
  private rawBlock: Float32Array = new Float32Array(0);
  private rawAt = 0;

  /**
   * Whether its passes read each block where it is in linear memory rather than copy it in
   * (block by block, without the batch's pass): a task that leaves its factors there should hand
   * those over (native/step.ts). Below, the batch's pass reads the raw blocks and a factor is read
   * only past it, where a view of linear memory cost more than a host array (measured when score
   * matching handed its factors over: its rounded diagonals at d = 8 and 16, 0.14 to 0.23 us a
   * lane-step).
   */
  get readsInPlace(): boolean {
    return this.wasm !== undefined && !this.kernels!.batched;
  }

  constructor(
    private readonly slack: Slack,
    private readonly d: number,
    private readonly units: number,
    /** Per lane: its `max_condition`. */
    private readonly limits: ArrayLike<number>,
    /** The passes as WebAssembly kernels, where they run (the same bounds). */
    private readonly kernels?: ConditionWasm,
    /** Whether `prepare` on raw blocks tries the raw diagonal's bounds first (`rawFirst`). */
    rawDiagonals = true,
  ) {
    this.wasm = kernels?.blockwise ? kernels : undefined;
    const blocks = limits.length * units;
    this.fresh = new Uint32Array(blocks);
    this.fast = new Uint8Array(blocks);
    this.served = new Uint32Array(blocks);
    this.done = new Uint32Array(blocks);
    this.lastEtas = new Float64Array(blocks).fill(Number.POSITIVE_INFINITY);
    this.rawBounds = rawDiagonals && slack === 'rounded-diagonal' && d >= SHIFTS_FROM && d < SHIFTS_BELOW;
    this.raws = new Float64Array(this.rawBounds ? blocks * 3 * d : 0);
    this.sinceRaws = new Float64Array(this.rawBounds ? blocks * 3 * d : 0);
    this.kept = new Float64Array(limits.length * units).fill(Number.POSITIVE_INFINITY);
    this.inMemory = kernels?.batched === true && d !== 2;
    this.anchors = new Array<Anchor | undefined>(limits.length * units).fill(undefined);
    this.x = new Float64Array(d);
    this.y = new Float64Array(d);
    this.inv = new Float64Array(d * d);
    this.l64 = new Float64Array(d * d);
    this.eigen = new ExtremeEigenKernel(d, { wasm: kernels !== undefined });
    this.store = new Float64Array(limits.length * units * d * d);
    kernels?.limits(limits, units);
  }

  /**
   * Before a step's `block` calls: tier 2's pass from the anchors for every block of the live lanes
   * (alive[lane]), block k = lane * units + unit at raw[at + d^2 k ..] (each lane's raw blocks, as
   * the step reads them in its `block` calls: they must not change in between), in one
   * WebAssembly call (where it runs, from condition-wasm.ts's SHIFTS_FROM), not one per block.
   * The blocks below their diagonals are their factors' (L^'s, or Sigma's itself); a rounded
   * diagonal's L^ differs from raw on its diagonal alone, whose sums `shift` then takes from L^,
   * unless `diagonals` (raw's diagonals already are L^'s: the classifier's lanes after their forward).
   * With `calls` false no `block` call follows for the blocks it clears (`blocks`): it marks none.
   */
  prepare(raw: Float32Array, at: number, alive: Uint8Array, diagonals = false, calls = true): void {
    const { kernels, units, fresh, d } = this;
    this.rawFirst = this.rawBounds && !diagonals;
    if (!kernels?.batched || d === 2) return;
    this.diagonals = diagonals || this.slack !== 'rounded-diagonal';
    const stamp = ++this.prepared;
    const lanes = this.limits.length;
    // Where its pass's bound is `passed`'s (it read the blocks' own diagonals, or a rounded
    // diagonal's raw one, `rawFirst`), the blocks it clears are cleared here (`shiftsCleared`).
    const clear = this.diagonals || this.rawFirst;
    let cleared = 0;
    let left = 0;
    for (let b = 0; b < lanes; ) {
      if (!alive[b]) {
        b++;
        continue;
      }
      let end = b + 1;
      while (end < lanes && alive[end]) end++;
      const first = b * units;
      const count = (end - b) * units;
      if (clear) {
        const n = this.shiftsCleared(raw, at, first, count, left, stamp, calls);
        cleared += n;
        left += count - n;
      } else {
        kernels.shifts(raw, at, first, count, SLACK_CODE[this.slack]);
        fresh.fill(stamp, first, first + count);
      }
      b = end;
    }
    if (!clear) return;
    this.tiers.drift += cleared;
    this.left = left;
    this.listed = stamp;
  }

  /**
   * `prepare`'s pass (the kernels' `shifts`) and its end for blocks first .. first + count - 1 (all
   * of live lanes) of raw[at..] where its pass's bound is `passed`'s: every block that bound clears
   * (or, a rounded diagonal's raw blocks that went straight to the relative bounds,
   * `relativeCleared`'s first two), cleared here, in the kernel (condition-wasm.ts `clear`, or
   * `shiftsClear` in the pass's own call: the same tests over its copies of `fast`, `narrowed`
   * and the limits, then `clears`' bookkeeping on the bounds and `served` counts it keeps; the tiers'
   * counter once in `prepare`), and marked `done` with this `prepare`'s stamp (where `calls`:
   * `block` is called on it), so that its `block` call returns at once. That call would have
   * cleared it by the same bound and done nothing else (`cleared`, `passed`): the same bounds and
   * tiers, without `block`'s bookkeeping around each of the pass's blocks (at d = 8 that and
   * `passed` block by block were a third of the check's cost; at d = 4 this loop in JavaScript
   * was 8 of 24 ns a block, the kernel's 3). The others the kernel lists after the `left` listed
   * before (`pendingAt`). Returns how many it cleared.
   */
  private shiftsCleared(
    raw: Float32Array,
    at: number,
    first: number,
    count: number,
    left: number,
    stamp: number,
    calls: boolean,
  ): number {
    const kernels = this.kernels!;
    // Without the raw diagonal's relative bounds (which `conditionRows` makes after the pass), the
    // clearing runs in the pass's own loop over the blocks (condition-wasm.ts `shiftsClear`).
    let n: number;
    if (this.rawFirst) {
      kernels.shifts(raw, at, first, count, RAW_SLACK);
      n = kernels.clear(first, count, true, left);
    } else n = kernels.shiftsClear(raw, at, first, count, SLACK_CODE[this.slack], left);
    this.fresh.fill(stamp, first, first + count);
    // Marked `done` where `block` is called on it: every block not listed as pending.
    if (calls && n !== 0) {
      const { done } = this;
      const words = kernels.words();
      const pending = kernels.pendingAt + left;
      let p = 0;
      for (let k = first; k < first + count; k++)
        if (p < count - n && words[pending + p] === k) p++;
        else done[k] = stamp;
    }
    return n;
  }

  /**
   * A whole step's blocks, every factor and a copy of every raw block in linear memory (the
   * classifier's lanes, after their forward): `prepare` on the copies at memory()[copies..] (whose
   * diagonals are the factors'), then `block` of each unit of each live lane, block k's factor at
   * memory()[factors + d^2 k ..] and its raw block at raw[d^2 k ..]. `memory` gives the view of
   * linear memory again for each block (one that grew detaches the old view).
   */
  blocks(
    memory: () => Float32Array,
    copies: number,
    factors: number,
    raw: Float32Array,
    alive: Uint8Array,
  ): void {
    const { units } = this;
    const dd = this.d * this.d;
    if (this.d === 2) {
      this.closedForms(memory(), factors, raw, alive);
      return;
    }
    // No `block` call for the blocks `prepare` clears (`pending` lists the others): no marks.
    this.prepare(memory(), copies, alive, true, false);
    // The blocks `prepare` cleared need no `block` call, nor a view of memory: the others it
    // listed (`pending`), in the order of the loop below, where it did not clear any.
    if (this.listed !== 0 && this.listed === this.prepared) {
      const kernels = this.kernels!;
      const pending = kernels.pendingAt;
      for (let i = 0; i < this.left; i++) {
        // Asked again each time: a block's tiers may grow linear memory (a new view).
        const k = kernels.words()[pending + i];
        const b = Math.floor(k / units);
        this.block(b, k - b * units, memory(), factors + k * dd, raw, k * dd);
      }
      return;
    }
    for (let b = 0; b < alive.length; b++) {
      if (!alive[b]) continue;
      for (let k = b * units; k < (b + 1) * units; k++)
        this.block(b, k - b * units, memory(), factors + k * dd, raw, k * dd);
    }
  }

  /**
   * Bound block `unit` of lane `lane`, whose float32 factor is l[lo..] (its upper triangle not
   * read: an in-place map's is the raw block's) and raw block raw[at..]. Small, so that the step
   * can inline it: where `prepare` cleared the block (near the limit nearly every block, from the
   * bound since its last exact drift), this test is all its call does.
   */
  block(lane: number, unit: number, l: Float32Array, lo: number, raw: Float32Array, at: number): void {
    const k = lane * this.units + unit;
    // `prepare`'s sums for this block, if any, are for this call alone, and so is its clearing
    // the block (`shiftsCleared`: then nothing is left to do).
    const stamp = this.fresh[k];
    this.fresh[k] = 0;
    if (stamp === 0 || stamp !== this.prepared || this.done[k] !== stamp)
      this.bound(k, lane, stamp, l, lo, raw, at);
  }

  /** `block` of block k where `prepare` did not clear it (its stamp, as `block` read it). */
  private bound(
    k: number,
    lane: number,
    stamp: number,
    l: Float32Array,
    lo: number,
    raw: Float32Array,
    at: number,
  ): void {
    this.ready = stamp !== 0 && stamp === this.prepared;
    const limit = this.limits[lane];
    // Nothing exceeds an infinite limit: no check.
    if (limit === Number.POSITIVE_INFINITY) return;
    if (this.d === 2) {
      const bound =
        this.slack === 'cholesky' ? sigmaForm(raw, at) : factorForm(l, lo, this.slack === 'rounded-diagonal');
      if (bound <= limit) this.tiers.bound++;
      this.setBound(k, bound <= limit ? bound : Number.POSITIVE_INFINITY);
    } else if (
      !(this.ready
        ? this.cleared(k, l, lo, limit) || this.relativeCleared(k, l, lo, limit)
        : this.shiftedHere(k, l, lo, raw, at, limit))
    ) {
      const bound = this.judge(k, l, lo, raw, at, limit);
      this.summed = false;
      this.setBound(k, bound <= limit ? bound : Number.POSITIVE_INFINITY);
      const anchor = this.anchors[k];
      const next = anchor?.live === true && anchor.wait === 0;
      const onSigma = this.slack === 'cholesky';
      this.fast[k] = next && (!anchor.inverse || onSigma || !anchor.relative) ? 1 : 0;
      this.kernels?.gate(k, this.fast[k]);
      // Its next call goes straight to the relative bound's sums: `prepare` makes them.
      this.kernels?.want(k, next && anchor.inverse && !onSigma && anchor.relative);
    }
  }

  /**
   * Whether a step bounds its blocks after its lanes, all in one `closedBlocks` call, rather than
   * with a `block` call each: at d = 2, where each is a closed form of four numbers (score
   * matching's one block a lane: that call's bookkeeping was a tenth of a step there).
   */
  get closedAfterLanes(): boolean {
    return this.d === 2;
  }

  /**
   * Where `closedAfterLanes`: every block of the live lanes, block k's float32 factor (as `block`
   * reads it) at factors[4 k ..] and its raw block at raw[4 k ..], in one loop (`closedForms`):
   * the same bounds and tiers as a `block` call each.
   */
  closedBlocks(factors: Float32Array, raw: Float32Array, alive: Uint8Array): void {
    this.closedForms(factors, 0, raw, alive);
  }

  /**
   * `blocks` at d = 2: `block`'s closed form (`sigmaForm`, `factorForm`) for every block of the
   * live lanes in one loop, block k's factor at l[factors + 4 k ..] and its raw block at
   * raw[4 k ..], the same bounds and tiers as a `block` call each. A step there is 0.3 to 0.6 us a
   * lane: `block`'s bookkeeping around each closed form (and a view of memory each) cost 10% to
   * 14% of it, this loop about 7 ns a block (hot).
   */
  private closedForms(l: Float32Array, factors: number, raw: Float32Array, alive: Uint8Array): void {
    const { units, limits } = this;
    // d = 2: no kernels, the bounds kept here.
    const bounds = this.kept;
    const onSigma = this.slack === 'cholesky';
    const rounded = this.slack === 'rounded-diagonal';
    let cleared = 0;
    for (let b = 0; b < alive.length; b++) {
      const limit = limits[b];
      // Nothing exceeds an infinite limit: no check (`block` returns at once).
      if (!alive[b] || limit === Number.POSITIVE_INFINITY) continue;
      for (let k = b * units; k < (b + 1) * units; k++) {
        const bound = onSigma ? sigmaForm(raw, 4 * k) : factorForm(l, factors + 4 * k, rounded);
        if (bound <= limit) {
          cleared++;
          bounds[k] = bound;
        } else bounds[k] = Number.POSITIVE_INFINITY;
      }
    }
    this.tiers.bound += cleared;
  }

  /**
   * `judge`'s first step where it clears the block, alone and on `prepare`'s sums (its common
   * case; at d = 8 to 16 the step's cost is mostly what surrounds them, so here from typed arrays,
   * not the anchor): tier 2's additive bound from a live anchor (`fast`). False where it does not
   * clear the block; `judge` then runs from the start (the same bound first, no state changed).
   */
  private cleared(k: number, l: Float32Array, lo: number, limit: number): boolean {
    if (this.diagonals) return this.passed(k, limit);
    // The pass's bound from the raw diagonal first (`rawAdditive`), then the factor's from its sums.
    if (this.rawFirst && this.passed(k, limit)) return true;
    const { sums } = this;
    const kernels = this.kernels!;
    if (!this.fast[k] || !kernels.narrowed(k)) return false;
    // A rounded diagonal's m is L^ (l), whose diagonal `prepare` did not read.
    kernels.shifted(k, sums);
    const f64 = kernels.f64();
    // The anchor's diagonal from its copy in linear memory: one cache line at d = 8, not d.
    diagonalSums(l, lo, f64, kernels.diagonalAt(k), this.d, sums);
    return this.clears(k, this.additive(f64[kernels.lowAt(k)], f64[kernels.highAt(k)]), limit);
  }

  /** `cleared` where `prepare`'s pass read the block's own diagonal: its bound, made in the kernel. */
  private passed(k: number, limit: number): boolean {
    const kernels = this.kernels!;
    return this.fast[k] === 1 && kernels.narrowed(k) && this.clears(k, kernels.shiftBound(k), limit);
  }

  /** How many calls tier 2 cleared block k from its anchor (`served`: here, or where the kernels keep it). */
  private servedOf(k: number): number {
    if (!this.inMemory) return this.served[k];
    const kernels = this.kernels!;
    return kernels.words()[kernels.servedAt(k)];
  }

  private serve(k: number): void {
    if (!this.inMemory) this.served[k]++;
    else {
      const kernels = this.kernels!;
      kernels.words()[kernels.servedAt(k)]++;
    }
  }

  /** A new anchor: none served yet. */
  private unserve(k: number): void {
    if (!this.inMemory) this.served[k] = 0;
    else {
      const kernels = this.kernels!;
      kernels.words()[kernels.servedAt(k)] = 0;
    }
  }

  /** Whether tier 2's `bound` clears block k (then counted and kept as its bound). */
  private clears(k: number, bound: number, limit: number): boolean {
    if (!(bound <= limit)) return false;
    this.tiers.drift++;
    this.serve(k);
    this.setBound(k, bound);
    return true;
  }

  /**
   * `cleared` where no `prepare` ran (block by block, from FROM): tier 2's additive bound from a
   * live anchor (`fast`) on the kernel, its anchor's lo and hi from the kernels' copy, not from the
   * anchor (an object on the heap: reading it costs about what the pass does at d = 32). Where it
   * does not clear the block, `judge` runs from the start with its sums (`summed`: the same bound
   * first, no state changed, no second pass).
   */
  private shiftedHere(
    k: number,
    l: Float32Array,
    lo: number,
    raw: Float32Array,
    at: number,
    limit: number,
  ): boolean {
    const { wasm, sums } = this;
    if (!wasm || !this.fast[k] || !wasm.narrowed(k)) return false;
    const onSigma = this.slack === 'cholesky';
    const m = onSigma ? raw : l;
    const from = onSigma ? at : lo;
    this.staged = true;
    if (this.rawFirst) {
      wasm.shift(k, m, from, sums);
      const f64 = wasm.f64();
      const low = f64[wasm.lowAt(k)];
      const high = f64[wasm.highAt(k)];
      if (this.clears(k, rawAdditive(raw, at, this.raws, 3 * this.d * k, this.d, sums[1], low, high), limit))
        return true;
      if (this.clears(k, this.additive(low, high), limit)) return true;
    } else {
      // The pass and `additive`'s bound in one call (the same operations: the same bits); the
      // sums read only where it fails (d = 32: about 40 ns a block less than reading them and
      // the anchor's lo and hi for the bound here).
      if (this.clears(k, wasm.bound(k, m, from, SLACK_CODE[this.slack]), limit)) return true;
      wasm.readSums(sums);
    }
    this.summed = true;
    return false;
  }

  /**
   * `judge`'s first steps where they clear a block that goes straight to tier 2's relative bounds
   * (its additive bound failed last time: `prepare` made its sums, `offsAt`): `fromRows`, from
   * typed arrays and linear memory. Where they do not clear it, `judge` runs from the start (the
   * same bounds first, then the exact drift); where the additive bound cleared it, its next call
   * starts with that bound again (`drift`'s, and `block`'s after it).
   */
  private relativeCleared(k: number, l: Float32Array, lo: number, limit: number): boolean {
    const off = this.kernels!.offsAt(k);
    if (off < 0) return false;
    // The raw diagonal's relative bounds first (`rawSince`, then `rawRelative`, made in the pass).
    if (this.rawFirst) {
      const f64 = this.kernels!.f64();
      const d = this.d;
      if (this.clears(k, f64[off + 2 * d + 2], limit) || this.clears(k, f64[off + 2 * d + 1], limit))
        return true;
    }
    if (!this.clears(k, this.fromRows(k, off, l, lo, limit), limit)) return false;
    if (this.additiveCleared) {
      this.anchors[k]!.relative = false;
      this.fast[k] = 1;
      this.kernels!.gate(k, 1);
      this.kernels!.want(k, false);
    }
    return true;
  }

  /** The four tiers for d > 2: a bound within `limit`, or one above it (or NaN). */
  private judge(
    k: number,
    l: Float32Array,
    lo: number,
    raw: Float32Array,
    at: number,
    limit: number,
  ): number {
    this.rawBlock = raw;
    this.rawAt = at;
    const anchor = this.anchors[k];
    if (anchor && anchor.wait > 0) {
      anchor.wait--;
      return Number.POSITIVE_INFINITY;
    }
    const { d, x, y, norms } = this;
    const onSigma = this.slack === 'cholesky';
    // Past tier 1 a rounded diagonal's slack is worth d exps: tiers 3 and 4 run on the float64
    // factor itself (factor64's: L^ with exp(raw_jj) in float64 on its diagonal), with no slack.
    // Tier 2 runs on L^ and counts the rounded diagonal as part of its move from the anchor.
    let slack = this.slack;
    let f64: ArrayLike<number> = l;
    let at64 = lo;
    // Whether the block's next anchor is tier 3's, with its inverse, even well within the limit.
    let inverse = false;
    // Tier 2 first where there is an anchor: it costs one pass over the block, tier 1 two.
    if (anchor?.live) {
      const m = onSigma ? raw : l;
      const from = onSigma ? at : lo;
      const bound = anchor.inverse
        ? this.drift(k, anchor, l, lo, m, from, limit)
        : this.shift(k, anchor, m, from, limit);
      if (bound <= limit) {
        this.tiers.drift++;
        this.serve(k);
        return bound;
      }
      if (anchor.wait > 0) return Number.POSITIVE_INFINITY;
      // An anchor that did not hold for long. A tier-1 anchor's bounds on the eigenvalues (and so
      // its additive bound's reach) are loose, and it has no relative bound: the block's next
      // anchor is tier 3's (its inverse, `drift`'s relative bounds), which a block that moves by
      // a few steps between calls (one more step each, or a stretch of fast training) stays
      // within, where a tier-1 anchor each call served once or not at all and tier 1 cleared the
      // block at nearly every call. One with an inverse that did not hold either: the block moves
      // too fast for tier 2 to pay for a new one, so for a while tier 1 clears it alone where it
      // can (`calm`).
      if (this.servedOf(k) < HOLD) {
        if (anchor.inverse) anchor.calm = WAIT;
        else inverse = true;
      }
    }

    // Tier 1 (on L^ with its slack, then on the float64 factor where that differs).
    let top = 0;
    let f = 0;
    let bottom = 0;
    let bound = Number.POSITIVE_INFINITY;
    for (let pass = 0; pass < 2; pass++) {
      if (pass === 1) {
        if (slack !== 'rounded-diagonal') break;
        [slack, f64, at64] = ['exact', this.float64(l, lo, raw, at), 0];
      }
      triangularBounds(f64, at64, d, x, y, norms);
      // || |L^| ||_2^2 <= both, and ||L^||_2 <= || |L^| ||_2.
      top = Math.min(norms[0], norms[2]);
      f = this.slackOf(top, norms[3], slack);
      bottom = 1 / norms[1];
      // NaN (a non-finite L^) is not <= any limit: it falls through, and on to the host.
      bound = bottom > f ? (top + f) / (bottom - f) : Number.POSITIVE_INFINITY;
      if (bound <= limit) {
        if (anchor && anchor.calm > 0) {
          anchor.calm--;
          anchor.live = false;
          this.tiers.bound++;
          return bound;
        }
        // Well within the limit, it anchors tier 2's next steps (`shift`): Sigma's eigenvalues
        // within [bottom - f, top + f] (`cholesky`), or the squared singular values of the factor
        // it ran on within [bottom, top] (D goes with the move). Nearer, tier 2 would clear only
        // small moves from it: tier 3's tighter bound anchors the block, when it is well within
        // (and where the last tier-1 anchor did not hold: `inverse`).
        if (bound <= limit / NEAR && !inverse) {
          this.tiers.bound++;
          this.anchorBound(
            k,
            onSigma ? raw : f64,
            onSigma ? at : at64,
            onSigma ? bottom - f : bottom,
            onSigma ? top + f : top,
          );
          return bound;
        }
        break;
      }
    }
    // Tier 1's bound, when it cleared the block near the limit (else Infinity or NaN).
    const near = bound;
    const m = onSigma ? raw : f64;
    const from = onSigma ? at : at64;

    // Tier 3: ||L^-1||_F by forward substitution, column c of L^-1 solving L^ z = e_c.
    const { inv } = this;
    let invSquares = 0;
    for (let c = 0; c < d; c++)
      for (let i = c; i < d; i++) {
        let t = i === c ? 1 : 0;
        for (let q = c; q < i; q++) t -= f64[at64 + i * d + q] * inv[q * d + c];
        const z = t / f64[at64 + i * d + i];
        inv[i * d + c] = z;
        invSquares += z * z;
      }
    bottom = Math.max(bottom, 1 / invSquares);
    bound = bottom > f ? (top + f) / (bottom - f) : Number.POSITIVE_INFINITY;
    if (near <= limit) {
      // Tier 1 cleared the block: tier 3 only anchors it, when its bound leaves tier 2 room.
      if (bound <= limit / NEAR) {
        this.tiers.trace++;
        this.anchor(k, m, from, onSigma ? bottom - f : bottom, onSigma ? top + f : top, true);
        return bound;
      }
      this.tiers.bound++;
      if (anchor) {
        anchor.live = false;
        anchor.calm = WAIT;
      } else this.anchors[k] = this.retired(k);
      return near;
    }
    if (bound <= limit) {
      this.tiers.trace++;
      this.anchor(k, m, from, onSigma ? bottom - f : bottom, onSigma ? top + f : top, true);
      return bound;
    }

    // Sigma's anchor near the limit, and the block already past its reach: its drift bound cannot
    // absorb a move of more than lambda_min, a float32 step of Sigma's largest entries near the
    // limit, so a block that keeps moving (spd-riemannian's steps) would pay tier 4 every step.
    // The host's drift, on its float64 factor relative to its anchor, can: its turn, for a while.
    if (onSigma && anchor?.inverse && anchor.hi > (anchor.lo * limit) / NEAR) {
      anchor.wait = WAIT;
      return Number.POSITIVE_INFINITY;
    }

    // Tier 4: the float64 eigenvalues of Sigma itself (full) or of L^ L^^T, as the host's exact tier.
    const dd = d * d;
    const { lo: low, hi: high } = onSigma
      ? this.eigen.run(symmetrizeLower(raw.subarray(at, at + dd), d))
      : this.eigen.ofFactor(f64 === this.l64 ? this.l64 : this.lower(l, lo));
    const g = onSigma ? 0 : f;
    bound = low > g ? (high + g) / (low - g) : Number.POSITIVE_INFINITY;
    const cleared = bound <= limit;
    if (cleared) this.tiers.exact++;
    this.anchor(k, m, from, low, high, cleared);
    return bound;
  }

  /**
   * Tier 2 from the block's anchor: full's is its raw Sigma (m = raw), whose eigenvalues move by at
   * most e = ||Sigma - Sigma_a||_F (no slack); the others' is their float64 factor L_a, whose
   * singular values move by at most e = ||L - L_a||_F, then by at most a factor 1 +- eta,
   * eta = ||(L - L_a) W||_F with W = L_a^-1. For a rounded diagonal L = L^ + D (SLACK), both from
   * L^ and D's bound, with no float64 factor formed: e <= ||L^ - L_a||_F + ||D||_F, and
   * eta <= ||(L^ - L_a) W||_F + ||D W||_F, where ||D W||_F^2 = sum_j D_jj^2 ||W_j||^2 (D diagonal).
   * Relative to the anchor, first in O(d^2): row i of (L - L_a) W is sum_k (L - L_a)_ik W_k, of norm
   * at most sum_k |(L - L_a)_ik| ||W_k||; then from its last exact value plus that bound on the
   * move since; then, where neither is enough, exactly in O(d^3 / 6) (`relativeDrift`). When it does not clear the block while the block is still near the anchor
   * (so the anchor's own bound was near the limit or past it), tiers 1, 3 and 4 would find little
   * more: the host's turn, for a while (the anchor's `wait`).
   */
  private drift(
    k: number,
    anchor: Anchor,
    l: Float32Array,
    lo: number,
    m: Float32Array,
    from: number,
    limit: number,
  ) {
    const { d } = this;
    const onSigma = this.slack === 'cholesky';
    const rounded = this.slack === 'rounded-diagonal';
    const a = anchor.m;
    // The additive bound first, in its own lean pass (`shift`), unless it failed on the block's
    // last call: then it comes out of the relative bound's pass, which that block likely needs.
    const shifted = onSigma || !anchor.relative;
    let bound = shifted ? this.shift(k, anchor, m, from, limit) : Number.POSITIVE_INFINITY;
    if (bound <= limit) return bound;
    let e = this.moved;
    if (onSigma) {
      if (e <= anchor.lo / 4) anchor.wait = WAIT;
      return bound;
    }
    const { moves, wasm, kernels } = this;
    // `prepare` made its sums below the diagonal where the block wanted them (its additive bound
    // failed last time: `shifted` false): its bounds from them (`fromRows`). Else on WebAssembly
    // from the block `shift` staged in this call (m = l here), or staging it, and leaving it
    // staged for `since` and the exact drift below (one copy per call at most), or the twins.
    const off = this.ready && !shifted ? kernels!.offsAt(k) : -1;
    // Straight to the relative bounds: the raw diagonal's first (`rawSince`, then `rawRelative`,
    // the pass's where it made them), as `relativeCleared` tries them.
    if (!shifted && this.rawFirst) {
      bound =
        off >= 0
          ? kernels!.f64()[off + 2 * d + 2]
          : rawSince(
              this.rawBlock,
              this.rawAt,
              anchor.last,
              anchor.rows,
              this.sinceRaws,
              3 * d * k,
              d,
              anchor.lastEta,
              anchor.lo,
              anchor.hi,
            );
      if (bound <= limit) return bound;
      bound =
        off >= 0
          ? kernels!.f64()[off + 2 * d + 1]
          : rawRelative(
              this.rawBlock,
              this.rawAt,
              a,
              anchor.rows,
              this.raws,
              3 * d * k,
              d,
              anchor.lo,
              anchor.hi,
            );
      if (bound <= limit) return bound;
    }
    let staged = false;
    if (off >= 0) {
      bound = this.fromRows(k, off, l, lo, limit);
      if (bound <= limit) {
        if (this.additiveCleared) anchor.relative = false;
        return bound;
      }
      anchor.relative = true;
      e = this.moved;
    } else {
      const { rows } = anchor;
      // A block that goes straight to the relative bounds (its additive bound failed last time)
      // is near the limit, where the bound from its last exact drift is the one that clears it
      // (below): tried first, from the sums it needs alone (the move since, and a rounded
      // diagonal's ||D W||_F, which is O(d)), without `moves`' pass, which only the others need.
      // The same bound as below, bit for bit (`dwSquares` is `driftMoves`' out[3]).
      let since = -1;
      if (!shifted && anchor.lastEta < 1) {
        staged = wasm?.stageBlock(l, lo) ?? false;
        since = staged ? wasm!.since(k) : sinceMoves(l, lo, anchor.last, rows, d);
        const dw = rounded ? dwSquares(l, lo, rows, d) : 0;
        bound = across(anchor.lastEta + Math.sqrt(since) + Math.sqrt(dw), anchor.lo, anchor.hi);
        if (bound <= limit) return bound;
      }
      staged = wasm?.moves(k, l, lo, rounded, moves, (shifted && this.staged) || staged) ?? false;
      if (!staged) driftMoves(l, lo, a, rows, d, rounded, moves);
      if (!shifted) {
        bound = this.additiveOfMoves(anchor.lo, anchor.hi);
        e = this.moved;
        if (bound <= limit) {
          anchor.relative = false;
          return bound;
        }
      }
      anchor.relative = true;
      bound = across(Math.sqrt(moves[1]), anchor.lo, anchor.hi);
      if (bound <= limit) return bound;
      // From the last exact eta^_s = ||(L^_s - L_a) W||_F: ||(L^ - L_a) W||_F <= eta^_s + the
      // same O(d^2) bound on ||(L^ - L^_s) W||_F, small while L^ stays near L^_s though the O(d^2)
      // bound on the whole move from the anchor is too loose (a sum of many steps' moves).
      if (anchor.lastEta < 1) {
        if (since < 0) since = staged ? wasm!.since(k) : sinceMoves(l, lo, anchor.last, rows, d);
        bound = across(anchor.lastEta + Math.sqrt(since) + Math.sqrt(moves[3]), anchor.lo, anchor.hi);
        if (bound <= limit) return bound;
      }
    }
    // Its last exact drift used most of what the anchor allows (`reach`): the drifts from here come
    // ever closer together (the bound from the last one clears fewer steps the less room it leaves),
    // and a new anchor, which judge's tiers make when this returns Infinity, costs about ten of them
    // (at d = 16 and 64). Only where that anchor would leave room, as below.
    if (
      anchor.lastEta < 1 &&
      anchor.lastEta > RENEW * reach(limit, anchor.lo, anchor.hi) &&
      anchor.hi <= (anchor.lo * limit) / 2
    )
      return Number.POSITIVE_INFINITY;
    const { last } = anchor;
    const exact = wasm ? wasm.drift(k, l, lo, staged) : relativeDrift(l, lo, a, anchor.w, d, this.x);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) last[i * d + j] = l[lo + i * d + j];
    kernels?.settle(k, last);
    anchor.lastEta = exact;
    this.lastEtas[k] = exact;
    this.sinceTerms(k, last, exact);
    const eta = exact + Math.sqrt(moves[3]);
    bound = across(eta, anchor.lo, anchor.hi);
    // Not cleared while still near its anchor: its condition number is near the limit or past it.
    // The host's turn for WAIT calls where the anchor's own bound is within a factor 2 of the
    // limit (a new anchor would leave tier 2 little room). One further from it is anchored anew
    // (`judge`'s tiers 1, 3 and 4, right after this): at d = 64 a block at cond 4e6 under the
    // float32 limit spent its steps on the host 16 at a time, each stint about what one new exact
    // anchor costs, and it came back to them for as long as it stayed past this anchor's reach.
    if (
      !(bound <= limit) &&
      (e <= Math.sqrt(anchor.lo) / 4 || eta <= 1 / 4) &&
      anchor.hi > (anchor.lo * limit) / 2
    )
      anchor.wait = WAIT;
    return bound;
  }

  /**
   * `drift`'s bounds before its exact drift, from `prepare`'s sums for block k (at off: `movesFrom`,
   * `sinceFrom`) and the kernels' copies of its anchor's lo, hi and row norms, its last exact drift
   * from `lastEtas`: none of the anchor's fields on the heap (at d = 8 to 16 reading those costs
   * more than the sums). The one from the last exact drift (as `drift` tries them), then the
   * additive bound, then the relative one: the first within `limit` (`additiveCleared` says
   * whether it was the additive one), else the one from the last exact drift where there is one,
   * else the relative one. Its e into `moved`, its sums into `moves`.
   */
  private fromRows(k: number, off: number, l: Float32Array, lo: number, limit: number): number {
    const kernels = this.kernels!;
    const f64 = kernels.f64();
    const { d, moves } = this;
    const rows = kernels.rowsAt(k);
    const low = f64[kernels.lowAt(k)];
    const high = f64[kernels.highAt(k)];
    movesFrom(
      f64,
      off,
      l,
      lo,
      f64,
      kernels.diagonalAt(k),
      f64,
      rows,
      d,
      this.slack === 'rounded-diagonal',
      moves,
    );
    // The bound from the last exact drift first, as `drift` tries it on a block that goes
    // straight to the relative bounds (the same bounds either way).
    const lastEta = this.lastEtas[k];
    let sinceBound = Number.POSITIVE_INFINITY;
    this.additiveCleared = false;
    if (lastEta < 1) {
      const since = sinceFrom(f64, off + 1 + d, l, lo, f64, kernels.lastDiagonalAt(k), f64, rows, d);
      sinceBound = across(lastEta + Math.sqrt(since) + Math.sqrt(moves[3]), low, high);
      if (sinceBound <= limit) return sinceBound;
    }
    let bound = this.additiveOfMoves(low, high);
    this.additiveCleared = bound <= limit;
    if (this.additiveCleared) return bound;
    bound = across(Math.sqrt(moves[1]), low, high);
    if (bound <= limit || !(lastEta < 1)) return bound;
    return sinceBound;
  }

  /** The additive bound from `moves` (e = ||L^ - L_a||_F + ||D||_F) and the anchor's lo and hi; its e into `moved`. */
  private additiveOfMoves(low: number, high: number): number {
    const { moves } = this;
    const e = Math.sqrt(moves[0]) + Math.sqrt(moves[2]);
    this.moved = e;
    const reach = Math.sqrt(low);
    return reach > e ? ((Math.sqrt(high) + e) / (reach - e)) ** 2 : Number.POSITIVE_INFINITY;
  }

  /**
   * Tier 2 from a tier-1 anchor (no inverse: Weyl's additive bound only), in one pass over the
   * block. `cholesky`: Sigma's eigenvalues within e = ||Sigma - Sigma_a||_F of the anchor's
   * bounds. The others: the float64 factor L's singular values within e = ||L - M_a||_F <=
   * ||L^ - M_a||_F + ||D||_F of those of the anchor's factor M_a (L^'s, or the float64 factor's).
   */
  private shift(k: number, anchor: Anchor, m: Float32Array, from: number, limit: number): number {
    const { sums } = this;
    if (this.summed) {
      // `shiftedHere` ran the kernel on this block in this call (and left it staged).
      this.summed = false;
    } else if (this.ready && this.kernels!.shifted(k, sums)) {
      // `prepare` read raw: L^'s diagonal differs from it where the diagonal is rounded.
      if (!this.diagonals) {
        const kernels = this.kernels!;
        diagonalSums(m, from, kernels.f64(), kernels.diagonalAt(k), this.d, sums);
      }
      this.staged = false;
    } else {
      this.staged = this.wasm?.shift(k, m, from, sums) ?? false;
      if (!this.staged) shiftSums(m, from, anchor.m, this.d, sums);
    }
    // The raw diagonal's bound first, as the batch's pass (`prepare`) tries it: the same bounds.
    if (this.rawFirst) {
      const { d } = this;
      const bound = rawAdditive(
        this.rawBlock,
        this.rawAt,
        this.raws,
        3 * d * k,
        d,
        sums[1],
        anchor.lo,
        anchor.hi,
      );
      if (bound <= limit) return bound;
    }
    return this.additive(anchor.lo, anchor.hi);
  }

  /** `shift`'s bound from its sums (this.sums) and its anchor's lo and hi; its e into `moved`. */
  private additive(lo: number, hi: number): number {
    const { sums } = this;
    const squares = sums[0];
    const off = sums[1];
    const dSquares = sums[2];
    if (this.slack === 'cholesky') {
      // Sigma's off-diagonal entries count twice.
      const e = Math.sqrt(squares + 2 * off);
      this.moved = e;
      return lo > e ? (hi + e) / (lo - e) : Number.POSITIVE_INFINITY;
    }
    const e = Math.sqrt(squares + off) + (this.slack === 'rounded-diagonal' ? Math.sqrt(dSquares) : 0);
    this.moved = e;
    const reach = Math.sqrt(lo);
    return reach > e ? ((Math.sqrt(hi) + e) / (reach - e)) ** 2 : Number.POSITIVE_INFINITY;
  }

  /** Block k's tier-1 anchor: the lower triangle of m[from..] and bounds on the extreme eigenvalues it gives. */
  private anchorBound(k: number, m: ArrayLike<number>, from: number, lo: number, hi: number): void {
    const { d } = this;
    const anchor = this.anchors[k] ?? this.retired(k);
    this.anchors[k] = anchor;
    const copy = anchor.m;
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) copy[i * d + j] = m[from + i * d + j];
    this.kernels?.anchor(k, copy);
    this.rawAnchor(k, copy);
    anchor.inverse = false;
    anchor.live = true;
    anchor.relative = false;
    anchor.lastEta = Number.POSITIVE_INFINITY;
    this.lastEtas[k] = Number.POSITIVE_INFINITY;
    this.kernels?.lastDrift(k, Number.POSITIVE_INFINITY);
    anchor.lo = lo;
    anchor.hi = hi;
    this.kernels?.extremes(k, lo, hi);
    anchor.cleared = true;
    anchor.wait = 0;
    // Tier 2 tries it from its next call on: no calm left over (`retired` makes a new anchor with
    // WAIT calls of it, which made a block's first tier-1 anchor, once tier 2 no longer cleared
    // the block from it, hand the block to tier 1 alone for WAIT calls, whether it had held or not).
    anchor.calm = 0;
    this.unserve(k);
  }

  /**
   * Block k's exact drift `eta`, for the kernels' sums since it (`prepare`), and for a rounded
   * diagonal's raw blocks the `rawTerms` of the raw block of this call against its `last` (s), for
   * `rawSince`.
   */
  private sinceTerms(k: number, s: Float64Array, eta: number): void {
    if (!this.rawBounds) {
      this.kernels?.lastDrift(k, eta);
      return;
    }
    const { d, sinceRaws } = this;
    const to = 3 * d * k;
    rawTerms(this.rawBlock, this.rawAt, s, d, sinceRaws, to);
    this.kernels?.lastDrift(k, eta, sinceRaws.subarray(to, to + 3 * d));
  }

  /** A rounded diagonal's block k's `rawTerms` of its new anchor a, from the raw block of this call. */
  private rawAnchor(k: number, a: Float64Array): void {
    if (!this.rawBounds) return;
    const { d, raws } = this;
    const to = 3 * d * k;
    rawTerms(this.rawBlock, this.rawAt, a, d, raws, to);
    this.kernels?.rawAnchor(k, raws.subarray(to, to + 3 * d));
  }

  /** A new anchor that tier 2 does not try, for a block tier 1 clears alone for WAIT calls (`calm`). */
  private retired(k: number): Anchor {
    const dd = this.d * this.d;
    this.unserve(k);
    return {
      m: this.stored(k),
      inverse: false,
      live: false,
      relative: false,
      w: new Float64Array(dd),
      rows: new Float64Array(this.d),
      last: new Float64Array(dd),
      lastEta: Number.POSITIVE_INFINITY,
      lo: 0,
      hi: Number.POSITIVE_INFINITY,
      cleared: false,
      wait: 0,
      calm: WAIT,
    };
  }

  /**
   * Block k's anchor: the lower triangle of m[from..], L^^-1 (tier 3 leaves it in this.inv) and
   * bounds on the extreme eigenvalues it gives.
   */
  private anchor(
    k: number,
    m: ArrayLike<number>,
    from: number,
    lo: number,
    hi: number,
    cleared: boolean,
  ): void {
    const { d } = this;
    const old = this.anchors[k];
    const copy = old?.m ?? this.stored(k);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) copy[i * d + j] = m[from + i * d + j];
    const w = old?.w ?? new Float64Array(d * d);
    w.set(this.inv);
    const rows = old?.rows ?? new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j <= i; j++) t += w[i * d + j] * w[i * d + j];
      rows[i] = Math.sqrt(t);
    }
    const last = old?.last ?? new Float64Array(d * d);
    this.kernels?.anchor(k, copy, w, rows);
    this.rawAnchor(k, copy);
    this.anchors[k] = {
      m: copy,
      inverse: true,
      live: true,
      relative: false,
      w,
      rows,
      last,
      lastEta: Number.POSITIVE_INFINITY,
      lo,
      hi,
      cleared,
      wait: cleared ? 0 : WAIT,
      calm: 0,
    };
    this.kernels?.extremes(k, lo, hi);
    this.lastEtas[k] = Number.POSITIVE_INFINITY;
    this.kernels?.lastDrift(k, Number.POSITIVE_INFINITY);
    this.unserve(k);
  }

  /**
   * Block k's place for its anchor's factor in `store`: every block's in one array, in the order
   * the step visits them, so that tier 2's pass reads them one after another, not from arrays
   * scattered over the heap (a step's other data evicts them between steps).
   */
  private stored(k: number): Float64Array {
    const dd = this.d * this.d;
    return this.store.subarray(k * dd, (k + 1) * dd);
  }

  /** The lower triangle of l[lo..] into l64 (whose upper triangle stays zero). */
  private lower(l: Float32Array, lo: number): Float64Array {
    const { d, l64 } = this;
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) l64[i * d + j] = l[lo + i * d + j];
    return l64;
  }

  /** factor64's L of a `rounded-diagonal` block: L^ with exp(raw_jj) in float64 on its diagonal, into l64. */
  private float64(l: Float32Array, lo: number, raw: Float32Array, at: number): Float64Array {
    const { d, l64 } = this;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) l64[i * d + j] = l[lo + i * d + j];
      l64[i * d + i] = Math.exp(raw[at + i * d + i]);
    }
    return l64;
  }

  /** f >= ||Sigma - L^ L^^T||_2, from top >= || |L^| ||_2^2 and the largest |L^_jj| (SLACK). */
  private slackOf(top: number, diagonal: number, slack: Slack): number {
    const { d } = this;
    if (slack === 'exact') return 0;
    if (slack === 'rounded-diagonal') {
      // Sigma = (L^ + D)(L^ + D)^T: ||F|| <= 2 ||L^|| ||D|| + ||D||^2.
      const e = V * diagonal + TINY;
      return 2 * Math.sqrt(top) * e + e * e;
    }
    const gamma = ((d + 2) * U) / (1 - (d + 2) * U);
    // ||E||_2 <= gamma || |L^| |L^|^T ||_2 = gamma || |L^| ||_2^2, and each entry's underflow.
    return gamma * top + d * (d + 2) * TINY * (1 + Math.sqrt(top));
  }
}
