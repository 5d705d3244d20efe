/**
 * A parameterization's map raw -> L on host memory, one unit's block at a time, for the native
 * step: the same numbers as its tfjs `factor` (float32 L and check values) and as the gradient
 * tfjs's autodiff takes through it. Each map is made for one d and owns its scratch. The upper
 * triangles of L and of a gradient block are zero and stay so: a map writes only lower ones
 * (`full` writes all of its own, and its raw gradient is symmetric). A map may keep what its
 * backward needs per factor slot `lo` (as L itself is kept there between the two).
 */
export interface NativeMap {
  /**
   * Whether L is the raw block's lower triangle itself and d loss / d raw block is d loss / d L
   * (tril): the step then hands the task the raw block as L and the gradient block as dL, and
   * calls `forward` with l = raw, lo = at (check values only) and `backward` with dl = draw, lo =
   * at (nothing to do): no copy either way. The raw block's upper triangle is then not zero; the
   * task and the condition bound read lower triangles only.
   */
  readonly inPlace?: boolean;
  /**
   * Whether L is diagonal (its off-diagonal entries stay the +0 of the step's buffer) and
   * `backward` reads only dL's diagonal: the task may then take its diagonal-factor path, which
   * gives the dense path's numbers in O(d) a unit and writes only dL's diagonal (TaskInstance.native).
   */
  readonly diagonal?: boolean;
  /** Length of one raw block (`Parameterization.rawShape`); absent: d * d. */
  readonly block?: number;
  /** Names of the per-block event counters of its `factor` (FactorOutput.counters); absent: none. */
  readonly counters?: readonly string[];
  /** The last `forward`'s count of each of `counters`. */
  readonly counts?: Float32Array;
  /**
   * The factor L of the raw block raw[at..] (d x d, row-major) into l[lo..] (upper triangle
   * zero) and its check values (`Parameterization.checks`) into checks[ct..ct+d]. Returns false
   * when the factor failed (it then holds NaN where it is unknown and has no gradient).
   */
  forward(
    raw: Float32Array,
    at: number,
    l: Float32Array,
    lo: number,
    checks: Float32Array,
    ct: number,
  ): boolean;
  /** d loss / d raw block into draw[at..], from d loss / d L (lower triangle of dl[lo..]) at the L of `forward`. */
  backward(
    raw: Float32Array,
    at: number,
    l: Float32Array,
    dl: Float32Array,
    lo: number,
    draw: Float32Array,
  ): void;
  /**
   * For a map that forms Sigma and factors it: d loss / d raw block into draw[at..] from the
   * symmetric d loss / d Sigma at dsigma[lo..] (Sigma of the raw block raw[at..]), which is what
   * `backward` computes from the matching d loss / d L through the Cholesky backward (the step
   * takes this route when the task can give d loss / d Sigma).
   */
  fromSigma?(dsigma: Float32Array, lo: number, draw: Float32Array, at: number, raw: Float32Array): void;
}
