/**
 * How far a native map's float32 factor L^ (maps.ts `forward`) may be from the float64 covariance
 * the condition check judges (the one its parameterization's float64 map gives for the same float32
 * raw block), per parameterization. Parameterizations absent here get no bound in the step: the
 * host check (train/condition.ts) judges every block of theirs.
 *
 * - `exact`: L^ is the raw block's lower triangle itself (tril): Sigma = L^ L^^T.
 * - `rounded-diagonal`: L^ is the float64 factor with its diagonal exp(raw_jj) rounded to float32
 *   (log-cholesky, and precision-cholesky's factor of the precision): L = L^ + D with D diagonal,
 *   |D_jj| <= V |L^_jj| + 2^-149.
 * - `cholesky`: L^ is a Cholesky factor of the raw block P, computed in float32 arithmetic or better
 *   (the shared kernel works in float64 and rounds its output): L^ L^^T = P + E with
 *   |E| <= gamma_{d+2} |L^| |L^|^T (Higham, Accuracy and Stability of Numerical Algorithms, 2nd
 *   ed., Thm 10.3, gamma_n = n u / (1 - n u), u = 2^-24; one more rounding than the theorem's
 *   gamma_{d+1} for a kernel that multiplies by a reciprocal pivot), plus underflow's absolute part.
 */
const SLACK: Record<string, 'exact' | 'rounded-diagonal' | 'cholesky'> = {
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

/** A block's anchor: its L^ and bounds on its extreme singular values when last taken. */
interface Anchor {
  l: Float32Array;
  lo: number;
  hi: number;
  /** Whether the bound from it cleared the block then. */
  cleared: boolean;
}

/**
 * The cheap tiers of the condition check, run inside the native step on each unit's float32 factor
 * L^ right after the map computed it (so it is still in cache, and no float64 factor is formed):
 * upper bounds on the 2-norm condition number of the block's float64 covariance (or precision).
 * A block cleared here (bound within its lane's limit) is not looked at again; any other goes to
 * the host check (train/condition.ts), which has the exact float64 eigenvalues. So the guarantee is
 * the host check's: a block is cleared only by an upper bound, here one that also covers how L^
 * differs from the float64 factor (SLACK).
 *
 * From L^: lambda(L^ L^^T) lies in [a, A] with A = min(||L^||_1 ||L^||_inf, ||L^||_F^2) and
 * a = 1 / (max(M^-1 e) max(M^-T e)), M the comparison matrix of L^ (train/condition.ts, tier 1).
 * With Sigma = L^ L^^T + F and ||F||_2 <= f (SLACK), cond(Sigma) <= (A + f) / (a - f) (Weyl).
 * Three tiers, as the host's first three:
 *
 * 1. O(d^2): [a, A] above.
 * 2. O(d^2): from the block's anchor, sigma(L^) within e = ||L^ - L^_a||_F of the anchor's
 *    bounds (Weyl), which may narrow [a, A].
 * 3. O(d^3 / 6): sigma_min(L^) >= 1 / ||L^-1||_F and sigma_max(L^) <= ||L^||_F, which become the
 *    block's anchor: a block that needs this tier pays for it once, then once per drift of a
 *    sizeable fraction of sigma_min. One it did not clear (near the limit) is left to the host
 *    until it drifts that far.
 */
export class StepConditionBound {
  /**
   * Per block (lane * units + unit), of the last step: an upper bound on its condition number
   * within its lane's limit, or Infinity where the step could not clear it (the host check judges it).
   */
  readonly bounds: Float64Array;
  /** How often each tier cleared a block (tests and the cost measurement read it). */
  readonly tiers = { bound: 0, drift: 0, trace: 0 };
  private readonly anchors: (Anchor | undefined)[];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly inv: Float64Array;

  constructor(
    private readonly slack: 'exact' | 'rounded-diagonal' | 'cholesky',
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
  }

  /** Bound block `unit` of lane `lane`, whose float32 factor is l[lo..] (upper triangle zero). */
  block(lane: number, unit: number, l: Float32Array, lo: number): void {
    const k = lane * this.units + unit;
    const limit = this.limits[lane];
    // Nothing exceeds an infinite limit: no check.
    if (limit === Number.POSITIVE_INFINITY) return;
    this.bounds[k] = this.judge(k, l, lo, limit);
  }

  private judge(k: number, l: Float32Array, lo: number, limit: number): number {
    const { d, x, y } = this;
    // Tier 1, one pass over rows and one over columns (as train/condition.ts's `bound`).
    let rows = 0;
    let invRows = 0;
    let squares = 0;
    let diagonal = 0;
    for (let i = 0; i < d; i++) {
      let row = 0;
      let t = 1;
      for (let j = 0; j < i; j++) {
        const a = Math.abs(l[lo + i * d + j]);
        row += a;
        t += a * x[j];
        squares += a * a;
      }
      const lii = Math.abs(l[lo + i * d + i]);
      squares += lii * lii;
      diagonal = Math.max(diagonal, lii);
      rows = Math.max(rows, row + lii);
      x[i] = t / lii;
      invRows = Math.max(invRows, x[i]);
    }
    let columns = 0;
    let invColumns = 0;
    for (let j = d - 1; j >= 0; j--) {
      let column = 0;
      let t = 1;
      for (let i = j + 1; i < d; i++) {
        const a = Math.abs(l[lo + i * d + j]);
        column += a;
        t += a * y[i];
      }
      const ljj = Math.abs(l[lo + j * d + j]);
      columns = Math.max(columns, column + ljj);
      y[j] = t / ljj;
      invColumns = Math.max(invColumns, y[j]);
    }
    // || |L^| ||_2^2 <= both, and ||L^||_2 <= || |L^| ||_2.
    const top = Math.min(rows * columns, squares);
    const f = this.slackOf(top, diagonal);
    let bottom = 1 / (invRows * invColumns);
    // NaN (a non-finite L^) is not <= any limit: it falls through, and on to the host.
    let bound = bottom > f ? (top + f) / (bottom - f) : Number.POSITIVE_INFINITY;
    if (bound <= limit) {
      this.tiers.bound++;
      return bound;
    }

    // Tier 2.
    const anchor = this.anchors[k];
    if (anchor) {
      let drift = 0;
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) drift += (l[lo + i * d + j] - anchor.l[i * d + j]) ** 2;
      const e = Math.sqrt(drift);
      if (anchor.lo > e) {
        const low = Math.max(bottom, (anchor.lo - e) ** 2);
        const high = Math.min(top, (anchor.hi + e) ** 2);
        bound = low > f ? (high + f) / (low - f) : Number.POSITIVE_INFINITY;
        if (bound <= limit) {
          this.tiers.drift++;
          return bound;
        }
      }
      // Near the limit and still near the anchor that could not clear it: the host's turn.
      if (!anchor.cleared && e <= anchor.lo / 4) return Number.POSITIVE_INFINITY;
    }

    // Tier 3: ||L^-1||_F by forward substitution, column c of L^-1 solving L^ z = e_c.
    const { inv } = this;
    let invSquares = 0;
    for (let c = 0; c < d; c++)
      for (let i = c; i < d; i++) {
        let t = i === c ? 1 : 0;
        for (let m = c; m < i; m++) t -= l[lo + i * d + m] * inv[m * d + c];
        const z = t / l[lo + i * d + i];
        inv[i * d + c] = z;
        invSquares += z * z;
      }
    bottom = Math.max(bottom, 1 / invSquares);
    bound = bottom > f ? (top + f) / (bottom - f) : Number.POSITIVE_INFINITY;
    const cleared = bound <= limit;
    const copy = anchor?.l ?? new Float32Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) copy[i * d + j] = l[lo + i * d + j];
    this.anchors[k] = { l: copy, lo: 1 / Math.sqrt(invSquares), hi: Math.sqrt(squares), cleared };
    if (!cleared) return Number.POSITIVE_INFINITY;
    this.tiers.trace++;
    return bound;
  }

  /** f >= ||Sigma - L^ L^^T||_2, from top >= || |L^| ||_2^2 and the largest |L^_jj| (SLACK). */
  private slackOf(top: number, diagonal: number): number {
    const { d } = this;
    if (this.slack === 'exact') return 0;
    if (this.slack === 'rounded-diagonal') {
      // Sigma = (L^ + D)(L^ + D)^T: ||F|| <= 2 ||L^|| ||D|| + ||D||^2.
      const e = V * diagonal + TINY;
      return 2 * Math.sqrt(top) * e + e * e;
    }
    const gamma = ((d + 2) * U) / (1 - (d + 2) * U);
    // ||E||_2 <= gamma || |L^| |L^|^T ||_2 = gamma || |L^| ||_2^2, and each entry's underflow.
    return gamma * top + d * (d + 2) * TINY * (1 + Math.sqrt(top));
  }
}
