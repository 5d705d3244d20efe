import { describe, expect, it } from 'vitest';
import { gaussianRowsWasm } from '../../src/data/gaussian-rows-wasm.js';
import { transformRows } from '../../src/data/gaussian-sample.js';
import { cholesky64, gram } from '../../src/ground/dense64.js';
import { bits } from './reference-stream.js';

/** A small deterministic generator of numbers in [-2, 2), for inputs only. */
function numbers(seed: number) {
  let x = seed * 2654435761 + 1;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648) * 4 - 2;
  };
}

describe("the Gaussian draws' transform on WebAssembly", () => {
  const wasm = gaussianRowsWasm();

  it('is built and loads (dist/gaussian-rows.wasm)', () => {
    expect(wasm).toBeDefined();
  });

  it("gives transformRows's numbers bit for bit: any d, row counts around its blocks of four (and the reference's eight), at any offset, the rest of the buffer untouched", () => {
    for (const d of [1, 2, 3, 4, 7, 8, 9, 16, 17, 33]) {
      const next = numbers(d);
      const l = cholesky64(gram(Float64Array.from({ length: d * d }, next), d), d)!;
      // Random entries above the diagonal too: neither side may read them.
      for (let a = 0; a < d; a++) for (let k = a + 1; k < d; k++) l[a * d + k] = next();
      const mean = Float64Array.from({ length: d }, next);
      for (const n of [0, 1, 3, 4, 5, 8, 9, 12, 33, 200]) {
        const at = 3;
        const z = Float64Array.from({ length: at + n * d + 2 }, next);
        const want = z.slice();
        transformRows(want, at, n, d, mean, l);
        const got = z.slice();
        wasm!.transform(got, at, n, d, mean, l);
        expect(bits(got)).toEqual(bits(want));
      }
    }
  });

  it('grows its memory for a large call and stays right for smaller ones after it', () => {
    const d = 40;
    const next = numbers(7);
    const l = cholesky64(gram(Float64Array.from({ length: d * d }, next), d), d)!;
    const mean = Float64Array.from({ length: d }, next);
    for (const n of [2000, 3]) {
      const z = Float64Array.from({ length: n * d }, next);
      const want = z.slice();
      transformRows(want, 0, n, d, mean, l);
      wasm!.transform(z, 0, n, d, mean, l);
      expect(bits(z)).toEqual(bits(want));
    }
  });
});
