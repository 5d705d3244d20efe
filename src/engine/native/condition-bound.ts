import { extremeEigenvalues, gram, symmetrizeLower } from '../../ground/dense64.js';
import { relativeDrift, triangularBounds } from '../../ground/triangular-bounds.js';

/**
 * How far a native map's float32 factor L^ (maps.ts `forward`) may be from the float64 covariance
 * the condition check judges (the one its parameterization's float64 map gives for the same float32
 * raw block), per parameterization. Parameterizations absent here get no bound in the step: the
 * host check (train/condition.ts) judges every block of theirs.
 *
 * - `exact`: L^ is the raw block's lower triangle itself (tril): Sigma = L^ L^^T.
 * - `rounded-diagonal`: L^ is the float64 factor with its diagonal exp(raw_jj) rounded to float32
 *   (log-cholesky, and precision-cholesky's factor of the precision): L = L^ + D with D diagonal,
 *   |D_jj| <= V |L^_jj| + 2^-149. Only tier 1 pays this slack (near the limit it is about
 *   2 V cond relative to lambda_min, too much to clear a block there): tiers 2 to 4 form the
 *   float64 factor itself (d exps) and have none.
 * - `cholesky`: L^ is a Cholesky factor of the raw block P, computed in float32 arithmetic or better
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
};

const U = 2 ** -24;
/** float32 rounding of a float64 exp (u / (1 - u)) and that exp's own error, with room to spare. */
const V = U * (1 + 2 ** -20);
/** Twice float32's smallest subnormal half: an underflowed product's absolute error, generously. */
const TINY = 2 ** -148;

/** The step's bound for parameterization `name`, or undefined when the step has none for it. */
export function stepConditionBound(
  name: string,
  d: number,
  units: number,
  limits: ArrayLike<number>,
): StepConditionBound | undefined {
  const slack = SLACK[name];
  return slack && new StepConditionBound(slack, d, units, limits);
}

/** A block's anchor, when tier 3 or 4 last ran on it. */
interface Anchor {
  /** The lower triangle of its factor (L^, or the float64 factor for `rounded-diagonal`; for `cholesky` its raw Sigma). */
  m: Float64Array;
  /** L^^-1 then (lower triangle). */
  w: Float64Array;
  /** Bounds on the extreme eigenvalues of L^ L^^T (for `cholesky`: of Sigma) then. */
  lo: number;
  hi: number;
  /** Whether the bound from it cleared the block then. */
  cleared: boolean;
  /** Calls left before the step tries an uncleared block again (until then the host judges it). */
  wait: number;
}

/** How many steps a block the step's tiers could not clear (near the limit) is left to the host before they try again. */
const WAIT = 16;

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
 *    sigma(L^) (e = ||L^ - L^_a||_F), which may narrow [a, A]. Then, for L^, in O(d^3 / 6),
 *    sigma(L^) within a factor 1 +- eta of the anchor's, eta = ||(L^ - L^_a) L^_a^-1||_F
 *    (ground/triangular-bounds.ts `relativeDrift`).
 * 3. O(d^3 / 6): sigma_min(L^) >= 1 / ||L^-1||_F and sigma_max(L^) <= ||L^||_F.
 * 4. O(4/3 d^3): the float64 extreme eigenvalues of Sigma (`cholesky`) or of L^ L^^T.
 *
 * Tiers 3 and 4 anchor tier 2: a block that needs them pays once, then once per drift of a
 * sizeable fraction of its smallest eigenvalue. One that tier 2 cannot clear while still that near
 * its anchor (its condition number is near the limit, or past it) is left to the host for WAIT
 * steps at a time.
 * At d = 2 one closed form replaces them: within a few float64 roundings of the exact value.
 */
export class StepConditionBound {
  /**
   * Per block (lane * units + unit), of the last step: an upper bound on its condition number
   * within its lane's limit, or Infinity where the step could not clear it (the host check judges it).
   */
  readonly bounds: Float64Array;
  /** How often each tier cleared a block (tests and the cost measurement read it). */
  readonly tiers = { bound: 0, drift: 0, trace: 0, exact: 0 };
  private readonly anchors: (Anchor | undefined)[];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly inv: Float64Array;
  private readonly norms = new Float64Array(4);
  /** The float64 factor of a `rounded-diagonal` block, for tiers 2 to 4. */
  private readonly l64: Float64Array;

  constructor(
    private readonly slack: Slack,
    private readonly d: number,
    private readonly units: number,
    /** Per lane: its `max_condition`. */
    private readonly limits: ArrayLike<number>,
  ) {
    this.bounds = new Float64Array(limits.length * units).fill(Number.POSITIVE_INFINITY);
    this.anchors = new Array<Anchor | undefined>(limits.length * units).fill(undefined);
    this.x = new Float64Array(d);
    this.y = new Float64Array(d);
    this.inv = new Float64Array(d * d);
    this.l64 = new Float64Array(d * d);
  }

  /**
   * Bound block `unit` of lane `lane`, whose float32 factor is l[lo..] (upper triangle zero) and
   * raw block raw[at..].
   */
  block(lane: number, unit: number, l: Float32Array, lo: number, raw: Float32Array, at: number): void {
    const k = lane * this.units + unit;
    const limit = this.limits[lane];
    // Nothing exceeds an infinite limit: no check.
    if (limit === Number.POSITIVE_INFINITY) return;
    if (this.d === 2) {
      const bound = this.closedForm(l, lo, raw, at);
      if (bound <= limit) this.tiers.bound++;
      this.bounds[k] = bound <= limit ? bound : Number.POSITIVE_INFINITY;
    } else {
      const bound = this.judge(k, l, lo, raw, at, limit);
      this.bounds[k] = bound <= limit ? bound : Number.POSITIVE_INFINITY;
    }
  }

  /**
   * d = 2: tr(Sigma)^2 / det(Sigma) = cond + 2 + 1 / cond, from full's raw Sigma itself (its float32
   * products are exact in float64) or from L^ = [[a, 0], [b, c]] (tr = a^2 + b^2 + c^2, det = a^2 c^2),
   * times ((1 + V) / (1 - V))^4 where a and c are rounded exps. Tiny or non-finite: Infinity (the host's).
   */
  private closedForm(l: Float32Array, lo: number, raw: Float32Array, at: number): number {
    if (this.slack === 'cholesky') {
      const s00 = raw[at];
      const s10 = raw[at + 2];
      const s11 = raw[at + 3];
      const det = s00 * s11 - s10 * s10;
      return s00 > 0 && det > 0 ? (s00 + s11) ** 2 / det : Number.POSITIVE_INFINITY;
    }
    const a = l[lo];
    const b = l[lo + 2];
    const c = l[lo + 3];
    const bound = (a * a + b * b + c * c) ** 2 / (a * a * c * c);
    if (this.slack === 'exact') return bound;
    return Math.abs(a) >= 2 ** -100 && Math.abs(c) >= 2 ** -100
      ? bound * ((1 + V) / (1 - V)) ** 4
      : Number.POSITIVE_INFINITY;
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
    const anchor = this.anchors[k];
    if (anchor && anchor.wait > 0) {
      anchor.wait--;
      return Number.POSITIVE_INFINITY;
    }
    const { d, x, y, norms } = this;
    const onSigma = this.slack === 'cholesky';
    // Past tier 1 a rounded diagonal's slack is worth d exps: tiers 2 to 4 run on the float64
    // factor itself (factor64's: L^ with exp(raw_jj) in float64 on its diagonal), with no slack.
    let slack = this.slack;
    let f64: ArrayLike<number> = l;
    let at64 = lo;
    // Tier 2 first where there is an anchor: tier 1 did not clear the block when it was taken.
    if (anchor) {
      if (slack === 'rounded-diagonal') [slack, f64, at64] = ['exact', this.float64(l, lo, raw, at), 0];
      const bound = onSigma
        ? this.drift(anchor, f64, at64, raw, at, limit, slack)
        : this.drift(anchor, f64, at64, f64, at64, limit, slack);
      if (bound <= limit) {
        this.tiers.drift++;
        return bound;
      }
      if (anchor.wait > 0) return Number.POSITIVE_INFINITY;
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
        this.tiers.bound++;
        return bound;
      }
    }
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
    if (bound <= limit) {
      this.tiers.trace++;
      this.anchor(k, m, from, onSigma ? bottom - f : bottom, onSigma ? top + f : top, true);
      return bound;
    }

    // Tier 4: the float64 eigenvalues of Sigma itself (full) or of L^ L^^T, as the host's exact tier.
    const dd = d * d;
    const { lo: low, hi: high } = extremeEigenvalues(
      onSigma
        ? symmetrizeLower(raw.subarray(at, at + dd), d)
        : gram(at64 === 0 ? f64 : l.subarray(lo, lo + dd), d),
      d,
    );
    const g = onSigma ? 0 : f;
    bound = low > g ? (high + g) / (low - g) : Number.POSITIVE_INFINITY;
    const cleared = bound <= limit;
    if (cleared) this.tiers.exact++;
    this.anchor(k, m, from, low, high, cleared);
    return bound;
  }

  /**
   * Tier 2 from the block's anchor: full's is its raw Sigma (m = raw), whose eigenvalues move by at
   * most e = ||Sigma - Sigma_a||_F (no slack); the others' is L^ (m = l), whose singular values move
   * by at most e = ||L^ - L^_a||_F, then by at most a factor 1 +- eta (`relativeDrift`). When it does
   * not clear the block while the block is still near the anchor (so the anchor's own bound was near
   * the limit or past it), tiers 1, 3 and 4 would find little more: the host's turn, for a while
   * (the anchor's `wait`).
   */
  private drift(
    anchor: Anchor,
    l: ArrayLike<number>,
    lo: number,
    m: ArrayLike<number>,
    from: number,
    limit: number,
    slack: Slack,
  ) {
    const { d } = this;
    const onSigma = this.slack === 'cholesky';
    const a = anchor.m;
    let squares = 0;
    let off = 0;
    let diagonal = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) {
        const t = m[from + i * d + j] - a[i * d + j];
        off += t * t;
      }
      const t = m[from + i * d + i] - a[i * d + i];
      squares += t * t;
      diagonal = Math.max(diagonal, Math.abs(l[lo + i * d + i]));
    }
    // Sigma's off-diagonal entries count twice.
    const e = Math.sqrt(squares + (onSigma ? 2 : 1) * off);
    if (onSigma) {
      const bound = anchor.lo > e ? (anchor.hi + e) / (anchor.lo - e) : Number.POSITIVE_INFINITY;
      if (!(bound <= limit) && e <= anchor.lo / 4) anchor.wait = WAIT;
      return bound;
    }
    const reach = Math.sqrt(anchor.lo);
    let bound =
      reach > e
        ? this.within((reach - e) ** 2, (Math.sqrt(anchor.hi) + e) ** 2, diagonal, slack)
        : Number.POSITIVE_INFINITY;
    if (bound <= limit) return bound;
    const eta = relativeDrift(l, lo, anchor.m, anchor.w, d, this.x);
    if (eta < 1) bound = this.within(anchor.lo * (1 - eta) ** 2, anchor.hi * (1 + eta) ** 2, diagonal, slack);
    if (!(bound <= limit) && (e <= reach / 4 || eta <= 1 / 4)) anchor.wait = WAIT;
    return bound;
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
    const copy = old?.m ?? new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) copy[i * d + j] = m[from + i * d + j];
    const w = old?.w ?? new Float64Array(d * d);
    w.set(this.inv);
    this.anchors[k] = { m: copy, w, lo, hi, cleared, wait: cleared ? 0 : WAIT };
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

  /** The bound when lambda(L^ L^^T) lies in [low, high], with the slack; diagonal: the largest |L^_jj|. */
  private within(low: number, high: number, diagonal: number, slack: Slack): number {
    const f = this.slackOf(high, diagonal, slack);
    return low > f ? (high + f) / (low - f) : Number.POSITIVE_INFINITY;
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
