import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { gram } from '../../src/ground/dense64.js';
import { triangularGram } from '../../src/ground/triangular-bounds.js';

describe('triangularGram', () => {
  it('is dense64 gram bit for bit on finite lower-triangular factors, d = 1..20', () => {
    const rng = stream(3, 'triangular gram');
    for (let d = 1; d <= 20; d++)
      for (const scale of [1, 1e-160, 1e150]) {
        const l = new Float64Array(d * d);
        // Entries of mixed sign and size, some zero (sums that cancel to zero, products that underflow).
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++)
            l[i * d + j] = (j % 3 === 1 ? 0 : rng.normal() * 10 ** (4 * rng.normal())) * scale;
        const out = new Float64Array(d * d).fill(7);
        expect(triangularGram(l, d, out)).toBe(true);
        const reference = gram(l, d);
        for (let k = 0; k < d * d; k++)
          if (!Object.is(out[k], reference[k])) expect([d, k, out[k]]).toEqual([d, k, reference[k]]);
      }
  });

  it('declines a factor with a non-finite entry (gram then decides), leaving out alone', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const l = new Float64Array([1, 0, 0, bad, 1, 0, 2, 3, 1]);
      const out = new Float64Array(9).fill(7);
      expect(triangularGram(l, 3, out)).toBe(false);
      expect([...out]).toEqual(new Array(9).fill(7));
    }
  });
});
