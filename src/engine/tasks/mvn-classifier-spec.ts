/**
 * Seed 000's task as the config, the planner and the reports see it (TaskSpec): its options, step
 * count and data, generated on the host. No tfjs: the lane batch that trains it is mvn-classifier.ts.
 */
import { sampleGaussian } from '../../data/gaussian-sample.js';
import { stream } from '../../data/random.js';
import { DATA_OPTION, type DataRef, loadData } from '../../data/table.js';
import { identity, sampleMoments } from '../../ground/dense64.js';
import type { Activation } from '../ops/classifier-loss.js';
import { RAW_SCALE_OPTION } from '../parameterizations/raw-start.js';
import { Minibatches } from './minibatches.js';
import { type TaskSpec, taskOptions } from './types.js';

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
export const SEED_INIT_MEANS = [
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

export interface Truth {
  means: Float64Array[];
  covs: Float64Array[];
}

export const isSeedShape = (o: ClassifierOptions, d: number) => o.units === 2 && d === 2;

/**
 * 0.005 I + spread A A^T, each entry summed as 0.005 [i = j], then spread a_i0 a_j0, spread a_i1
 * a_j1, ... (the order it has always been summed in, so every run's categories stay the same to
 * the bit), four entries of a row at a time: four independent chains of additions where one would
 * wait on each addition in turn.
 */
function scaledGram(a: Float64Array, spread: number, d: number): Float64Array {
  const c = identity(d, 0.005);
  for (let i = 0; i < d; i++) {
    const row = i * d;
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      let t0 = c[row + j];
      let t1 = c[row + j + 1];
      let t2 = c[row + j + 2];
      let t3 = c[row + j + 3];
      for (let k = 0; k < d; k++) {
        const s = spread * a[row + k];
        t0 += s * a[j * d + k];
        t1 += s * a[(j + 1) * d + k];
        t2 += s * a[(j + 2) * d + k];
        t3 += s * a[(j + 3) * d + k];
      }
      c[row + j] = t0;
      c[row + j + 1] = t1;
      c[row + j + 2] = t2;
      c[row + j + 3] = t3;
    }
    for (; j < d; j++) {
      let t = c[row + j];
      for (let k = 0; k < d; k++) t += spread * a[row + k] * a[j * d + k];
      c[row + j] = t;
    }
  }
  return c;
}

/** The true categories: given, seed 000's (2 units in 2-D), or random from the run's 'truth' stream. */
export function truth(o: ClassifierOptions, d: number, seed: number): Truth {
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
  const a = new Float64Array(d * d);
  const spread = 0.02 / d;
  for (let u = 0; u < o.units; u++) {
    const mean = new Float64Array(d);
    rng.uniforms(mean, 0, d);
    for (let i = 0; i < d; i++) mean[i] -= 0.5;
    means.push(mean);
    // A A^T scaled to the seed's spread, plus a floor so every category is well conditioned.
    rng.uniforms(a, 0, d * d);
    for (let k = 0; k < d * d; k++) a[k] = 2 * a[k] - 1;
    covs.push(scaledGram(a, spread, d));
  }
  return { means, covs };
}

/** Training points per run: the data file's rows, or n_per_class per unit. */
export const pointCount = (o: ClassifierOptions) => (o.data ? o.data.rows : o.units * o.n_per_class);

/** Which points each step of lanes with these seeds trains on. */
export const minibatches = (o: ClassifierOptions, seeds: number[]) =>
  new Minibatches(seeds, pointCount(o), o.batch_size ?? 1, o.shuffle);

/**
 * A lane's true categories, its points and their classes: generated category
 * by category (as the seed concatenates x1 then x2), or the data file's rows
 * in file order, whose "true categories" are then each class's sample mean
 * and 1/N covariance.
 */
export function laneData(o: ClassifierOptions, d: number, seed: number, dataFile?: string) {
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
    sampleGaussian(data, t.means[u], t.covs[u], o.n_per_class, d, points, u * o.n_per_class * d);
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
export const mvnClassifierSpec: TaskSpec = {
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
  dataPoints(config, dataFile) {
    const o = taskOptions<ClassifierOptions>(config);
    const { points, labels } = laneData(o, config.dim, config.seed, dataFile);
    return { points, units: Array.from(labels) };
  },
};
