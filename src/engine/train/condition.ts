import { cholesky64 } from '../../ground/dense64.js';
import { relativeDrift, triangularBounds } from '../../ground/triangular-bounds.js';
import { ConditionWasm } from '../native/condition-wasm.js';
import { ExtremeEigenKernel } from '../ops/extreme-eigen-kernel.js';
import type { Parameterization } from '../parameterizations/types.js';

/** How often each tier of the check decided, since the check was made (tests and the cost measurement read it). */
export interface ConditionTiers {
  /** Blocks the O(d^2) bound cleared. */
  bound: number;
  /** Blocks the drift bound from their last exact value cleared. */
  drift: number;
  /** Blocks the trace bound (one triangular inverse) cleared. */
  trace: number;
  /** Blocks whose condition number was computed from float64 eigenvalues. */
  exact: number;
}

/** A block's anchor for tier 2 (`ConditionCheck.anchor`). */
interface Anchor {
  /** L when tier 3 or 4 last ran, its inverse W, and bounds on its extreme singular values. */
  l: Float64Array;
  w: Float64Array;
  lo: number;
  hi: number;
  /** The norms of W's rows (`sinceBound`). */
  rows: Float64Array;
  /** L when the relative drift last ran (S), and that drift ||(S - L_a) W||_F (Infinity: not since this anchor). */
  last: Float64Array;
  lastEta: number;
  /** Its place in the kernels' linear memory (condition-wasm.ts `anchorAt`). */
  slot: number;
}

/** `sinceBound`'s margin for its float64 roundings (its proof). */
const ROUNDING = 1 + 2 ** -40;

/**
 * An upper bound on ||(L - S) W||_F for L and S (d x d, lower triangles read) and W lower
 * triangular with row norms rows[j] = ||W_j||: row i of (L - S) W is sum_{j <= i} (L - S)_ij W_j,
 * of norm at most sum_j |L - S|_ij rows_j, so ||(L - S) W||_F^2 <= sum_i (sum_j |L - S|_ij
 * rows_j)^2. In float64: each rows_j within (d + 2) 2^-53 relative of ||W_j|| (d products and
 * sums, a square root), each difference, product and sum of the non-negative terms, the squares,
 * their sum and the square root within (2 d + 6) 2^-53 more (native/condition-bound.ts `rawSince`'s
 * count): (3 d + 8) 2^-53 < 2^-42 in all for d <= 256 (the schema's limit), which the factor
 * ROUNDING = 1 + 2^-40 covers. O(d^2), where the relative drift it stands in for is O(d^3 / 6).
 */
export function sinceBound(l: Float64Array, s: Float64Array, rows: Float64Array, d: number): number {
  let squares = 0;
  for (let i = 0; i < d; i++) {
    let row = 0;
    for (let j = 0; j <= i; j++) row += Math.abs(l[i * d + j] - s[i * d + j]) * rows[j];
    squares += row * row;
  }
  return Math.sqrt(squares) * ROUNDING;
}

/**
 * The 2-norm condition number check of one parameterization's covariances (or precisions: the
 * same number), on the trainer's host copy of the raw parameters, so it serves every engine
 * path. It can be fooled by nothing but float64 rounding: a block is cleared only by an upper
 * bound on cond(L L^T) at or below the limit, and otherwise judged by the exact value, from the
 * float64 eigenvalues of L L^T (those `repro --trace` shows, to rounding). Four tiers, cheapest
 * first, each run only when the ones before could not clear the block:
 *
 * 1. O(d^2): the parameterization's own bound from its raw values (`conditionBound64`), when it
 *    has one; then cond(L L^T) = ||L||_2^2 ||L^-1||_2^2 <= ||L||_1 ||L||_inf ||L^-1||_1 ||L^-1||_inf,
 *    with ||L^-1|| bounded through the comparison matrix M(L) (|L_ii| on the diagonal, -|L_ij|
 *    off it), whose inverse dominates |L^-1| entrywise (Higham, Accuracy and Stability of
 *    Numerical Algorithms, 2nd ed., Thm 8.12): ||L^-1||_inf <= max(M^-1 e) and ||L^-1||_1 <=
 *    max(M^-T e), two triangular solves with the ones vector. Exact for a diagonal L, within
 *    (1 + |b|)^4 / b^4 of the truth for L = [[1, 0], [b, 1]]; loose when many off-diagonal
 *    entries are as large as the diagonal.
 * 2. O(d^2), for a block that once needed tier 3 or 4: the drift from that anchor. The singular
 *    values of L move by at most ||L - L_a||_2 <= ||L - L_a||_F = e (Weyl), so
 *    cond(L L^T) <= ((sigma_max(L_a) + e) / (sigma_min(L_a) - e))^2, with the anchor's exact
 *    singular values or tier 3's bounds on them. Then, in O(d^3 / 6), relative to the anchor: with
 *    eta = ||(L - L_a) L_a^-1||_F, cond(L L^T) <= (sigma_max(L_a) (1 + eta) / (sigma_min(L_a) (1 - eta)))^2
 *    (`relativeDrift`), which holds up where a step moves L by more than sigma_min but by little
 *    relative to L itself; first from its last value plus an O(d^2) bound on the move since
 *    (`sinceBound`), which spares most steps of a block that keeps moving near the limit the
 *    O(d^3 / 6) drift. A run that trains near the limit pays for the exact value once per
 *    drift of a sizeable fraction of sigma_min (or of L), not every step.
 * 3. O(d^3 / 6): tr(Sigma) tr(Sigma^-1) = ||L||_F^2 ||L^-1||_F^2, with L^-1 by forward
 *    substitution: between cond and d^2 cond.
 * 4. O(4/3 d^3): the exact value from the extreme eigenvalues (`ExtremeEigenKernel`), which
 *    becomes the block's anchor for tier 2.
 *
 * A block whose raw values are not all finite is left to the other checks (its factor diagonal or
 * its parameters already say how it failed); one whose covariance has no float64 factor has
 * condition number Infinity.
 */
export class ConditionCheck {
  readonly tiers: ConditionTiers = { bound: 0, drift: 0, trace: 0, exact: 0 };
  /** Per block (by its offset `at`): its L and (bounds on) sigma_min and sigma_max when tier 3 or 4 last ran. */
  private readonly anchors = new Map<number, Anchor>();
  private readonly block: number;
  /** Scratch, reused for every block: L (upper triangle kept zero), L^-1, and the two solves. */
  private readonly l: Float64Array;
  private readonly inv: Float64Array;
  /** Tier 4's extreme eigenvalues. */
  private readonly eigen: ExtremeEigenKernel;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly norms = new Float64Array(4);
  /** Tier 2's relative drift as a WebAssembly kernel, where it runs (the same numbers). */
  private readonly wasm?: ConditionWasm;

  /** With `wasm: false` tier 2 runs in JavaScript at every d (the tests' reference; the same verdicts). */
  constructor(
    private readonly p: Parameterization,
    private readonly d: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    this.wasm = ConditionWasm.for(d, 0, wasm);
    this.block = p.rawShape(d).reduce((a, b) => a * b, 1);
    this.l = new Float64Array(d * d);
    this.inv = new Float64Array(d * d);
    this.eigen = new ExtremeEigenKernel(d, { wasm });
    this.x = new Float64Array(d);
    this.y = new Float64Array(d);
  }

  /**
   * The condition number of the block starting at raw[at] when it is above `limit` (exact, or
   * Infinity when it has no factor); undefined when it is at or below the limit, or not finite.
   * `at` names the block from call to call (the trainer's layout of its lanes does not change):
   * tier 2 compares it with its own last exact value.
   */
  above(raw: ArrayLike<number>, at: number, limit: number): number | undefined {
    for (let k = at; k < at + this.block; k++) if (!Number.isFinite(raw[k])) return undefined;
    if (this.p.conditionBound64 && this.p.conditionBound64(raw, at, this.d, limit) <= limit) {
      this.tiers.bound++;
      return undefined;
    }
    if (!this.factor(raw, at)) return Number.POSITIVE_INFINITY;
    if (this.bound() <= limit) {
      this.tiers.bound++;
      return undefined;
    }
    if (this.driftBound(at, limit) <= limit) {
      this.tiers.drift++;
      return undefined;
    }
    if (this.traceBound(at) <= limit) {
      this.tiers.trace++;
      return undefined;
    }
    this.tiers.exact++;
    const { lo, hi } = this.eigen.ofFactor(this.l);
    this.anchor(at, Math.sqrt(lo), Math.sqrt(hi));
    const cond = lo > 0 ? hi / lo : Number.POSITIVE_INFINITY;
    return cond > limit ? cond : undefined;
  }

  /**
   * Tier 2: the bound from the block's anchor (Infinity without one, or when L moved past it):
   * additive (Weyl), then, if that does not clear it, relative (`relativeDrift`).
   */
  private driftBound(at: number, limit: number): number {
    const anchor = this.anchors.get(at);
    if (!anchor) return Number.POSITIVE_INFINITY;
    const { d, l } = this;
    let squares = 0;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) squares += (l[i * d + j] - anchor.l[i * d + j]) ** 2;
    const e = Math.sqrt(squares);
    // NaN (a non-positive anchor: lo is NaN) is not <= any limit.
    const additive = anchor.lo > e ? ((anchor.hi + e) / (anchor.lo - e)) ** 2 : Number.POSITIVE_INFINITY;
    if (additive <= limit) return additive;
    // From the last relative drift S: ||(L - L_a) W||_F <= ||(S - L_a) W||_F + ||(L - S) W||_F (the
    // first its float64 value, taken as it is, as the drift itself is below), in O(d^2): near the
    // limit a block that moves a little each step would pay the O(d^3 / 6) drift at every step.
    // The anchor and the verdicts are the same either way: this clears only what the drift would.
    if (anchor.lastEta < 1) {
      const since = anchor.lastEta + sinceBound(l, anchor.last, anchor.rows, d);
      const bound = across(since, anchor.lo, anchor.hi);
      if (bound <= limit) return bound;
    }
    const eta = this.wasm
      ? this.wasm.relativeAt(anchor.slot, l)
      : relativeDrift(l, 0, anchor.l, anchor.w, d, this.x);
    anchor.last.set(l);
    anchor.lastEta = eta;
    return across(eta, anchor.lo, anchor.hi);
  }

  /** L of the block into this.l; false when it has none. */
  private factor(raw: ArrayLike<number>, at: number): boolean {
    const { p, d, l } = this;
    if (p.factor64) return p.factor64(raw, at, d, l);
    const sigma = p.covariance(Array.prototype.slice.call(raw, at, at + this.block) as number[], d);
    const chol = cholesky64(sigma, d);
    if (chol) l.set(chol);
    return chol !== null;
  }

  /** Tier 1: ||L||_1 ||L||_inf max(M^-1 e) max(M^-T e), in O(d^2) with no allocation. */
  private bound(): number {
    const { d, l, x, y, norms } = this;
    triangularBounds(l, 0, d, x, y, norms);
    // NaN (0 * Infinity) is not <= any limit, so it falls through to the next tier.
    return norms[0] * norms[1];
  }

  /**
   * Tier 3: ||L||_F^2 ||L^-1||_F^2 = tr(Sigma) tr(Sigma^-1) >= cond(Sigma). When it clears the
   * block, its sigma_min(L) >= 1 / ||L^-1||_F and sigma_max(L) <= ||L||_F anchor tier 2 (in
   * place of an exact value: tier 2 needs only bounds), so the next steps cost O(d^2).
   */
  private traceBound(at: number): number {
    const { d, l, inv } = this;
    let squares = 0;
    let invSquares = 0;
    // Column c of L^-1 solves L z = e_c; its entries above c are zero.
    for (let c = 0; c < d; c++)
      for (let i = c; i < d; i++) {
        let t = i === c ? 1 : 0;
        for (let k = c; k < i; k++) t -= l[i * d + k] * inv[k * d + c];
        const z = t / l[i * d + i];
        inv[i * d + c] = z;
        invSquares += z * z;
        squares += l[i * d + c] * l[i * d + c];
      }
    const bound = squares * invSquares;
    this.anchor(at, 1 / Math.sqrt(invSquares), Math.sqrt(squares));
    return bound;
  }

  /** Keep the block's L, its inverse (tier 3 leaves it in this.inv) and bounds on its extreme singular values for tier 2. */
  private anchor(at: number, lo: number, hi: number): void {
    const { d } = this;
    const old = this.anchors.get(at);
    const l = old?.l ?? new Float64Array(d * d);
    const w = old?.w ?? new Float64Array(d * d);
    const rows = old?.rows ?? new Float64Array(d);
    l.set(this.l);
    w.set(this.inv);
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j <= i; j++) t += w[i * d + j] * w[i * d + j];
      rows[i] = Math.sqrt(t);
    }
    // Its copy in linear memory for the relative drift's kernel (one slot per block, kept).
    const slot = old?.slot ?? this.anchors.size;
    this.wasm?.anchorAt(slot, l, w);
    const last = old?.last ?? new Float64Array(d * d);
    this.anchors.set(at, { l, w, lo, hi, rows, last, lastEta: Number.POSITIVE_INFINITY, slot });
  }
}

/**
 * cond(L L^T) <= (hi (1 + eta) / (lo (1 - eta)))^2 for sigma(L) within a factor 1 +- eta of the
 * anchor's, whose singular values lie in [lo, hi]; Infinity from eta = 1 (or NaN).
 */
function across(eta: number, lo: number, hi: number): number {
  return eta < 1 ? ((hi * (1 + eta)) / (lo * (1 - eta))) ** 2 : Number.POSITIVE_INFINITY;
}
