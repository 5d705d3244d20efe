import { fused } from '../ops/fused.js';
import { triSolve } from '../ops/linalg.js';
import { eye } from '../ops/masks.js';
import { fusedScoreMatching } from '../ops/score-matching-fused.js';
import { perLane } from '../parameterizations/counters.js';
import { tf } from '../tf.js';
import { GaussianFitBatch } from './gaussian-fit.js';
import { NativeScoreMatching } from './score-matching-native.js';
import { scoreMatchingSpec } from './score-matching-spec.js';
import type { NativeTask, Task } from './types.js';

/** Seed 001's task: its spec (score-matching-spec.ts) and its lane batch. */
export const scoreMatching: Task = {
  ...scoreMatchingSpec,
  create: (configs, p, dataFile) => new ScoreMatchingBatch(configs, p, dataFile),
};

class ScoreMatchingBatch extends GaussianFitBatch {
  /** The lanes' points as a tensor, made on first use by the plain form. */
  private xTensor?: tf.Tensor3D;

  loss(_step: number, [mu, raw]: tf.Tensor[]) {
    const { d, n, p } = this;
    const { factor, checks, counters } = p.factor(raw, d);
    const loss = fused()
      ? fusedScoreMatching(this.x, n, mu as tf.Tensor2D, factor, p.factorOf)
      : this.plainLoss(mu as tf.Tensor2D, factor);
    return { loss, checks, counters: perLane(counters, mu.shape[0]) };
  }

  /** The reference form of the loss: tfjs ops, triangular solves and autodiff. */
  private plainLoss(mu: tf.Tensor2D, factor: tf.Tensor3D): tf.Tensor1D {
    const { d, n, p } = this;
    const B = mu.shape[0];
    this.xTensor ??= tf.keep(tf.tensor3d(this.x, [B, n, d]));
    const diff = tf.sub(this.xTensor, tf.expandDims(mu, 1)) as tf.Tensor3D;
    let score: tf.Tensor3D;
    let tracePrecision: tf.Tensor1D;
    if (p.factorOf === 'covariance') {
      // Sigma^-1 (x - mu) = L^-T L^-1 (x - mu); tr(Sigma^-1) = ||L^-1||_F^2.
      score = triSolve(factor, triSolve(factor, diff), true);
      const ident = tf.tile(tf.expandDims(eye(d), 0), [B, 1, 1]) as tf.Tensor3D;
      tracePrecision = tf.sum(tf.square(triSolve(factor, ident)), [1, 2]);
    } else {
      // Precision P = L L^T: rows (x - mu)^T L L^T; tr(P) = ||L||_F^2.
      score = tf.matMul(tf.matMul(diff, factor), factor, false, true);
      tracePrecision = tf.sum(tf.square(factor), [1, 2]);
    }
    const fit = tf.mul(tf.mean(tf.sum(tf.square(score), 2), 1), 0.5);
    return tf.sub(fit, tracePrecision) as tf.Tensor1D;
  }

  native(factor?: { diagonal: boolean }): NativeTask {
    return new NativeScoreMatching(this.x, this.n, this.d, this.lanes.length, this.p.factorOf, {
      diagonal: factor?.diagonal,
    });
  }

  override dispose() {
    this.xTensor?.dispose();
  }
}
