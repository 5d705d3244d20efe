import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { laneParams } from '../../src/engine/train/final-params.js';
import { laneParamsJson } from '../../src/engine/train/params-json.js';
import { paramsJson } from '../../src/engine/train/record.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { jsonText, lineTail, withoutParams } from '../../src/results/line.js';
import type { RunResult } from '../../src/types.js';
import { batchOf, classifierConfig } from './configs.js';
import { words } from './words.js';

// assembly/shortest-json.ts writes a lane's final parameters' JSON from its float32 values; it must
// be the text JSON.stringify writes of final-params.ts's nesting (shortestFloat32 of each value),
// character for character, or say it cannot (undefined), never a different text.

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
const ofBits = (w: number) => {
  bits[0] = w;
  return asFloat[0];
};
const bitsOf = (f: number) => {
  asFloat[0] = f;
  return bits[0];
};

/**
 * `n` finite float32s of five kinds: any bit pattern (every exponent, subnormals), small
 * decimals scaled to 1e-30 and less (trained factors' tiny entries), values at and beside powers
 * of ten (where log10 lands on either side), binary fractions of every size, and decimals of few
 * digits (products that are exact halves).
 */
function samples(n: number, seed: number): Float32Array {
  const next = words(seed);
  const unit = () => next() / 2 ** 32;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    switch (i % 5) {
      case 0:
        v = ofBits(next());
        break;
      case 1:
        v = (unit() - 0.5) * 10 ** -(next() % 40);
        break;
      case 2:
        v = ofBits(bitsOf(10 ** ((next() % 84) - 45)) + (next() % 5) - 2) * (next() % 2 ? 1 : -1);
        break;
      case 3:
        v = (unit() - 0.5) * 2 ** ((next() % 80) - 40);
        break;
      default:
        v = Math.round(unit() * 10 ** (next() % 9)) / 10 ** (next() % 14);
    }
    out[i] = Number.isFinite(v) ? v : 0.5;
  }
  return out;
}

const scalar = [{ name: 'x', group: 'weights' as const, shape: [] as number[], init: new Float32Array(0) }];

describe("a lane's final parameters as JSON, written on WebAssembly", () => {
  it('is JSON.stringify of the nested shortest float32s, value by value, or undefined', () => {
    const values = samples(200_000, 2024);
    let written = 0;
    let differing = 0;
    for (let b = 0; b < values.length; b++) {
      const got = laneParamsJson(scalar, [values], b);
      if (got === undefined) continue;
      written++;
      if (got !== JSON.stringify(laneParams(scalar, [values], b))) differing++;
    }
    expect(differing).toBe(0);
    // Undefined only where JavaScript itself reads a string (or the value is out of the range kept).
    expect(written).toBeGreaterThan(0.9 * values.length);
  });

  it('nests groups of every depth as JSON does, zeros and negative zeros included', () => {
    const next = words(7);
    const shapes = [[2, 16], [2, 16, 16], [2, 2], [], [3], [1, 1, 5], [7, 3, 2, 2]];
    const groups = shapes.map((shape, i) => ({
      name: `g"${i}`,
      group: 'cov' as const,
      shape,
      init: new Float32Array(0),
    }));
    const lanes = 3;
    const values = shapes.map((shape) => {
      const size = shape.reduce((x, y) => x * y, 1);
      return Float32Array.from({ length: lanes * size }, (_, i) =>
        i % 11 === 0 ? 0 : i % 13 === 0 ? -0 : (next() / 2 ** 32 - 0.5) * 10 ** -(next() % 9),
      );
    });
    for (let b = 0; b < lanes; b++) {
      const got = laneParamsJson(groups, values, b);
      expect(got).toBeDefined();
      expect(got).toBe(JSON.stringify(laneParams(groups, values, b)));
    }
  });

  it('leaves a lane with a non-finite value, or values that are not float32s, to JSON.stringify', () => {
    const groups = [{ name: 'w', group: 'weights' as const, shape: [2], init: new Float32Array(0) }];
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(laneParamsJson(groups, [Float32Array.of(1, 2, 0.5, bad)], 1)).toBeUndefined();
    expect(laneParamsJson(groups, [Float32Array.of(1, 2, 0.5, 3)], 1)).toBe('{"w":[0.5,3]}');
    expect(laneParamsJson(groups, [[1, 2]], 0)).toBeUndefined();
  });
});

describe("a result's final parameters, made when first read", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  // dim 2: gaussians follow params among the keys; lr 1e4 fails its run.
  const results = () =>
    trainBatch(
      batchOf([
        classifierConfig({ parameterization: 'full', lr: 1e-4, epochs: 1 }),
        classifierConfig({ parameterization: 'full', lr: 1e4, epochs: 1, seed: 2 }),
      ]),
    );

  it('gives the line the text of its params without making them, the same as once they are made', () => {
    const lazy = results();
    const made = results();
    for (const r of made) expect(r.params).toBeDefined();
    expect(made[0].outcome).toBe('ok');
    expect(made[1].outcome).not.toBe('ok');
    expect(paramsJson(lazy[0])).toBeDefined();
    lazy.forEach((r, b) => {
      made[b].seconds = r.seconds;
      // Undefined only where a value is not finite (JSON writes null there).
      const text = paramsJson(r);
      if (text !== undefined) expect(text).toBe(JSON.stringify(made[b].params));
      const tail = lineTail(r);
      // Made now: the text of the whole result as JSON writes it, without id and config.
      const { id: _id, config: _config, ...rest } = made[b];
      expect(tail).toBe(`,${jsonText(rest).slice(1, -1)}`);
      expect(paramsJson(r)).toBe(text);
      // Posted without them, in their place among the keys; read here, they are the same.
      const posted = withoutParams(r);
      expect(Object.keys(posted)).toEqual(Object.keys(made[b]));
      expect(posted.params).toBeUndefined();
      expect(paramsJson(r)).toBe(text);
      expect(structuredClone(r)).toEqual(made[b]);
      // Once made, params are a plain value and the text comes from JSON again.
      expect(paramsJson(r)).toBeUndefined();
      expect(lineTail(r)).toBe(tail);
    });
  });

  it('keeps a result that never had params as it is', () => {
    const r = { id: 'a', config: classifierConfig(), step: 1 } as unknown as RunResult;
    expect(withoutParams(r)).toBe(r);
  });
});
