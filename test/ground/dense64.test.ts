import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricFunction } from '../../src/ground/dense64.js';
import { mismatches, randomSpd } from '../engine/reference64.js';

/** V diag(values) V^T and V^T V. */
function rebuild(values: Float64Array, v: Float64Array, d: number) {
  const a = new Float64Array(d * d);
  const vtv = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++)
      for (let k = 0; k < d; k++) {
        a[i * d + j] += v[i * d + k] * values[k] * v[j * d + k];
        vtv[i * d + j] += v[k * d + i] * v[k * d + j];
      }
  return { a, vtv };
}

const identity = (d: number) => Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0));

describe('symmetric eigendecomposition (float64 reference side)', () => {
  it.each([1, 2, 3, 5, 8, 16])('rebuilds A from orthonormal eigenvectors, d = %i', (d) => {
    const a = randomSpd(seedrandom(`eigen-${d}`), d);
    const { values, vectors } = symmetricEigen(a, d);
    const { a: rebuilt, vtv } = rebuild(values, vectors, d);
    expect(mismatches(rebuilt, a, 1e-12)).toEqual([]);
    expect(mismatches(vtv, identity(d), 1e-13)).toEqual([]);
  });

  it('handles repeated eigenvalues: c I and a doubly repeated one', () => {
    const c = symmetricEigen(
      identity(3).map((v) => 0.02 * v),
      3,
    );
    expect(Array.from(c.values)).toEqual([0.02, 0.02, 0.02]);
    expect(Array.from(c.vectors)).toEqual(Array.from(identity(3)));
    // Eigenvalues 1, 3, 3.
    const a = Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 3]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(Array.from(values).sort()).toEqual([1, 3, 3].map((v) => expect.closeTo(v, 14)));
    expect(mismatches(rebuild(values, vectors, 3).a, a, 1e-14)).toEqual([]);
  });

  it('exp and log through it are inverse to each other', () => {
    const a = randomSpd(seedrandom('eigen-exp-log'), 5);
    expect(mismatches(symmetricFunction(symmetricFunction(a, 5, Math.log), 5, Math.exp), a, 1e-13)).toEqual(
      [],
    );
  });
});
