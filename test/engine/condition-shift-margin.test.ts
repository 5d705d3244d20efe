import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { offSquares, shiftSums } from '../../src/engine/native/condition-bound.js';
import { ConditionWasm } from '../../src/engine/native/condition-wasm.js';
import { wasmKernelsFor } from '../../src/engine/ops/wasm.js';

// Tier 2's pass sums its squares below the diagonal in float32 (assembly/condition.ts, four columns
// an instruction) and widens the sum by the margin condition-bound.ts `offSquares` proves. Here
// that margin against the exact sum (every float is an integer times 2^-1074, so BigInt holds the
// sum exactly) on blocks built to round badly: cancellation, long sums of equal terms, squares
// that underflow, mixed magnitudes, an anchor that float32 cannot hold (the twin's); and the
// kernel gives the twin's bits on them.

const SCALE = 1074n;

/** x exactly, as an integer times 2^-1074 (x finite). */
function exact(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = (bits >> 52n) & 0x7ffn;
  const fraction = bits & ((1n << 52n) - 1n);
  if (exponent === 0n) return sign * fraction;
  return sign * ((fraction | (1n << 52n)) << (exponent - 1n));
}

/** sum_{j < i} (m_ij - a_ij)^2 exactly, times 2^2148. */
function exactOff(m: Float32Array, a: Float64Array, d: number): bigint {
  let s = 0n;
  for (let i = 1; i < d; i++)
    for (let j = 0; j < i; j++) {
      const t = exact(m[i * d + j]) - exact(a[i * d + j]);
      s += t * t;
    }
  return s;
}

/** The bound holds, and is within its stated margin (plus the underflow term) of the exact sum. */
function expectBound(m: Float32Array, a: Float64Array, d: number): number {
  const bound = offSquares(m, 0, a, d);
  const s = exactOff(m, a, d);
  expect(Number.isFinite(bound)).toBe(true);
  const b = exact(bound) << SCALE;
  expect(s <= b, `d = ${d}: the exact sum ${s} is above the bound ${b}`).toBe(true);
  const n = BigInt((d * (d - 1)) / 2);
  // Not loose: at most 4 (n + 8) 2^-24 relative above it, plus 4 n 2^-149 2^-64.
  const slack = (s * 4n * (n + 8n)) >> 24n;
  const floor = (4n * n) << (2n * SCALE - 213n);
  expect(b <= s + slack + floor, `d = ${d}: the bound is looser than its margin`).toBe(true);
  return bound;
}

function lowerOf(d: number, f: (i: number, j: number) => number): Float32Array {
  const m = new Float32Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) m[i * d + j] = f(i, j);
  return m;
}

/** The anchor for m: m's entries moved by `move`, rounded to float32 unless `wide`. */
function anchorOf(
  m: Float32Array,
  d: number,
  move: (x: number, i: number, j: number) => number,
  wide = false,
) {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const x = move(m[i * d + j], i, j);
      a[i * d + j] = wide ? x : Math.fround(x);
    }
    a[i * d + i] = 1;
  }
  return a;
}

describe("tier 2's float32 pass below the diagonal", () => {
  const rng = stream(7, 'condition-shift-margin');
  const cases: [string, number, () => [Float32Array, Float64Array]][] = [];
  for (const d of [3, 5, 7, 8, 17, 64]) {
    cases.push([
      'random entries, a small random move',
      d,
      () => {
        const m = lowerOf(d, () => rng.normal());
        return [m, anchorOf(m, d, (x) => x * (1 + 1e-3 * rng.normal()))];
      },
    ]);
    cases.push([
      'cancellation: every entry one float32 step from its anchor',
      d,
      () => {
        const m = lowerOf(d, () => 1e6 * rng.normal());
        return [m, anchorOf(m, d, (x) => x + Math.abs(x) * 2 ** -23)];
      },
    ]);
    cases.push([
      'equal terms, each square and each addition rounding down',
      d,
      () => {
        // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 rounds down to 1 + 2^-11; the sums then drop bits too.
        const m = lowerOf(d, () => 1 + 2 ** -12);
        return [m, anchorOf(m, d, () => 0)];
      },
    ]);
    cases.push([
      'differences whose (scaled) squares are subnormal or underflow to zero',
      d,
      () => {
        const m = lowerOf(d, (i, j) => 2 ** -(90 + ((i + j) % 50)) * (1 + rng.uniform()));
        return [m, anchorOf(m, d, () => 0)];
      },
    ]);
    cases.push([
      "magnitudes from 2^-60 to 2^24 in one block (moves below 2^32: the pass's range)",
      d,
      () => {
        const m = lowerOf(d, () => 2 ** Math.round(84 * rng.uniform() - 60) * rng.normal());
        return [m, anchorOf(m, d, (x) => -x * rng.uniform())];
      },
    ]);
    cases.push([
      'an anchor float32 cannot hold (the twin alone reads one)',
      d,
      () => {
        const m = lowerOf(d, () => rng.normal());
        return [m, anchorOf(m, d, (x) => x + 1e-9 * rng.normal(), true)];
      },
    ]);
  }

  it.each(cases)('%s, d = %i: an upper bound on the exact sum, within its margin', (_, d, make) => {
    const [m, a] = make();
    expectBound(m, a, d);
  });

  it('d = 256 (the schema limit), the margin largest: still a bound, still tight', () => {
    const d = 256;
    const m = lowerOf(d, () => 1 + 2 ** -12);
    expectBound(
      m,
      anchorOf(m, d, () => 0),
      d,
    );
  });

  it('a move past 2^32 gives no bound; a NaN below the diagonal gives none; above it is not read', () => {
    const d = 8;
    const m = lowerOf(d, () => 1);
    const a = anchorOf(m, d, () => 0);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) m[i * d + j] = Number.NaN;
    expect(offSquares(m, 0, a, d)).toBe(exactOffNumber(d));
    // A move of 2^32 or more: its scaled square overflows.
    m[3 * d + 1] = 2 ** 32;
    expect(offSquares(m, 0, a, d)).toBe(Number.POSITIVE_INFINITY);
    m[3 * d + 1] = Number.NaN;
    expect(offSquares(m, 0, a, d)).toBeNaN();
  });

  it.each([16, 17, 18, 19, 32, 33, 34, 35, 64])(
    "d = %i: the kernel gives the twin's bits on these blocks",
    (d) => {
      const k = ConditionWasm.for(d, 1)!;
      const kernels = wasmKernelsFor(d)!;
      const at = kernels.reserve(4 * d * d) >> 2;
      const sums = new Float64Array(3);
      const twin = new Float64Array(3);
      for (const [, cd, make] of cases.filter(([name, cd]) => cd === 64 && !name.includes('cannot hold'))) {
        const [whole, wholeAnchor] = make();
        // The top-left d x d corner of a 64 x 64 case.
        const m = new Float32Array(d * d);
        const a = new Float64Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++) {
            m[i * d + j] = whole[i * cd + j];
            a[i * d + j] = wholeAnchor[i * cd + j];
          }
        k.anchor(0, a);
        kernels.f32().set(m, at);
        expect(k.shift(0, kernels.f32(), at, sums)).toBe(true);
        shiftSums(m, 0, a, d, twin);
        for (let s = 0; s < 3; s++) expect(Object.is(sums[s], twin[s])).toBe(true);
        expect(sums[1]).toBe(expectBound(m, a, d));
      }
    },
  );
});

/** offSquares of a block of ones against zeros: n scaled ones sum exactly to n 2^64 in float32, widened. */
function exactOffNumber(d: number): number {
  const n = (d * (d - 1)) / 2;
  return (n * 2 ** 64 + n * 2 ** -149) * (1 + (n + 8) * 2 ** -23) * 2 ** -64;
}
