import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { diagPart } from '../../src/engine/ops/masks.js';
import { fullJitter, makeFullJitter } from '../../src/engine/parameterizations/full-jitter.js';
import type { Parameterization } from '../../src/engine/parameterizations/types.js';
import { cholesky64 } from '../../src/ground/dense64.js';
import { BACKENDS, useBackend } from './backend.js';
import { bits, mismatches } from './reference64.js';

// Pivot 2 of [[1 + j, 1], [1, 1 - 5e-6 + j]] is about 2j - 5e-6: jitter 1e-6 is not enough, 1e-5 is.
const NEEDS_1E5 = [1, 1, 1, 1 - 5e-6];
// Pivot 2 of [[1, 2], [2, 1]] is -3: no jitter up to 1e-4 helps.
const HOPELESS = [1, 2, 2, 1];
const PD = [2, 0.5, 0.5, 1];

function factor(p: Parameterization, mats: number[][]) {
  return tf.tidy(() => {
    const out = p.factor(tf.tensor3d(mats.flat(), [mats.length, 2, 2]), 2);
    return {
      factor: out.factor.dataSync(),
      checks: out.checks.dataSync(),
      retries: out.counters!.cholesky_retries.dataSync(),
    };
  });
}

const plus = (m: number[], j: number) => [m[0] + j, m[1], m[2], m[3] + j];

describe.each(BACKENDS)('full-jitter on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('retries with 1e-6, 1e-5, 1e-4 and takes the first factor that exists, counting retries', () => {
    const { factor: l, checks, retries } = factor(fullJitter, [PD, NEEDS_1E5, HOPELESS]);
    expect(Array.from(retries)).toEqual([0, 2, 3]);
    expect(mismatches(l.slice(0, 4), cholesky64(PD, 2)!, 1e-6)).toEqual([]);
    const jittered = plus(NEEDS_1E5.map(Math.fround), Math.fround(1e-5)).map(Math.fround);
    expect(mismatches(l.slice(4, 8), cholesky64(jittered, 2)!, 1e-3)).toEqual([]);
    // Every retry failed: the last attempt's pivots say so, as a failed Cholesky.
    expect(checks[4]).toBe(Math.fround(1 + Math.fround(1e-4)));
    expect(checks[5]).toBeLessThan(0);
    // The float64 reference is the covariance the loss used: P plus the jitter that worked.
    expect(mismatches(fullJitter.covariance(NEEDS_1E5, 2), plus(NEEDS_1E5, 1e-5), 1e-12)).toEqual([]);
    expect(Array.from(fullJitter.covariance(HOPELESS, 2))).toEqual(HOPELESS);
  });

  it('relative jitter scales with the mean diagonal', () => {
    // 100 times NEEDS_1E5: absolute 1e-4 falls short; relative 1e-5 * mean diagonal (about 1e-3) works.
    const big = NEEDS_1E5.map((v) => 100 * v);
    expect(Array.from(factor(fullJitter, [big]).retries)).toEqual([3]);
    const relative = makeFullJitter({ jitter: [1e-6, 1e-5, 1e-4], relative: true });
    const { checks, retries } = factor(relative, [big]);
    expect(Array.from(retries)).toEqual([2]);
    expect(Array.from(checks).every((c) => c > 0)).toBe(true);
    expect(mismatches(relative.covariance(big, 2), plus(big, (1e-5 * (big[0] + big[3])) / 2), 1e-12)).toEqual(
      [],
    );
    // A non-positive mean diagonal cannot be helped by a jitter proportional to it: no retry.
    expect(Array.from(factor(relative, [[-1, 0, 0, 0.5]]).retries)).toEqual([0]);
  });

  it("an element's result and gradient do not depend on its neighbours' retries", () => {
    const mats = [PD, NEEDS_1E5, HOPELESS, [1, -0, -0, 1]];
    const grad = (ms: number[][]) =>
      tf.tidy(() => {
        const f = (raw: tf.Tensor) => tf.sum(tf.log(diagPart(fullJitter.factor(raw, 2).factor)));
        return tf
          .grad(f)(tf.tensor3d(ms.flat(), [ms.length, 2, 2]))
          .dataSync();
      });
    const batch = factor(fullJitter, mats);
    const g = grad([PD, NEEDS_1E5]);
    mats.forEach((m, e) => {
      const alone = factor(fullJitter, [m]);
      expect(bits(batch.factor, e * 4, 4), `factor ${e}`).toEqual(bits(alone.factor));
      expect(bits(batch.checks, e * 2, 2), `checks ${e}`).toEqual(bits(alone.checks));
    });
    expect(bits(g, 0, 4)).toEqual(bits(grad([PD])));
    expect(bits(g, 4, 4)).toEqual(bits(grad([NEEDS_1E5])));
  });
});
