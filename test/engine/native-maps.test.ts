import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { uniform } from './fused.js';
import { bits, randomSpd } from './reference64.js';

const N = 6;

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
function rawBlocks(name: string, options: Record<string, unknown>, d: number): Float32Array {
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

  it.each(CASES)('%s %j', (name, options) => agrees(name, options, 4));

  // From d = 8 on, log-cholesky's map copies whole blocks and zeroes the upper triangle: the raw
  // blocks' upper triangles (unused: their gradient is zero) hold garbage here.
  it.each(['log-cholesky', 'precision-cholesky'])('%s at d = 9', (name) => agrees(name, {}, 9, true));
});

/** The native map of `name` at d against the tfjs factor: factor, checks, counters, gradient, in place too. */
function agrees(name: string, options: Record<string, unknown>, d: number, upperGarbage = false) {
  const p = parameterization(name, options);
  const map = nativeMap(name, d, options)!;
  const raw = rawBlocks(name, options, d);
  if (upperGarbage)
    for (let k = 0; k < raw.length; k++) if (k % d > Math.floor((k % (d * d)) / d)) raw[k] = 7 + k;
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
  // dL's upper triangle is not the maps' to read: garbage there.
  const dl = weights.map((v, k) => (k % d > Math.floor((k % (d * d)) / d) ? 7 + k : v));
  for (let e = 0; e < N; e++) if (ok[e]) map.backward(raw, e * size, l, dl, e * d * d, grad);
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
  if (!map.inPlace) return;
  // In place, as the native step calls it (NativeMap.inPlace): on the raw block itself the
  // forward writes the checks only and the raw block's lower triangle is the factor; the
  // backward into the gradient block that holds dL leaves it as the gradient. The upper
  // triangles of the raw blocks are not zero.
  const own = raw.map((v, k) => (k % d > Math.floor((k % (d * d)) / d) ? 7 + k : v));
  const ownChecks = new Float32Array(N * d);
  for (let e = 0; e < N; e++) expect(map.forward(own, e * size, own, e * size, ownChecks, e * d)).toBe(true);
  expect(bits(ownChecks)).toEqual(bits(want.checks));
  for (let k = 0; k < own.length; k++)
    if (k % d <= Math.floor((k % (d * d)) / d)) expect(own[k]).toBe(want.factor[k]);
    else expect(own[k]).toBe(7 + k);
  const ownDl = weights.slice();
  for (let e = 0; e < N; e++) map.backward(own, e * size, own, ownDl, e * size, ownDl);
  expect(bits(unsigned(ownDl))).toEqual(bits(unsigned(want.grad)));
}
