import { full } from '../engine/parameterizations/full.js';
import { classifierLane, trialOrder } from '../engine/tasks/mvn-classifier.js';
import type { RunConfig } from '../types.js';

const LOG_2PI = Math.log(2 * Math.PI);
const f32 = Math.fround;

/**
 * Seed 000's training step for one run, at any d and K units, written as
 * plain loops over float32 storage: K d-dimensional Gaussian units with raw
 * covariance matrices (the seed's covariance_matrix=, `full`), their
 * activations exp(log p) into a bias-free K x K layer, softmax cross-entropy,
 * and torch's SGD with momentum. A fused per-lane step with no tensor library
 * in between: the bench shows every engine figure as a fraction of its
 * lane-steps per second. The arithmetic is the engine's (float64, stored as
 * float32), so its loss follows an engine run of the same config (tested),
 * until the first Cholesky failure, where this loop simply stops.
 */
export class ReferenceStep {
  private readonly d: number;
  private readonly units: number;
  /** Where each parameter block starts in `params`: means [K][d], covariances [K][d][d], layer [K][K]. */
  private readonly at: { cov: number; w: number };
  /** Parameters, then their momentum buffers, float32 as the engine stores them. */
  private readonly params: Float32Array;
  private readonly buffers: Float32Array;
  private readonly grads: Float64Array;
  private readonly lr: Float32Array;
  private readonly x: Float32Array;
  private readonly labels: Int32Array;
  private readonly order: Int32Array;
  private readonly momentum: number;
  /** Per unit: its Cholesky factor L (lower, row-major) and whitened residual z = L^-1 (x - mu). */
  private readonly chol: Float64Array;
  private readonly z: Float64Array;
  private readonly act: Float64Array;
  private readonly soft: Float64Array;
  /** Scratch of the backward pass: s = Sigma^-1 r and M = L^-1. */
  private readonly s: Float64Array;
  private readonly inv: Float64Array;
  step = 0;

  constructor(config: RunConfig) {
    const o = config.task as { name: string; units?: number; activation?: string; batch_size?: number };
    if (
      o.name !== 'mvn-classifier' ||
      config.parameterization !== 'full' ||
      config.optimizer.name !== 'sgd' ||
      config.optimizer.nesterov ||
      (o.activation ?? 'exp') !== 'exp' ||
      (o.batch_size ?? 1) !== 1
    )
      throw new RangeError(
        'the reference step is seed 000 only: mvn-classifier, full, sgd, exp activations, trial by trial',
      );
    const d = config.dim;
    const K = o.units ?? 2;
    this.d = d;
    this.units = K;
    const lane = classifierLane(config, full);
    this.x = Float32Array.from(lane.points);
    this.labels = lane.labels;
    this.order = trialOrder(config);
    this.at = { cov: K * d, w: K * d + K * d * d };
    const size = this.at.w + K * K;
    this.params = new Float32Array(size);
    this.buffers = new Float32Array(size);
    this.grads = new Float64Array(size);
    this.params.set(lane.means, 0);
    for (let u = 0; u < K; u++) this.params.set(lane.raws[u], this.at.cov + u * d * d);
    const { mean, cov, weights } = config.lr;
    this.lr = new Float32Array(size)
      .fill(mean, 0, this.at.cov)
      .fill(cov, this.at.cov, this.at.w)
      .fill(weights, this.at.w);
    this.momentum = f32(config.optimizer.momentum);
    this.chol = new Float64Array(K * d * d);
    this.z = new Float64Array(K * d);
    this.act = new Float64Array(K);
    this.soft = new Float64Array(K);
    this.s = new Float64Array(d);
    this.inv = new Float64Array(d * d);
  }

  /** One training step on the next point; returns its loss (NaN once a Cholesky pivot is not positive). */
  advance(): number {
    const { d, units: K, params: q, grads: g, act, soft, chol, z } = this;
    const { cov, w } = this.at;
    const row = this.order[this.step++ % this.order.length];
    const label = this.labels[row];
    const xAt = row * d;
    // Forward: per unit, Cholesky of the raw covariance's lower triangle, whitened residual, density.
    for (let u = 0; u < K; u++) {
      const c = cov + u * d * d;
      const L = u * d * d;
      let logDet = 0;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          let sum = q[c + i * d + j];
          for (let k = 0; k < j; k++) sum -= chol[L + i * d + k] * chol[L + j * d + k];
          if (i === j) {
            if (!(f32(sum) > 0)) return Number.NaN;
            chol[L + i * d + i] = Math.sqrt(sum);
          } else chol[L + i * d + j] = sum / chol[L + j * d + j];
        }
        logDet += Math.log(chol[L + i * d + i]);
      }
      let zz = 0;
      for (let i = 0; i < d; i++) {
        let r = this.x[xAt + i] - q[u * d + i];
        for (let k = 0; k < i; k++) r -= chol[L + i * d + k] * z[u * d + k];
        const zi = r / chol[L + i * d + i];
        z[u * d + i] = zi;
        zz += zi * zi;
      }
      act[u] = Math.exp(-0.5 * zz - logDet - 0.5 * d * LOG_2PI);
    }
    // The layer's outputs (kept in `soft`), then softmax cross-entropy and its gradient.
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < K; k++) {
      let o = 0;
      for (let j = 0; j < K; j++) o += q[w + k * K + j] * act[j];
      soft[k] = o;
      if (o > max) max = o;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(soft[k] - max);
    const loss = max + Math.log(sum) - soft[label];
    for (let k = 0; k < K; k++) soft[k] = Math.exp(soft[k] - max) / sum - (k === label ? 1 : 0);
    // Backward: the layer, then each unit's density through s = Sigma^-1 r = L^-T z and Sigma^-1 = M^T M, M = L^-1.
    for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) g[w + k * K + j] = soft[k] * act[j];
    const { s, inv: M } = this;
    for (let u = 0; u < K; u++) {
      const c = cov + u * d * d;
      const L = u * d * d;
      let back = 0;
      for (let k = 0; k < K; k++) back += soft[k] * q[w + k * K + u];
      const dlogp = back * act[u];
      for (let i = d - 1; i >= 0; i--) {
        let r = z[u * d + i];
        for (let k = i + 1; k < d; k++) r -= chol[L + k * d + i] * s[k];
        s[i] = r / chol[L + i * d + i];
      }
      for (let j = 0; j < d; j++) {
        M[j * d + j] = 1 / chol[L + j * d + j];
        for (let i = j + 1; i < d; i++) {
          let r = 0;
          for (let k = j; k < i; k++) r -= chol[L + i * d + k] * M[k * d + j];
          M[i * d + j] = r / chol[L + i * d + i];
        }
      }
      for (let i = 0; i < d; i++) g[u * d + i] = dlogp * s[i];
      // d log p / d Sigma = (s s^T - Sigma^-1) / 2, symmetric: the Cholesky's gradient convention.
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          let precision = 0;
          for (let k = i; k < d; k++) precision += M[k * d + i] * M[k * d + j];
          const gij = 0.5 * dlogp * (s[i] * s[j] - precision);
          g[c + i * d + j] = gij;
          g[c + j * d + i] = gij;
        }
      }
    }
    // torch.optim.SGD with momentum, in float32 as the engine's optimizer.
    const m = this.momentum;
    const { buffers, lr } = this;
    for (let k = 0; k < q.length; k++) {
      const buf = f32(f32(m * buffers[k]) + f32(g[k]));
      buffers[k] = buf;
      q[k] = f32(q[k] - f32(lr[k] * buf));
    }
    return loss;
  }
}
