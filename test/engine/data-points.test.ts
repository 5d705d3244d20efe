import { beforeAll, describe, expect, it } from 'vitest';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { task } from '../../src/engine/tasks/index.js';
import { useBackend } from './backend.js';
import { classifierConfig, scoreMatchingConfig } from './configs.js';

/** Column means of row-major [n, d] points. */
function means(points: Float64Array, d: number): number[] {
  const n = points.length / d;
  return Array.from(
    { length: d },
    (_, j) => points.filter((_, i) => i % d === j).reduce((a, b) => a + b) / n,
  );
}

describe('Task.dataPoints: the points a run trains on, without tfjs', () => {
  beforeAll(() => useBackend('cpu'));

  it('classifier: n_per_class points per unit, in unit order, drawn around the true means', () => {
    const config = classifierConfig({ seed: 4 });
    const { points, units } = task('mvn-classifier').dataPoints!(config);
    expect(points).toHaveLength(400 * 2);
    expect(units.slice(198, 202)).toEqual([0, 0, 1, 1]);
    // Seed 000's means, (-0.5, 0.25) and (-0.25, -0.6); the spread is about 0.1 to 0.25.
    expect(means(points.subarray(0, 400), 2).map((m) => m.toFixed(1))).toEqual(['-0.5', '0.3']);
    expect(means(points.subarray(400), 2).map((m) => m.toFixed(1))).toEqual(['-0.3', '-0.6']);
    expect(task('mvn-classifier').dataPoints!(config)).toEqual({ points, units });
  });

  it('score-matching: the very points of the loss, whose mean is the optimum the metrics measure against', () => {
    const config = scoreMatchingConfig({ seed: 3, dim: 2 });
    const { points } = task('score-matching').dataPoints!(config);
    expect(points).toHaveLength(50 * 2);
    const p = parameterization('log-cholesky');
    const batch = task('score-matching').create([config], p);
    try {
      const raw = Float64Array.from(p.fromCovariance(Float64Array.from([1, 0, 0, 1]), 2));
      const metrics = batch.metrics(0, [Float64Array.from(means(points, 2)), raw]);
      // The engine's optimum comes from the same points in float32.
      expect(metrics.opt_mean_error).toBeLessThan(1e-7);
    } finally {
      batch.dispose();
    }
  });
});
