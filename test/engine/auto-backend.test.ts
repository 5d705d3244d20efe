import { describe, expect, it } from 'vitest';
import { backendFor } from '../../src/engine/auto-backend.js';
import { batchOf, classifierConfig, mleConfig, scoreMatchingConfig } from './configs.js';

const batch = (parameterization: string, shapeKey = parameterization) => ({
  ...batchOf([classifierConfig({ parameterization }), classifierConfig({ parameterization, seed: 1 })]),
  shapeKey,
});

describe('backend per batch shape', () => {
  it('auto: native where the task and parameterization have a native step', async () => {
    for (const p of ['full', 'tril', 'log-cholesky', 'givens', 'lowrank', 'full-jitter', 'spd-riemannian'])
      expect(await backendFor('auto', batch(p))).toBe('native');
    const sm = {
      ...batchOf([scoreMatchingConfig({ parameterization: 'precision-cholesky', dim: 8 })]),
      shapeKey: 'sm',
    };
    expect(await backendFor('auto', sm)).toBe('native');
    expect(await backendFor('native', batch('tril', 'tril2'))).toBe('native');
  });

  it('auto (tfjs-node absent), elsewhere: cpu when a step is fused ops and at most a mask multiply, else wasm', async () => {
    // The classifier has no native step for a precision factor.
    expect(await backendFor('auto', batch('precision-cholesky'))).toBe('wasm');
    expect(await backendFor('native', batch('precision-cholesky', 'pc2'))).toBe('wasm');
    // mle has no native step.
    const givens = {
      ...batchOf([mleConfig({ parameterization: 'givens', dim: 3 })]),
      shapeKey: 'mle givens',
    };
    expect(await backendFor('auto', givens)).toBe('cpu');
  });

  it('an explicit choice is used as is', async () => {
    expect(await backendFor('wasm', batch('full'))).toBe('wasm');
    expect(await backendFor('cpu', batch('log-cholesky'))).toBe('cpu');
    await expect(backendFor('tensorflow', batch('full'))).rejects.toThrow(/tfjs-node did not load/);
  });
});
