import type { LaneBatch, RunConfig } from '../../src/types.js';

/**
 * The parameterizations that can start at any covariance (diag drops its correlations, lowrank
 * approximates it): tests that start from a chosen covariance run each of these.
 */
export const ANY_START = [
  'full',
  'full-jitter',
  'tril',
  'log-cholesky',
  'softplus-cholesky',
  'precision-cholesky',
  'matrix-exp',
  'givens',
  'spherical',
  'spd-riemannian',
  'full-clip',
];

/** A complete RunConfig for engine tests, with overrides. */
export function classifierConfig(
  o: { parameterization?: string; lr?: number; seed?: number; epochs?: number } = {},
): RunConfig {
  return {
    task: {
      name: 'mvn-classifier',
      units: 2,
      n_per_class: 200,
      epochs: o.epochs ?? 5,
      shuffle: true,
      init_cov_scale: 0.02,
    },
    parameterization: o.parameterization ?? 'full',
    dim: 2,
    seed: o.seed ?? 0,
    optimizer: { name: 'sgd', momentum: 0.3, nesterov: false },
    lr: { cov: o.lr ?? 1e-3, mean: 0.002, weights: 0.1 },
    thresholds: { divergence_bound: 1e8, max_condition: 2 ** 23 },
    timeout: 0,
    record_every: 0,
  };
}

export function scoreMatchingConfig(
  o: { parameterization?: string; lr?: number; seed?: number; dim?: number; iterations?: number } = {},
): RunConfig {
  const lr = o.lr ?? 1e-3;
  return {
    task: { name: 'score-matching', n_data: 50, iterations: o.iterations ?? 4000 },
    parameterization: o.parameterization ?? 'log-cholesky',
    dim: o.dim ?? 2,
    seed: o.seed ?? 0,
    optimizer: { name: 'sgd', momentum: 0, nesterov: false },
    lr: { cov: lr, mean: lr, weights: lr },
    thresholds: { divergence_bound: 1e8, max_condition: 2 ** 23 },
    timeout: 0,
    record_every: 0,
  };
}

export function batchOf(configs: RunConfig[]): LaneBatch {
  return { index: 0, shapeKey: '', runs: configs.map((config, i) => ({ id: `run${i}`, config })), steps: 0 };
}

/** score-matching's config with the mle task (same data), lr 1e-2. */
export function mleConfig(
  o: {
    parameterization?: string;
    lr?: number;
    seed?: number;
    dim?: number;
    iterations?: number;
    n_data?: number;
  } = {},
): RunConfig {
  const c = scoreMatchingConfig({ ...o, lr: o.lr ?? 1e-2 });
  return {
    ...c,
    task: { name: 'mle', n_data: o.n_data ?? 50, iterations: o.iterations ?? 4000, shuffle: true },
  };
}

/**
 * The parameterizations whose native maps came after full, tril and log-cholesky, each with
 * options that differ from its defaults where it has them (full-jitter twice: absolute and
 * relative amounts).
 */
export const OTHER_NATIVE_MAPS: readonly (readonly [string, Record<string, unknown>])[] = [
  ['spd-riemannian', {}],
  ['full-clip', { clip_kappa_max: 1e3 }],
  ['matrix-exp', {}],
  ['givens', {}],
  ['lowrank', { rank: 2 }],
  ['spherical', {}],
  ['full-jitter', { jitter: [1e-4, 1e-2, 1] }],
  ['full-jitter', { jitter: [1e-3, 1e-1], jitter_relative: true }],
  ['softplus-cholesky', { softplus_shift: 1e-3 }],
  ['diag', {}],
];
