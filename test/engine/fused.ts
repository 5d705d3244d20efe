import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { expect } from 'vitest';
import { withPlainOps } from '../../src/engine/ops/fused.js';

/** Seeded uniform values in [lo, hi). */
export function uniform(seed: string, n: number, lo = -1, hi = 1): Float32Array {
  const rng = seedrandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.double());
}

/** Lower-triangular factors [n, d, d] with diagonals in [0.5, 1.5): well away from singular. */
export function factors(seed: string, n: number, d: number): tf.Tensor3D {
  const v = uniform(seed, n * d * d, -0.5, 0.5);
  for (let e = 0; e < n; e++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const k = e * d * d + i * d + j;
        if (j > i) v[k] = 0;
        else if (j === i) v[k] += 1;
      }
  return tf.tensor3d(v, [n, d, d]);
}

/**
 * Value of f and the gradient of sum(f * weights) with respect to every
 * input, in the fused form and in the plain form, compared: they must agree
 * to float32 precision relative to each tensor's largest entry. `mask` picks
 * which gradient entries are compared (the plain form may have entries that
 * the fused op leaves out, such as a factor's upper triangle).
 */
export function expectFusedMatchesPlain(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  o: { tolerance?: number; compare?: (input: number, index: number) => boolean } = {},
) {
  const run = () =>
    tf.tidy(() => {
      let value: number[] = [];
      const { grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
        const out = f(...xs);
        value = Array.from(out.dataSync());
        const w = tf.tensor(uniform('weights', out.size, 0.5, 1.5), out.shape);
        return tf.sum(tf.mul(out, w)) as tf.Scalar;
      })(inputs);
      return [value, ...grads.map((t) => Array.from(t.dataSync()))];
    });
  const fusedResult = run();
  const plainResult = withPlainOps(run);
  const tolerance = o.tolerance ?? 2e-5;
  fusedResult.forEach((got, t) => {
    const want = plainResult[t];
    expect(got.length).toBe(want.length);
    const scale = Math.max(1, ...want.map(Math.abs));
    got.forEach((v, i) => {
      if (t > 0 && o.compare && !o.compare(t - 1, i)) return;
      if (Math.abs(v - want[i]) > tolerance * scale)
        expect.fail(`${t === 0 ? 'value' : `gradient ${t - 1}`}[${i}]: fused ${v}, plain ${want[i]}`);
    });
  });
}
