import { full } from '../engine/parameterizations/full.js';
import { classifierLane, trialOrder } from '../engine/tasks/mvn-classifier.js';
import type { RunConfig } from '../types.js';

const LOG_2PI = Math.log(2 * Math.PI);
const f32 = Math.fround;

/**
 * Seed 000's training step for one run, written as one plain loop over
 * float32 storage: two 2-D Gaussian units with raw covariance matrices (the
 * seed's covariance_matrix=, `full`), their activations exp(log p) into a
 * bias-free 2 x 2 layer, softmax cross-entropy, and torch's SGD with momentum.
 * This is the practical limit for one core: the bench shows every engine
 * figure as a fraction of its lane-steps per second. The arithmetic is the
 * engine's (float64, stored as float32), so its loss follows an engine run
 * of the same config (tested), until the first Cholesky failure, where this
 * loop simply stops.
 */
export class ReferenceStep {
  /** Parameters, then their momentum buffers: mu [2][2], covariance [2][2][2], w [2][2]. */
  private readonly params = new Float32Array(16);
  private readonly buffers = new Float32Array(16);
  private readonly grads = new Float64Array(16);
  private readonly x: Float32Array;
  private readonly labels: Int32Array;
  private readonly order: Int32Array;
  private readonly lr: Float32Array;
  private readonly momentum: number;
  private readonly act = new Float64Array(2);
  private readonly soft = new Float64Array(2);
  step = 0;

  constructor(config: RunConfig) {
    if (
      config.dim !== 2 ||
      (config.task as { units?: number }).units !== 2 ||
      config.optimizer.name !== 'sgd'
    )
      throw new RangeError('the reference step is seed 000 only: 2 units in 2-D, sgd');
    const lane = classifierLane(config, full);
    this.x = Float32Array.from(lane.points);
    this.labels = lane.labels;
    this.order = trialOrder(config);
    this.params.set(lane.means, 0);
    this.params.set(lane.raws[0], 4);
    this.params.set(lane.raws[1], 8);
    const { mean, cov, weights } = config.lr;
    this.lr = Float32Array.from([...Array(4).fill(mean), ...Array(8).fill(cov), ...Array(4).fill(weights)]);
    this.momentum = f32(config.optimizer.momentum);
  }

  /** One training step on the next point; returns its loss (NaN once a Cholesky pivot is not positive). */
  advance(): number {
    const { params: q, grads: g, act, soft } = this;
    const row = this.order[this.step++ % this.order.length];
    const x0 = this.x[row * 2];
    const x1 = this.x[row * 2 + 1];
    const label = this.labels[row];
    // Forward: per unit, Cholesky of the raw covariance's lower triangle, whitened residual, density.
    for (let u = 0; u < 2; u++) {
      const c = 4 + u * 4;
      if (!(q[c] > 0)) return Number.NaN;
      const l00 = Math.sqrt(q[c]);
      const l10 = q[c + 2] / l00;
      const pivot = q[c + 3] - l10 * l10;
      if (!(f32(pivot) > 0)) return Number.NaN;
      const l11 = Math.sqrt(pivot);
      const z0 = (x0 - q[u * 2]) / l00;
      const z1 = (x1 - q[u * 2 + 1] - l10 * z0) / l11;
      act[u] = Math.exp(-0.5 * (z0 * z0 + z1 * z1) - Math.log(l00) - Math.log(l11) - LOG_2PI);
    }
    const o0 = q[12] * act[0] + q[13] * act[1];
    const o1 = q[14] * act[0] + q[15] * act[1];
    const max = Math.max(o0, o1);
    const e0 = Math.exp(o0 - max);
    const e1 = Math.exp(o1 - max);
    const sum = e0 + e1;
    const loss = max + Math.log(sum) - (label === 0 ? o0 : o1);
    soft[0] = e0 / sum - (label === 0 ? 1 : 0);
    soft[1] = e1 / sum - (label === 1 ? 1 : 0);
    // Backward: the layer, then each unit's density through Sigma^-1 r and its inverse.
    for (let k = 0; k < 2; k++) for (let j = 0; j < 2; j++) g[12 + k * 2 + j] = soft[k] * act[j];
    for (let u = 0; u < 2; u++) {
      const c = 4 + u * 4;
      const dlogp = (soft[0] * q[12 + u] + soft[1] * q[14 + u]) * act[u];
      const l00 = Math.sqrt(q[c]);
      const l10 = q[c + 2] / l00;
      const l11 = Math.sqrt(q[c + 3] - l10 * l10);
      const z0 = (x0 - q[u * 2]) / l00;
      const z1 = (x1 - q[u * 2 + 1] - l10 * z0) / l11;
      // s = Sigma^-1 r = L^-T z; Sigma^-1 = M^T M with M = L^-1.
      const s1 = z1 / l11;
      const s0 = (z0 - l10 * s1) / l00;
      const m00 = 1 / l00;
      const m10 = -l10 / (l00 * l11);
      const m11 = 1 / l11;
      g[u * 2] = dlogp * s0;
      g[u * 2 + 1] = dlogp * s1;
      // d log p / d Sigma = (s s^T - Sigma^-1) / 2, symmetric: the Cholesky's gradient convention.
      g[c] = 0.5 * dlogp * (s0 * s0 - (m00 * m00 + m10 * m10));
      g[c + 1] = g[c + 2] = 0.5 * dlogp * (s0 * s1 - m10 * m11);
      g[c + 3] = 0.5 * dlogp * (s1 * s1 - m11 * m11);
    }
    // torch.optim.SGD with momentum, in float32 as the engine's optimizer.
    const m = this.momentum;
    for (let k = 0; k < 16; k++) {
      const gk = f32(g[k]);
      const buf = f32(f32(m * this.buffers[k]) + gk);
      this.buffers[k] = buf;
      q[k] = f32(q[k] - f32(this.lr[k] * buf));
    }
    return loss;
  }
}
