import { tf } from '../tf.js';
import type { FactorKind } from './factor-of.js';
import { fused, values } from './fused.js';
import { plainLogDensity } from './gaussian.js';
import { DensityKernel } from './gaussian-fused.js';

/** What feeds the linear layer: exp(log p), the density (seed 000), or log p itself. */
export type Activation = 'exp' | 'log_prob';

/**
 * One minibatch of m trials per lane: its points (once per unit, [B * U, m, d] lane-major: every
 * unit sees them) and their classes [B * m].
 */
export interface Trial {
  x: Float32Array;
  labels: Int32Array;
  m: number;
}

/**
 * A unit is dead for a trial when its float32 activation exp(log p) is exactly 0: then nothing of
 * that trial's loss reaches its mean or covariance (d act / d log p = act = 0). float32 rounds
 * exp(log p) to 0 when it is at most half the smallest subnormal, 2^-150: log p <= -150 ln 2 =
 * -103.97 (exp(log p) is subnormal, and already loses precision, below -87.34 = ln 2^-126).
 */
export const isDead = (act: number) => Math.fround(act) === 0;

/**
 * The classifier's loss for one minibatch per lane: unit u's activation is exp(log N(x | mu_u,
 * Sigma_u)) (or the log-density itself) with Sigma_u from factor [B * U, d, d]; the activations
 * [B, m, U] feed the lane's bias-free linear layer w [B, K, U]; the loss is the softmax
 * cross-entropy of its outputs against the trials' classes, averaged over the m trials; returns
 * it [B] and each lane's count of dead (unit, trial) pairs [B] (0 with `log_prob`). One fused op
 * (the density kernel and the head, per lane), or its plain reference form under `withPlainOps`.
 */
export function classifierLoss(
  trial: Trial,
  mu: tf.Tensor3D,
  factor: tf.Tensor3D,
  w: tf.Tensor3D,
  p: FactorKind,
  activation: Activation,
): { loss: tf.Tensor1D; deadUnits: tf.Tensor1D } {
  return (fused() ? fusedLoss : plainLoss)(trial, mu, factor, w, p, activation);
}

function plainLoss(...[trial, mu, factor, w, p, activation]: Parameters<typeof classifierLoss>) {
  const [B, U, d] = mu.shape;
  const { m } = trial;
  const K = w.shape[1];
  const x = tf.tensor3d(trial.x, [B * U, m, d]);
  const logp = plainLogDensity(x, tf.reshape(mu, [B * U, d]) as tf.Tensor2D, factor, p);
  const perTrial = tf.transpose(tf.reshape(logp, [B, U, m]), [0, 2, 1]);
  // tf.exp's float32 output is 0 exactly where isDead says so: both round exp(log p) to float32.
  const act = activation === 'exp' ? tf.exp(perTrial) : perTrial;
  const out = tf.sum(tf.mul(tf.expandDims(w, 1), tf.expandDims(act, 2)), 3);
  const y = tf.reshape(tf.oneHot(tf.tensor1d(trial.labels, 'int32'), K), [B, m, K]);
  const loss = tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out)), 2)), 1) as tf.Tensor1D;
  const deadUnits =
    activation === 'exp'
      ? (tf.sum(tf.cast(tf.equal(act, 0), 'float32'), [1, 2]) as tf.Tensor1D)
      : tf.zeros([B], 'float32');
  return { loss, deadUnits: deadUnits as tf.Tensor1D };
}

function fusedLoss(...[trial, mu, factor, w, p, activation]: Parameters<typeof classifierLoss>) {
  const [B, U, d] = mu.shape;
  const { m, labels } = trial;
  const K = w.shape[1];
  const dead = new Float32Array(B);
  const op = tf.customGrad((mt, lt, wt) => {
    const [mv, lv, wv] = [values(mt), values(lt), values(wt)];
    const density = new DensityKernel(d, p.factorOf);
    const head = new HeadKernel(B, U, K, m, activation);
    const logp = new Float64Array(B * U * m);
    const loss = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < U; u++) density.forward(trial.x, mv, lv, b * U + u, m, logp);
      loss[b] = head.forward(logp, wv, b, labels);
      dead[b] = head.dead;
    }
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dlogp = new Float64Array(B * U * m);
        const dx = new Float32Array(B * U * m * d); // x is data: its gradient is dropped
        const dmu = new Float32Array(B * U * d);
        const dl = new Float32Array(B * U * d * d);
        const dw = new Float32Array(B * K * U);
        for (let b = 0; b < B; b++) {
          head.backward(wv, b, labels, g[b], dlogp, dw);
          for (let u = 0; u < U; u++) density.backward(trial.x, mv, lv, b * U + u, m, dlogp, dx, dmu, dl);
        }
        return [tf.tensor3d(dmu, [B, U, d]), tf.tensor3d(dl, [B * U, d, d]), tf.tensor3d(dw, [B, K, U])];
      },
    };
  });
  const loss = op(mu, factor, w) as tf.Tensor1D;
  return { loss, deadUnits: tf.tensor1d(dead) };
}

/**
 * One lane's head in float64, over its m trials: act = exp(log p) (0 where float32 would round it
 * to 0, as torch's and the plain form's float32 exp do: a dead unit gets no gradient) or log p,
 * out = W act, loss = the mean over trials of -log softmax(out)[label] (max-shifted, as
 * logSoftmax is). The gradient is d loss / d out_k = (softmax_k - [k = label]) / m, then through
 * W act and the activation; the forward keeps every lane's act and softmax for it.
 */
export class HeadKernel {
  /** Dead (unit, trial) pairs of the last lane `forward` saw. */
  dead = 0;
  /** [B * U * m], laid out as log p is: (b * U + j) * m + i. */
  private readonly act: Float64Array;
  /** [B * m * K]. */
  private readonly soft: Float64Array;
  private readonly dw: Float64Array;

  constructor(
    B: number,
    private readonly U: number,
    private readonly K: number,
    private readonly m: number,
    private readonly activation: Activation,
  ) {
    this.act = new Float64Array(B * U * m);
    this.soft = new Float64Array(B * m * K);
    this.dw = new Float64Array(K * U);
  }

  forward(logp: Float64Array, w: Float32Array, b: number, labels: Int32Array): number {
    const { U, K, m, act, soft } = this;
    this.dead = 0;
    for (let k = b * U * m; k < (b + 1) * U * m; k++) {
      if (this.activation === 'log_prob') act[k] = logp[k];
      else {
        const a = Math.exp(logp[k]);
        const dead = isDead(a);
        act[k] = dead ? 0 : a;
        if (dead) this.dead++;
      }
    }
    let total = 0;
    for (let i = 0; i < m; i++) {
      const s = (b * m + i) * K;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        let o = 0;
        for (let j = 0; j < U; j++) o += w[(b * K + k) * U + j] * act[(b * U + j) * m + i];
        soft[s + k] = o;
        if (o > max) max = o;
      }
      const logit = soft[s + labels[b * m + i]];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(soft[s + k] - max);
        soft[s + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) soft[s + k] /= sum;
      total += max + Math.log(sum) - logit;
    }
    return total / m;
  }

  /** Writes d loss / d log p of lane b into dlogp and d loss / d W into dw, for an incoming gradient g. */
  backward(w: Float32Array, b: number, labels: Int32Array, g: number, dlogp: Float64Array, dw: Float32Array) {
    const { U, K, m, act, soft, dw: acc } = this;
    const exp = this.activation === 'exp';
    const gm = g / m;
    for (let k = 0; k < K * U; k++) acc[k] = 0;
    for (let i = 0; i < m; i++) {
      const s = (b * m + i) * K;
      const label = labels[b * m + i];
      for (let j = 0; j < U; j++) {
        const a = act[(b * U + j) * m + i];
        let dact = 0;
        for (let k = 0; k < K; k++) {
          const gout = gm * (soft[s + k] - (k === label ? 1 : 0));
          dact += gout * w[(b * K + k) * U + j];
          acc[k * U + j] += gout * a;
        }
        dlogp[(b * U + j) * m + i] = exp ? dact * a : dact;
      }
    }
    for (let k = 0; k < K * U; k++) dw[b * K * U + k] = acc[k];
  }
}
