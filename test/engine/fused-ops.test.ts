import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { withPlainOps } from '../../src/engine/ops/fused.js';
import { logDensity } from '../../src/engine/ops/gaussian.js';
import { diagPart } from '../../src/engine/ops/masks.js';
import { full } from '../../src/engine/parameterizations/full.js';
import { givens } from '../../src/engine/parameterizations/givens.js';
import { spherical } from '../../src/engine/parameterizations/spherical.js';
import type { Parameterization } from '../../src/engine/parameterizations/types.js';
import { BACKENDS, useBackend } from './backend.js';
import { expectFusedMatchesPlain, factors, uniform } from './fused.js';

const asPrecision: Parameterization = { ...full, factorOf: 'precision' };

describe.each(BACKENDS)('fused ops match their plain form on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each([full, asPrecision])('factor of the $factorOf', (p) => {
    it.each([
      [1, 1],
      [2, 1],
      [3, 4],
      [8, 3],
    ])('d = %i, m = %i points: value and gradients match the plain form', (d, m) => {
      const n = 5;
      const x = tf.tensor3d(uniform(`x${d}`, n * m * d), [n, m, d]);
      const mu = tf.tensor2d(uniform(`mu${d}`, n * d), [n, d]);
      const l = factors(`l${d}`, n, d);
      // The fused op's gradient for L is its lower triangle; a precision factor's
      // plain matMul also differentiates the upper one, which factor() never fills.
      const lowerOnly = (input: number, i: number) => input !== 2 || i % d <= Math.floor(i / d) % d;
      expectFusedMatchesPlain(
        (a, b, c) => logDensity(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor3D, p),
        [x, mu, l],
        { compare: lowerOnly },
      );
      tf.dispose([x, mu, l]);
    });
  });

  it.each([1, 2, 3, 5, 8, 13])('givens: Sigma and its gradient by raw match the plain form, d = %i', (d) => {
    const n = 4;
    // Angles over several turns and log-eigenvalues in [-2, 2): rotations far from the identity.
    const v = uniform(`givens${d}`, n * d * d, -2, 2).map((x, i) => ((i % (d * d)) % (d + 1) ? 3 * x : x));
    const raw = tf.tensor3d(v, [n, d, d]);
    expectFusedMatchesPlain((r) => givens.factor(r, d).factor, [raw]);
    raw.dispose();
  });

  it.each([1, 2, 3, 5, 8, 13])('spherical: L and its gradient by raw match the plain form, d = %i', (d) => {
    // Angles' phi in [-4, 4): theta from near 0 to near pi; log-lengths in [-1, 1).
    const v = uniform(`spherical${d}`, 4 * d * d).map((x, i) => ((i % (d * d)) % (d + 1) ? 4 * x : x));
    const raw = tf.tensor3d(v, [4, d, d]);
    expectFusedMatchesPlain((r) => spherical.factor(r, d).factor, [raw]);
    raw.dispose();
  });

  it('spherical at extreme angles: float64 sines stay positive where the plain float32 ones go negative', () => {
    const lastDiagonal = (phi: number) => {
      const raw = tf.tensor3d([0, 0, 0, 0, phi, 0, 0, 0, phi, phi, 0, 0, phi, phi, phi, 0], [1, 4, 4]);
      const l = spherical.factor(raw, 4).factor.dataSync();
      return [l[5], l[15]]; // L_22 = sin(theta), L_44 = its cube
    };
    const [l22, l44] = lastDiagonal(40);
    expect(l22).toBeCloseTo(6.123e-17, 20);
    expect(l44).toBe(0); // underflows float32: reported as a failure
    const [plain22] = withPlainOps(() => lastDiagonal(40));
    expect(plain22).toBeLessThan(0);
  });

  it('diagPart: value and gradient', () => {
    const m = tf.tensor3d(uniform('m', 4 * 9), [4, 3, 3]);
    expectFusedMatchesPlain((a) => diagPart(a as tf.Tensor3D), [m]);
  });

  it('is NaN where a factor diagonal is not positive, as the plain form', () => {
    const l = tf.tensor3d([1, 0, 0.5, -0.1], [1, 2, 2]);
    const value = logDensity(tf.zeros([1, 1, 2]), tf.zeros([1, 2]), l, full);
    expect(Number.isNaN(value.dataSync()[0])).toBe(true);
  });
});
