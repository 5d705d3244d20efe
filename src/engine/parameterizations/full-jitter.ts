import { cholesky64, choleskyInto, symmetrizeLower } from '../../ground/dense64.js';
import { cholesky } from '../ops/linalg.js';
import { eye } from '../ops/masks.js';
import { tf } from '../tf.js';
import { JITTER_OPTIONS } from './specs.js';
import type { Parameterization } from './types.js';

export interface JitterOptions {
  /** Amounts added to the diagonal, tried in order after a failed Cholesky. @default [1e-6, 1e-5, 1e-4] */
  jitter: readonly number[];
  /** Multiply each amount by the mean of the matrix's diagonal. @default false */
  relative: boolean;
}

/** GPyTorch psd_safe_cholesky's float32 schedule: 1e-6, then ten times more on each retry, three retries. */
export const DEFAULT_JITTER: JitterOptions = {
  jitter: JITTER_OPTIONS.jitter.default as number[],
  relative: JITTER_OPTIONS.jitter_relative.default as boolean,
};

/** The jitter amount of each level for a matrix with diagonal mean `mean`; none when it cannot help. */
function amounts(o: JitterOptions, mean: number): number[] {
  if (!o.relative) return [...o.jitter];
  // A matrix whose diagonal mean is <= 0 or NaN has a non-positive diagonal entry that no
  // relative jitter of that size can fix.
  return mean > 0 ? o.jitter.map((j) => j * mean) : [];
}

function diagonalMean(a: ArrayLike<number>, at: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[at + j * d + j];
  return s / d;
}

/**
 * Sigma = P as given, but a failed Cholesky is retried with jitter added to
 * the diagonal (GPyTorch psd_safe_cholesky): the run fails only when every
 * retry fails. P itself is not changed, so a run can go on training an
 * indefinite P as long as its jittered factor exists. Every retry is counted
 * per run as the metric `cholesky_retries`.
 */
export function makeFullJitter(o: JitterOptions = DEFAULT_JITTER): Parameterization {
  return {
    name: 'full-jitter',
    summary: `Sigma = P, Cholesky retried with ${o.relative ? 'relative ' : ''}jitter ${o.jitter.join(', ')} (GPyTorch psd_safe_cholesky)`,
    factorOf: 'covariance',
    checks: 'cholesky-pivots',
    rawShape: (d) => [d, d],
    fromCovariance: (sigma0) => Float64Array.from(sigma0),
    options: {
      schema: JITTER_OPTIONS,
      with: (v) => makeFullJitter({ jitter: v.jitter as number[], relative: v.jitter_relative as boolean }),
    },
    /** P plus the first jitter whose float64 Cholesky succeeds: the covariance the loss used. */
    covariance(raw, d) {
      const sigma = symmetrizeLower(raw, d);
      if (cholesky64(sigma, d)) return sigma;
      for (const j of amounts(o, diagonalMean(sigma, 0, d))) {
        const jittered = Float64Array.from(sigma);
        for (let i = 0; i < d; i++) jittered[i * d + i] += j;
        if (cholesky64(jittered, d)) return jittered;
      }
      return sigma;
    },
    /** P's own factor when it has one (no jitter: the common case, with no allocation), else that of `covariance`. */
    factor64(raw, at, d, l) {
      if (choleskyInto(raw, at, d, l)) return true;
      const size = d * d;
      return choleskyInto(
        this.covariance(Array.prototype.slice.call(raw, at, at + size) as number[], d),
        0,
        d,
        l,
      );
    },
    factor(raw, d) {
      const a = tf.reshape(raw, [-1, d, d]) as tf.Tensor3D;
      const n = a.shape[0];
      let { factor, pivots } = cholesky(a);
      const retries = new Float32Array(n);
      const failing = failedElements(pivots.dataSync(), n, d);
      if (failing.length > 0) {
        const values = a.dataSync();
        // Each failing element with the amounts it may try; it leaves when an attempt succeeds
        // or its amounts run out. A retry factors the whole batch (one op) with each trying
        // element's amount and takes the result for those elements only, so an element's
        // result depends only on its own values, never on its batch.
        let pending = failing
          .map((e) => ({ e, tries: amounts(o, diagonalMean(values, e * d * d, d)) }))
          .filter((t) => t.tries.length > 0);
        for (let level = 0; pending.length > 0; level++) {
          const jitter = new Float32Array(n);
          const take = new Uint8Array(n);
          for (const { e, tries } of pending) {
            jitter[e] = tries[level];
            take[e] = 1;
            retries[e]++;
          }
          const attempt = cholesky(tf.add(a, tf.mul(tf.tensor3d(jitter, [n, 1, 1]), eye(d))) as tf.Tensor3D);
          const taken = tf.tensor1d(take, 'bool');
          factor = tf.where(tf.reshape(taken, [n, 1, 1]), attempt.factor, factor) as tf.Tensor3D;
          pivots = tf.where(tf.reshape(taken, [n, 1]), attempt.pivots, pivots) as tf.Tensor2D;
          const stillFailing = new Set(failedElements(attempt.pivots.dataSync(), n, d));
          pending = pending.filter((t) => stillFailing.has(t.e) && level + 1 < t.tries.length);
        }
      }
      return { factor, checks: pivots, counters: { cholesky_retries: tf.tensor1d(retries) } };
    },
  };
}

/** Elements with a pivot <= 0 or NaN: exactly what the health check calls a failed Cholesky. */
function failedElements(pivots: ArrayLike<number>, n: number, d: number): number[] {
  const failed: number[] = [];
  for (let e = 0; e < n; e++) {
    for (let j = 0; j < d; j++) {
      if (!(pivots[e * d + j] > 0)) {
        failed.push(e);
        break;
      }
    }
  }
  return failed;
}

export const fullJitter = makeFullJitter();
