import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { decimalDigits, laneParams, nested, shortestFloat32 } from '../../src/engine/train/final-params.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { resultLine } from '../../src/results/jsonl.js';
import type { NestedValues } from '../../src/types.js';
import { batchOf, classifierConfig, scoreMatchingConfig } from './configs.js';

beforeAll(async () => {
  await useBackend('wasm');
});

/** The finite float32s of `n` pseudo-random bit patterns (every exponent, subnormals included). */
function randomFloat32s(n: number, seed: number): number[] {
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bits[0] = state;
    return asFloat[0];
  }).filter(Number.isFinite);
}

describe('final parameters on record', () => {
  it('writes each float32 as the shortest decimal that reads back as it', () => {
    // The values, then float32s of random bit patterns (finite ones), all digit counts.
    const random = randomFloat32s(3000, 12345);
    const samples = [
      0.02,
      0.1414213562373095,
      -3.4028234663852886e38,
      1e-45,
      1 / 3,
      123456.7,
      7,
      0,
      ...random,
    ];
    for (const v of samples) {
      const f = Math.fround(v);
      const s = shortestFloat32(f);
      expect(Math.fround(s)).toBe(f);
      // No shorter decimal reads back as the same float32.
      const digits = s.toExponential().split('e')[0].replace(/[-.]/g, '').length;
      if (digits > 1) expect(Math.fround(Number(f.toPrecision(digits - 1)))).not.toBe(f);
    }
    expect(shortestFloat32(Math.fround(0.02))).toBe(0.02);
    expect(shortestFloat32(Number.NaN)).toBeNaN();
    expect(nested([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(nested([1, 2, 3, 4, 5, 6, 7, 8], [2, 2], 4)).toEqual([
      [5, 6],
      [7, 8],
    ]);
  });

  it('gives the decimal that the fewest toPrecision digits reading back as the float32 give', () => {
    // Random bit patterns (every exponent), and a trained factor's tiny entries, 1e-15 to 1e-30,
    // whose digits are found without toPrecision.
    const tiny = randomFloat32s(20000, 4242).map((v, i) => Math.fround((v % 1) * 10 ** -(15 + (i % 16))));
    let differing = 0;
    for (const f of [...randomFloat32s(20000, 31), ...tiny].filter((v) => v !== 0 && Number.isFinite(v))) {
      let k = 1;
      while (Math.fround(Number(f.toPrecision(k))) !== f) k++;
      if (!Object.is(shortestFloat32(f), Number(f.toPrecision(k)))) differing++;
    }
    expect(differing).toBe(0);
  });

  it("nests a lane's groups as the recursive reading of each value did, tiny values included", () => {
    // The nesting as it was written before (a closure per level and a recursion per value).
    const recursive = (values: ArrayLike<number>, shape: number[], at = 0): NestedValues => {
      if (shape.length === 0) return shortestFloat32(values[at]);
      const [n, ...rest] = shape;
      const stride = rest.reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => recursive(values, rest, at + i * stride));
    };
    // Trained factors hold entries of 1e-17 and less beside ones near 1.
    const values = Float32Array.from(randomFloat32s(100, 99), (v, i) => (i % 3 ? v : v * 1e-20));
    const groups = [
      { name: 'means', group: 'mean' as const, shape: [2, 3], init: new Float32Array(0) },
      { name: 'covariance', group: 'cov' as const, shape: [2, 3, 4], init: new Float32Array(0) },
      { name: 'scalar', group: 'weights' as const, shape: [], init: new Float32Array(0) },
    ];
    const sizes = [6, 24, 1];
    const lanes = 2;
    const lanesOf = sizes.map((n, g) => values.slice(g * 40, g * 40 + lanes * n));
    expect(lanesOf.map((v) => v.length)).toEqual([12, 48, 2]);
    for (let b = 0; b < lanes; b++) {
      const got = laneParams(groups, lanesOf, b);
      expect(Object.keys(got)).toEqual(['means', 'covariance', 'scalar']);
      groups.forEach((g, i) => {
        expect(got[g.name]).toStrictEqual(recursive(lanesOf[i], g.shape, b * sizes[i]));
      });
    }
  });

  it("reads k digits of a float32 as toPrecision's decimal does, at every k and exponent", () => {
    // Random bit patterns, then values at and beside powers of ten, and decimals with few digits
    // whose scaled products are exact halves.
    const random = randomFloat32s(40000, 777).filter((v) => v !== 0);
    const bits = new Uint32Array(1);
    const near = Array.from({ length: 77 }, (_, i) => Math.fround(10 ** (i - 38))).flatMap((f) => {
      bits[0] = new Uint32Array(Float32Array.of(f).buffer)[0];
      const up = new Float32Array(Uint32Array.of(bits[0] + 1).buffer)[0];
      const down = new Float32Array(Uint32Array.of(bits[0] - 1).buffer)[0];
      return [f, up, down, -f];
    });
    const halves = [0.5, 1.5, 2.5, 0.125, 0.375, 12.5, 1.25e-3, 3.0517578125e-5, 4503599.5].map(Math.fround);
    let differing = 0;
    for (const f of [...random, ...near, ...halves])
      for (let k = 1; k <= 9; k++) if (!Object.is(decimalDigits(f, k), Number(f.toPrecision(k)))) differing++;
    expect(differing).toBe(0);
  });

  it('every run records every parameter group, nested to its shape, failed runs at their failure step', () => {
    const [ok, failed] = trainBatch(
      batchOf([
        classifierConfig({ parameterization: 'tril', lr: 1e-4, epochs: 1 }),
        classifierConfig({ parameterization: 'tril', lr: 10, epochs: 1 }),
      ]),
    );
    expect(ok.outcome).toBe('ok');
    expect(failed.outcome).not.toBe('ok');
    for (const r of [ok, failed]) {
      const { means, covariance, weights } = r.params as Record<string, number[][][]>;
      expect(Object.keys(r.params!)).toEqual(['means', 'covariance', 'weights']);
      expect([means.length, means[0].length]).toEqual([2, 2]);
      expect([covariance.length, covariance[0].length, covariance[0][0].length]).toEqual([2, 2, 2]);
      expect([weights.length, weights[0].length]).toEqual([2, 2]);
      // tril's raw upper triangle is never used, so never moves from 0.
      expect(covariance[0][0][1]).toBe(0);
      // The learned covariance the metrics describe is this raw block's L L^T, read back as float32.
      const l = covariance[0].map((row) => row.map(Math.fround));
      const sigma = r.gaussians!.learned.covariances[0];
      expect(sigma[1][1]).toBeCloseTo(l[1][0] ** 2 + l[1][1] ** 2, 12);
    }
    // The weights trained: not the zeros they started at.
    expect((ok.params!.weights as number[][]).flat().some((w) => w !== 0)).toBe(true);
  });

  it('stays compact: a 16-D score-matching run adds about 10 bytes a parameter', () => {
    const [r] = trainBatch(
      batchOf([scoreMatchingConfig({ dim: 16, iterations: 20, parameterization: 'tril' })]),
    );
    const parameters = 16 + 16 * 16;
    const { params: _, ...without } = r;
    const added = resultLine(r).length - resultLine(without as typeof r).length;
    expect(added / parameters).toBeLessThan(11);
  });
});
