import { describe, expect, it } from 'vitest';
import { backendFor } from '../../src/engine/auto-backend.js';
import { batchOf, classifierConfig, scoreMatchingConfig } from './configs.js';

const batch = (parameterization: string, shapeKey = parameterization) => ({
  ...batchOf([classifierConfig({ parameterization }), classifierConfig({ parameterization, seed: 1 })]),
  shapeKey,
});

describe('backend per batch shape', () => {
  it('auto (tfjs-node absent): cpu when a step is fused ops and at most a mask multiply, else wasm', async () => {
    expect(await backendFor('auto', batch('full'))).toBe('cpu');
    expect(await backendFor('auto', batch('tril'))).toBe('cpu');
    // exp, adds and masks on every factor entry: wasm runs those faster.
    expect(await backendFor('auto', batch('log-cholesky'))).toBe('wasm');
    const sm = {
      ...batchOf([scoreMatchingConfig({ parameterization: 'log-cholesky', dim: 8 })]),
      shapeKey: 'sm',
    };
    expect(await backendFor('auto', sm)).toBe('wasm');
  });

  it('an explicit choice is used as is', async () => {
    expect(await backendFor('wasm', batch('full'))).toBe('wasm');
    expect(await backendFor('cpu', batch('log-cholesky'))).toBe('cpu');
    await expect(backendFor('tensorflow', batch('full'))).rejects.toThrow(/tfjs-node did not load/);
  });
});
