import * as tf from '@tensorflow/tfjs-core';
import { stream } from '../../data/random.js';
import { DATA_OPTION, type DataRef, loadData } from '../../data/table.js';
import { distance, identity, sampleGaussian, sampleMoments } from '../../ground/dense64.js';
import type { RunConfig } from '../../types.js';
import { type Activation, classifierLoss, type Trial } from '../ops/classifier-loss.js';
import { perLane } from '../parameterizations/counters.js';
import { RAW_SCALE_OPTION, rawStart } from '../parameterizations/raw-start.js';
import type { Parameterization } from '../parameterizations/types.js';
import { asGaussians, logDensityOf64 } from './gaussian64.js';
import { Minibatches } from './minibatches.js';
import { NativeClassifier } from './mvn-classifier-native.js';
import { type Task, type TaskInstance, taskOptions } from './types.js';

/** Options of `mvn-classifier` (defaults live in the config catalog). */
export interface ClassifierOptions {
  name: 'mvn-classifier';
  units: number;
  n_per_class: number;
  epochs: number;
  shuffle: boolean;
  /**
   * Absent means `exp` and `batch_size` 1, the seed's: not in the catalog's defaults, so that the
   * run configs, and with them the run ids, of files from before these options stay the same.
   */
  activation?: Activation;
  /** Trials per gradient step, the loss their mean. */
  batch_size?: number;
  means?: number[][];
  covariances?: number[][][];
  init_means?: number[][];
  /** Starting covariances, one per unit; absent: init_cov_scale times the identity. */
  init_covariances?: number[][][];
  init_cov_scale: number;
  /** Start every unit's raw block at this times the identity instead (raw-start.ts); absent: from covariances. */
  init_raw_scale?: number;
  /** User data (resolved by the config); absent: n_per_class generated points per unit. */
  data?: DataRef;
}

// Seed 000's two 2-D categories and starting means.
const SEED_MEANS = [
  [-0.5, 0.25],
  [-0.25, -0.6],
];
const SEED_COVS = [
  [
    [0.0185, -0.005],
    [-0.005, 0.065],
  ],
  [
    [0.0125, 0.005],
    [0.005, 0.005],
  ],
];
const SEED_INIT_MEANS = [
  [-0.25, 0.05],
  [-0.15, -0.25],
];

const matrices = (what: string) => ({
  type: 'array',
  description: `${what}: \`units\` dim x dim positive-definite matrices.`,
  minItems: 2,
  items: { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: { type: 'number' } } },
});

const vectors = (what: string) => ({
  type: 'array',
  description: `${what}: \`units\` lists of \`dim\` numbers.`,
  minItems: 2,
  items: { type: 'array', minItems: 1, items: { type: 'number' } },
});

interface Truth {
  means: Float64Array[];
  covs: Float64Array[];
}

const isSeedShape = (o: ClassifierOptions, d: number) => o.units === 2 && d === 2;

/** The true categories: given, seed 000's (2 units in 2-D), or random from the run's 'truth' stream. */
function truth(o: ClassifierOptions, d: number, seed: number): Truth {
  if (o.means && o.covariances)
    return {
      means: o.means.map((m) => Float64Array.from(m)),
      covs: o.covariances.map((c) => Float64Array.from(c.flat())),
    };
  if (isSeedShape(o, d))
    return {
      means: SEED_MEANS.map((m) => Float64Array.from(m)),
      covs: SEED_COVS.map((c) => Float64Array.from(c.flat())),
    };
  const rng = stream(seed, 'truth');
  const means: Float64Array[] = [];
  const covs: Float64Array[] = [];
  for (let u = 0; u < o.units; u++) {
    means.push(Float64Array.from({ length: d }, () => rng.uniform() - 0.5));
    // A A^T scaled to the seed's spread, plus a floor so every category is well conditioned.
    const a = Float64Array.from({ length: d * d }, () => 2 * rng.uniform() - 1);
    const c = identity(d, 0.005);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        for (let k = 0; k < d; k++) c[i * d + j] += (0.02 / d) * a[i * d + k] * a[j * d + k];
    covs.push(c);
  }
  return { means, covs };
}

function initMeans(o: ClassifierOptions, t: Truth, d: number, seed: number): Float64Array[] {
  if (o.init_means) return o.init_means.map((m) => Float64Array.from(m));
  if (isSeedShape(o, d) && !o.means) return SEED_INIT_MEANS.map((m) => Float64Array.from(m));
  const rng = stream(seed, 'init');
  return t.means.map((m) => m.map((v) => v + 0.4 * (rng.uniform() - 0.5)));
}

/** Training points per run: the data file's rows, or n_per_class per unit. */
const pointCount = (o: ClassifierOptions) => (o.data ? o.data.rows : o.units * o.n_per_class);

/** Which points each step of lanes with these seeds trains on. */
const minibatches = (o: ClassifierOptions, seeds: number[]) =>
  new Minibatches(seeds, pointCount(o), o.batch_size ?? 1, o.shuffle);

/**
 * A lane's true categories, its points and their classes: generated category
 * by category (as the seed concatenates x1 then x2), or the data file's rows
 * in file order, whose "true categories" are then each class's sample mean
 * and 1/N covariance.
 */
function laneData(o: ClassifierOptions, d: number, seed: number, dataFile?: string) {
  if (o.data) {
    const { points, labels } = loadData(dataFile!, o.data, { dim: d, units: o.units });
    const moments = Array.from({ length: o.units }, (_, u) => {
      const rows = points.filter((_, k) => labels![Math.floor(k / d)] === u);
      return sampleMoments(rows, rows.length / d, d);
    });
    return {
      truth: { means: moments.map((m) => m.mean), covs: moments.map((m) => m.cov) },
      points,
      labels: labels!,
    };
  }
  const t = truth(o, d, seed);
  const data = stream(seed, 'data');
  const points = new Float64Array(o.units * o.n_per_class * d);
  const labels = new Int32Array(o.units * o.n_per_class);
  for (let u = 0; u < o.units; u++) {
    points.set(sampleGaussian(data.normal, t.means[u], t.covs[u], o.n_per_class, d), u * o.n_per_class * d);
    labels.fill(u, u * o.n_per_class, (u + 1) * o.n_per_class);
  }
  return { truth: t, points, labels };
}

/**
 * Seed 000: K Gaussian units whose activations exp(log N(x | mu_k, Sigma_k))
 * feed a bias-free K x K linear layer (initialised to zero), trained trial by
 * trial with softmax cross-entropy over shuffled epochs. Options: log N itself
 * as the activation, and minibatches of `batch_size` trials (the mean loss
 * of consecutive trials of the epoch's order, as mle's). Reports
 * `dead_unit_steps`: the (unit, trial) pairs whose float32 activation
 * underflowed to 0 (classifier-loss.ts, `isDead`).
 */
export const mvnClassifier: Task = {
  name: 'mvn-classifier',
  options: {
    units: { type: 'integer', minimum: 2, description: 'Number of categories, one Gaussian each.' },
    n_per_class: { type: 'integer', minimum: 1, description: 'Training points drawn per category.' },
    epochs: { type: 'integer', minimum: 1, description: 'Passes over the training data.' },
    shuffle: { type: 'boolean', description: 'Reshuffle the training data every epoch.' },
    activation: {
      enum: ['exp', 'log_prob'],
      description:
        "What feeds the linear layer: 'exp' (absent: the default), the density exp(log N(x | mu, Sigma)) as seed 000 has it, which underflows float32 to 0 below log N = -103.97 (counted as dead_unit_steps); 'log_prob', log N itself.",
    },
    batch_size: {
      type: 'integer',
      minimum: 1,
      description:
        "Trials per gradient step, the loss their mean: consecutive trials of each epoch's order, the last minibatch of an epoch shorter (absent: 1, the seed's trial by trial).",
    },
    means: vectors("True category means (seed 000's for 2 units in 2-D, else drawn from the seed)"),
    covariances: matrices(
      "True category covariances (seed 000's for 2 units in 2-D, else drawn from the seed)",
    ),
    init_means: vectors("Initial model means (seed 000's for 2 units in 2-D, else near the true means)"),
    init_covariances: matrices('Initial model covariances (default init_cov_scale times the identity)'),
    data: DATA_OPTION,
    init_cov_scale: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Initial model covariances are this multiple of the identity.',
    },
    init_raw_scale: RAW_SCALE_OPTION,
  },
  defaults: { units: 2, n_per_class: 200, epochs: 5, shuffle: true, init_cov_scale: 0.02 },
  lr: { cov: 1e-4, mean: 0.002, weights: 0.1 },
  momentum: 0.3,
  shapes: {
    means: ['task.units', 'dim'],
    covariances: ['task.units', 'dim', 'dim'],
    init_means: ['task.units', 'dim'],
    init_covariances: ['task.units', 'dim', 'dim'],
  },
  covariances: ['covariances', 'init_covariances'],
  labelled: true,
  dataRows: ['task.n_per_class', 'task.units'],
  steps(config) {
    const o = taskOptions<ClassifierOptions>(config);
    return minibatches(o, []).steps(o.epochs);
  },
  // One epoch: every trial seen once (seed 000 trains trial by trial, so one step's loss is one trial's).
  curveWindow(config) {
    const o = config.task as unknown as ClassifierOptions;
    return minibatches(o, []).steps(1);
  },
  create(configs, p, dataFile) {
    return new ClassifierBatch(configs, p, dataFile);
  },
  dataPoints(config, dataFile) {
    const o = taskOptions<ClassifierOptions>(config);
    const { points, labels } = laneData(o, config.dim, config.seed, dataFile);
    return { points, units: Array.from(labels) };
  },
};

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
    let correct = 0;
    const pts = this.points[lane];
    const labels = this.labels[lane];
    const densities = means.map((m, u) => logDensityOf64(m, covs[u], d));
    for (let i = 0; i < n; i++) {
      const x = pts.subarray(i * d, (i + 1) * d);
      const act = densities.map((logDensity) => {
        const logp = logDensity(x);
        return this.activation === 'exp' ? Math.exp(logp) : logp;
      });
      let best = 0;
      let bestOut = -Infinity;
      for (let k = 0; k < U; k++) {
        let o = 0;
        for (let j = 0; j < U; j++) o += w[k * U + j] * act[j];
        if (o > bestOut) [best, bestOut] = [k, o];
      }
      if (best === labels[i]) correct++;
    }
    const sq = (f: (u: number) => number) =>
      Math.sqrt(Array.from({ length: U }, (_, u) => f(u) ** 2).reduce((a, b) => a + b));
    return {
      accuracy: correct / n,
      mean_error: sq((u) => distance(means[u], t.means[u])),
      cov_error: sq((u) => distance(covs[u], t.covs[u])),
    };
  }

  /** The native step's kernel, for covariance factors (a precision factor trains on tfjs ops). */
  native() {
    if (this.p.factorOf !== 'covariance') return undefined;
    const { x, y, n, d, units, batchSize, activation, minibatches } = this;
    return new NativeClassifier(x, y, n, d, units, this.labels.length, batchSize, activation, minibatches);
  }

  /** Nothing to free: the data lives in host memory. */
  dispose() {}
}
