import { stream } from '../../data/random.js';
import { distance, identity } from '../../ground/dense64.js';
import type { RunConfig } from '../../types.js';
import { type Activation, classifierLoss, type Trial } from '../ops/classifier-loss.js';
import { perLane } from '../parameterizations/counters.js';
import { rawStart } from '../parameterizations/raw-start.js';
import type { Parameterization } from '../parameterizations/types.js';
import { tf } from '../tf.js';
import { asGaussians, logDensitiesOfUnits } from './gaussian64.js';
import { Minibatches } from './minibatches.js';
import { NativeClassifier } from './mvn-classifier-native.js';
import {
  type ClassifierOptions,
  isSeedShape,
  laneData,
  minibatches,
  mvnClassifierSpec,
  pointCount,
  SEED_INIT_MEANS,
  type Truth,
} from './mvn-classifier-spec.js';
import { type Task, type TaskInstance, taskOptions } from './types.js';

/** Seed 000's task: its spec (mvn-classifier-spec.ts) and its lane batch. */
export const mvnClassifier: Task = {
  ...mvnClassifierSpec,
  create: (configs, p, dataFile) => new ClassifierBatch(configs, p, dataFile),
};

function initMeans(o: ClassifierOptions, t: Truth, d: number, seed: number): Float64Array[] {
  if (o.init_means) return o.init_means.map((m) => Float64Array.from(m));
  if (isSeedShape(o, d) && !o.means) return SEED_INIT_MEANS.map((m) => Float64Array.from(m));
  const rng = stream(seed, 'init');
  return t.means.map((m) => m.map((v) => v + 0.4 * (rng.uniform() - 0.5)));
}

/**
 * One run's data and starting point: its true categories, its points (class
 * by class, as the seed concatenates x1 then x2) and their classes, and its
 * starting means and raw covariance block (the same for every unit).
 */
export function classifierLane(c: RunConfig, p: Parameterization, dataFile?: string) {
  const o = taskOptions<ClassifierOptions>(c);
  const d = c.dim;
  const { truth: t, points, labels } = laneData(o, d, c.seed, dataFile);
  const means = new Float64Array(o.units * d);
  for (const [u, m] of initMeans(o, t, d, c.seed).entries()) means.set(m, u * d);
  const covs = o.init_covariances?.map((c) => Float64Array.from(c.flat()));
  const raws = Array.from({ length: o.units }, (_, u) =>
    o.init_raw_scale !== undefined
      ? rawStart(p, d, o.init_raw_scale)
      : p.fromCovariance(covs ? covs[u] : identity(d, o.init_cov_scale), d),
  );
  return { truth: t, points, labels, means, raws };
}

/**
 * The points of one run in the order it sees them, epoch after epoch
 * (reshuffled every epoch unless `shuffle: false`): what its steps of one
 * trial each train on.
 */
export function trialOrder(c: RunConfig): Int32Array {
  const o = taskOptions<ClassifierOptions>(c);
  const n = pointCount(o);
  const epochs = new Minibatches([c.seed], n, n, o.shuffle);
  const order = new Int32Array(o.epochs * n);
  for (let e = 0; e < o.epochs; e++) order.set(epochs.at(e).orders[0], e * n);
  return order;
}

class ClassifierBatch implements TaskInstance {
  readonly steps: number;
  readonly units: number;
  readonly params;
  private readonly d: number;
  private readonly n: number;
  private readonly truths: Truth[];
  /** Lane-major points of every lane (float64 copy for the metrics). */
  private readonly points: Float64Array[];
  private readonly activation: Activation;
  /**
   * Every lane's points [B * n, d] and their classes [B * n], in host memory:
   * each step gathers its minibatch's rows of every lane from them, which
   * costs less than an index tensor and two gathers.
   */
  private readonly x: Float32Array;
  private readonly y: Int32Array;
  /** Which of its points each lane sees at each step. */
  private readonly minibatches: Minibatches;

  /** Each lane's classes of its points (for the accuracy). */
  private readonly labels: Int32Array[];
  /** Trials per step (the last of an epoch may have fewer). */
  private readonly batchSize: number;
  /** The metrics' log densities of one lane's points under each unit, reused lane after lane. */
  private logp?: Float64Array;

  constructor(
    configs: RunConfig[],
    private readonly p: Parameterization,
    dataFile?: string,
  ) {
    const o = taskOptions<ClassifierOptions>(configs[0]);
    const B = configs.length;
    const d = configs[0].dim;
    const U = o.units;
    this.d = d;
    this.units = U;
    this.n = pointCount(o);
    this.activation = o.activation ?? 'exp';
    this.batchSize = o.batch_size ?? 1;
    this.minibatches = minibatches(
      o,
      configs.map((c) => c.seed),
    );
    this.steps = this.minibatches.steps(o.epochs);
    this.truths = [];
    this.points = [];
    this.labels = [];
    this.x = new Float32Array(B * this.n * d);
    this.y = new Int32Array(B * this.n);
    const mu0 = new Float32Array(B * U * d);
    const rawSize = p.rawShape(d).reduce((a, b) => a * b, 1);
    const raw0 = new Float32Array(B * U * rawSize);
    configs.forEach((c, b) => {
      const lane = classifierLane(c, p, dataFile);
      this.truths.push(lane.truth);
      this.points.push(lane.points);
      this.labels.push(lane.labels);
      this.x.set(lane.points, b * this.n * d);
      this.y.set(lane.labels, b * this.n);
      mu0.set(lane.means, b * U * d);
      for (let u = 0; u < U; u++) raw0.set(lane.raws[u], (b * U + u) * rawSize);
    });
    this.params = [
      { name: 'means', group: 'mean' as const, shape: [U, d], init: mu0 },
      { name: 'covariance', group: 'cov' as const, shape: [U, ...p.rawShape(d)], init: raw0 },
      { name: 'weights', group: 'weights' as const, shape: [U, U], init: new Float32Array(B * U * U) },
    ];
  }

  loss(step: number, [mu, raw, w]: tf.Tensor[]) {
    const B = mu.shape[0];
    const { d, units: U } = this;
    const { factor, checks, counters } = this.p.factor(tf.reshape(raw, [B * U, ...this.p.rawShape(d)]), d);
    const { loss, deadUnits } = classifierLoss(
      this.trial(step, B),
      mu as tf.Tensor3D,
      factor,
      w as tf.Tensor3D,
      this.p,
      this.activation,
    );
    return {
      loss,
      checks: tf.reshape(checks, [B, U * d]) as tf.Tensor2D,
      counters: { ...perLane(counters, B), dead_unit_steps: deadUnits },
    };
  }

  /** Each lane's minibatch at `step`: its points once per unit ([B * U, m, d]: every unit sees them) and classes. */
  private trial(step: number, B: number): Trial {
    const { d, n, units: U, x: points, y: classes } = this;
    const { start, m, orders } = this.minibatches.at(step);
    const x = new Float32Array(B * U * m * d);
    const labels = new Int32Array(B * m);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < m; i++) {
        const row = b * n + orders[b][start + i];
        labels[b * m + i] = classes[row];
        for (let u = 0; u < U; u++)
          for (let j = 0; j < d; j++) x[((b * U + u) * m + i) * d + j] = points[row * d + j];
      }
    return { x, labels, m };
  }

  /** Lane b's learned means and covariances (float64, from the parameterization's reference map). */
  private learned(mu: Float64Array, raw: Float64Array) {
    const { d, units: U } = this;
    const rawSize = raw.length / U;
    return {
      means: Array.from({ length: U }, (_, u) => mu.subarray(u * d, (u + 1) * d)),
      covs: Array.from({ length: U }, (_, u) =>
        this.p.covariance(raw.subarray(u * rawSize, (u + 1) * rawSize), d),
      ),
    };
  }

  gaussians(lane: number, [mu, raw]: Float64Array[]) {
    const { means, covs } = this.learned(mu, raw);
    const t = this.truths[lane];
    return { learned: asGaussians(means, covs, this.d), truth: asGaussians(t.means, t.covs, this.d) };
  }

  metrics(lane: number, [mu, raw, w]: Float64Array[]) {
    const { d, units: U, n } = this;
    const t = this.truths[lane];
    const { means, covs } = this.learned(mu, raw);
    const pts = this.points[lane];
    const labels = this.labels[lane];
    // Every point of every lane passes here (100k per worker at d = 16): the log densities of all
    // of a lane's points under each unit in one pass ([n, U], point-major), then the outputs.
    this.logp ??= new Float64Array(n * U);
    const logp = this.logp;
    logDensitiesOfUnits(pts, n, means, covs, d, logp);
    const correct = correctCount(logp, n, U, w, labels, this.activation === 'exp');
    const sq = (f: (u: number) => number) =>
      Math.sqrt(Array.from({ length: U }, (_, u) => f(u) ** 2).reduce((a, b) => a + b));
    return {
      accuracy: correct / n,
      mean_error: sq((u) => distance(means[u], t.means[u])),
      cov_error: sq((u) => distance(covs[u], t.covs[u])),
    };
  }

  /** The native step's kernel, for covariance factors (a precision factor trains on tfjs ops). */
  native(factor?: { diagonal: boolean }) {
    if (this.p.factorOf !== 'covariance') return undefined;
    const { x, y, n, d, units, batchSize, activation, minibatches } = this;
    return new NativeClassifier(x, y, n, d, units, this.labels.length, batchSize, activation, minibatches, {
      diagonal: factor?.diagonal,
    });
  }

  /** Nothing to free: the data lives in host memory. */
  dispose() {}
}

/**
 * How many of a lane's n points the head classifies as their labels, from their log densities
 * under each unit ([n, U], point-major) and the head's weights w. A function of its own, not
 * inlined in `metrics`: each worker runs it once per lane right after training, so it never
 * warms up over many calls, and V8 optimises this small loop within the first lanes where, inside
 * the larger `metrics`, it ran unoptimised (Math.exp through the interpreter) for dozens of lanes:
 * `metrics` of a worker's 256 lanes at d = 8 took 57-104 ms the first time, 30-51 ms so (13-19
 * warm).
 */
function correctCount(
  logp: Float64Array,
  n: number,
  U: number,
  w: ArrayLike<number>,
  labels: Int32Array,
  exp: boolean,
): number {
  const act = new Float64Array(U);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < U; u++) act[u] = exp ? Math.exp(logp[i * U + u]) : logp[i * U + u];
    let best = 0;
    let bestOut = -Infinity;
    for (let k = 0; k < U; k++) {
      let o = 0;
      for (let j = 0; j < U; j++) o += w[k * U + j] * act[j];
      if (o > bestOut) {
        best = k;
        bestOut = o;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}
