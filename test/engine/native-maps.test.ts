import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { uniform } from './fused.js';
import { bits, randomSpd } from './reference64.js';

const [N, d] = [6, 4];

/** Every parameterization with a native map, with options that differ from the defaults where it has them. */
const CASES: readonly (readonly [string, Record<string, unknown>])[] = [
  ['full', {}],
  ['tril', {}],
  ['log-cholesky', {}],
  ['precision-cholesky', {}],
  ['spd-riemannian', {}],
  ['full-clip', {}],
  ['matrix-exp', {}],
  ['givens', {}],
  ['lowrank', {}],
  ['lowrank', { rank: 3 }],
  ['spherical', {}],
  ['full-jitter', {}],
  ['full-jitter', { jitter: [1e-3, 1e-1], jitter_relative: true }],
  ['softplus-cholesky', { softplus_shift: 1e-3 }],
  ['diag', {}],
];

/**
 * Raw blocks of N random covariances, scaled apart (the last ones small, so that a map that
 * forms Sigma can fail in float32 too), with the values that are unused as zero and the others
 * perturbed; for the maps whose raw block is Sigma, the last two made indefinite (one by a little,
 * which jitter can fix, one by much).
 */
function rawBlocks(name: string, options: Record<string, unknown>): Float32Array {
  const p = parameterization(name, options);
  const rng = seedrandom(`${name} ${JSON.stringify(options)}`);
  const size = p.rawShape(d).reduce((a, b) => a * b, 1);
  const raw = new Float32Array(N * size);
  const noise = uniform(name, N * size, -0.1, 0.1);
  for (let e = 0; e < N; e++) {
    const block = p.fromCovariance(randomSpd(rng, d), d);
    for (let k = 0; k < size; k++) raw[e * size + k] = block[k] + (block[k] === 0 ? 0 : noise[e * size + k]);
  }
  if (FAILING.has(name)) {
    for (let i = 0; i < d; i++) raw[(N - 2) * size + i * d + i] = 0;
    raw[(N - 2) * size + d * d - 1] = -1e-4;
    raw[(N - 1) * size + 0] = -3;
  }
  return raw;
}

/** The parameterizations whose test blocks include one with no factor. */
const FAILING = new Set(['full', 'spd-riemannian', 'full-clip', 'full-jitter']);

describe('native maps give the tfjs factor, checks, counters and gradient bit for bit on cpu', () => {
  beforeAll(() => useBackend('cpu'));

  it.each(CASES)('%s %j', (name, options) => {
    const p = parameterization(name, options);
    const map = nativeMap(name, d, options)!;
    const raw = rawBlocks(name, options);
    const size = raw.length / N;
    expect(map.block ?? d * d).toBe(size);
    const weights = uniform(`${name} weights`, N * d * d, -1, 1);
    for (let e = 0; e < N; e++)
      for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) weights[e * d * d + i * d + j] = 0;
    const want = tf.tidy(() => {
      const rawT = tf.tensor(raw, [N, ...p.rawShape(d)]);
      let out!: ReturnType<typeof p.factor>;
      const { grads } = tf.valueAndGrads((r: tf.Tensor) => {
        out = p.factor(r, d);
        for (const t of [out.factor, out.checks, ...Object.values(out.counters ?? {})]) tf.keep(t);
        return tf.sum(tf.mul(out.factor, tf.tensor3d(weights, [N, d, d])));
      })([rawT]);
      return {
        factor: out.factor.dataSync(),
        checks: out.checks.dataSync(),
        counters: Object.entries(out.counters ?? {}).map(([k, c]) => [k, Array.from(c.dataSync())]),
        grad: grads[0].dataSync(),
      };
    });
    const l = new Float32Array(N * d * d);
    const checks = new Float32Array(N * d);
    const grad = new Float32Array(N * size);
    const counts = (map.counters ?? []).map((k) => [k, [] as number[]]);
    const ok: boolean[] = [];
    for (let e = 0; e < N; e++) {
      ok.push(map.forward(raw, e * size, l, e * d * d, checks, e * d));
      for (const [c, [, v]] of counts.entries()) (v as number[]).push(map.counts![c]);
    }
    for (let e = 0; e < N; e++) if (ok[e]) map.backward(raw, e * size, l, weights, e * d * d, grad);
    expect(bits(l)).toEqual(bits(want.factor));
    expect(bits(checks)).toEqual(bits(want.checks));
    expect(counts).toEqual(want.counters);
    expect(ok.some((v) => !v)).toBe(FAILING.has(name));
    // A zero's sign aside: tfjs's masks give -0 where a map leaves its untouched +0.
    const unsigned = (v: ArrayLike<number>) => Float32Array.from(v, (x) => x + 0);
    for (let e = 0; e < N; e++) {
      // A failed factor has no gradient: tfjs gives zeros, the native step fills them.
      if (!ok[e]) continue;
      expect(bits(unsigned(grad), e * size, size)).toEqual(bits(unsigned(want.grad), e * size, size));
    }
  });
});
