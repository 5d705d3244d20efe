import { describe, expect, it } from 'vitest';
import { wasmKernels } from '../../src/engine/ops/wasm.js';
import { words } from './words.js';

// assembly/fdlibm.ts's exp and log must be V8's Math.exp and Math.log bit for bit (the classifier's
// head runs them in WebAssembly in place of the lane-by-lane step's Math calls): here against
// this Node's Math on millions of inputs over the whole range of doubles and where each branch
// of the algorithms is taken, and on the special values. If a Node release changes its Math,
// this fails (and the whole step across lanes must then follow it).

const k = wasmKernels()!;
const CHUNK = 1 << 18;
const [src, dst] = [k.reserve(8 * CHUNK), k.reserve(8 * CHUNK)];

const bits = new Float64Array(1);
const halves = new Uint32Array(bits.buffer);
const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);

/** The first input of `xs` where wasm and Math differ (Object.is: -0 is not 0; any NaN is NaN), with both results. */
function firstMismatch(log: boolean, xs: Float64Array) {
  const math = log ? Math.log : Math.exp;
  for (let from = 0; from < xs.length; from += CHUNK) {
    const part = xs.subarray(from, from + CHUNK);
    k.f64().set(part, src >> 3);
    k.exports.fdlibmMap(log, part.length, src, dst);
    const out = k.f64().subarray(dst >> 3, (dst >> 3) + part.length);
    for (let i = 0; i < part.length; i++) {
      const want = math(part[i]);
      if (!Object.is(out[i], want)) return { x: part[i], wasm: out[i], math: want };
    }
  }
  return undefined;
}

/** n doubles of each kind: uniformly random bit patterns, uniform in [lo, hi], random float32s. */
function inputs(n: number, seed: number, lo: number, hi: number): Float64Array {
  const next = words(seed);
  const xs = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    halves[0] = next();
    halves[1] = next();
    xs[i] = bits[0];
    xs[n + i] = lo + (hi - lo) * ((next() >>> 5) * 67108864 + (next() >>> 6)) * 2 ** -53;
    f32bits[0] = next();
    xs[2 * n + i] = f32[0];
  }
  return xs;
}

/** x and its neighbours `reach` ulps either side. */
function around(xs: number[], reach = 4): number[] {
  const out: number[] = [];
  for (const x of xs) {
    bits[0] = x;
    const [lo, hi] = [halves[0], halves[1]];
    for (let s = -reach; s <= reach; s++) {
      const l = lo + s;
      halves[0] = l >>> 0;
      halves[1] = hi + Math.floor(l / 2 ** 32);
      out.push(bits[0]);
    }
  }
  return out;
}

const SPECIALS = [
  0,
  -0,
  1,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** -1022,
  2 ** -1022 - Number.MIN_VALUE,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Math.E,
  0.5,
  2,
];
/** Every power of two a double holds, and its neighbours. */
const POWERS = around(Array.from({ length: 2098 }, (_, i) => 2 ** (i - 1074)).filter((x) => x > 0));

describe("fdlibm's exp and log in WebAssembly", () => {
  it('exp: V8 Math.exp bit for bit over the whole range, its branches and specials', () => {
    const LN2 = Math.LN2;
    const edges = around([
      709.782712893384, // overflow threshold (0x40862E42 FEFA39EF)
      -745.1332191019411, // underflow threshold (0xC0874910 D52D3051)
      709.0895657128241, // k = 1024
      -708.3964185322641, // k = -1021
      0.5 * LN2,
      1.5 * LN2,
      -0.5 * LN2,
      -1.5 * LN2,
      2 ** -28,
      -(2 ** -28),
      ...Array.from({ length: 2151 }, (_, i) => (i - 1075) * LN2),
    ]);
    const specials = Float64Array.from([...SPECIALS, ...POWERS, ...POWERS.map((x) => -x), ...edges]);
    expect(firstMismatch(false, specials)).toBeUndefined();
    // Random bits, then the range where exp is neither 0 nor Infinity, then |x| < 1.5 ln2 and
    // the small arguments, where the reduction takes its other branches.
    expect(firstMismatch(false, inputs(1_000_000, 1, -746, 710))).toBeUndefined();
    expect(firstMismatch(false, inputs(1_000_000, 2, -1.1, 1.1))).toBeUndefined();
    expect(firstMismatch(false, inputs(500_000, 3, -(2 ** -20), 2 ** -20))).toBeUndefined();
    expect(firstMismatch(false, inputs(500_000, 4, -110, 0))).toBeUndefined();
  });

  it('log: V8 Math.log bit for bit over the whole range, its branches and specials', () => {
    const specials = Float64Array.from([
      ...SPECIALS,
      ...POWERS,
      ...POWERS.map((x) => -x),
      ...around([1, 1 + 2 ** -20, 1 - 2 ** -20, 2 ** -1022, Math.SQRT2, Math.SQRT1_2], 64),
    ]);
    expect(firstMismatch(true, specials)).toBeUndefined();
    // Random bits (half negative: NaN), then positive doubles and float32s near 1 (log's short
    // branch), around the factors' diagonals, and subnormals.
    expect(firstMismatch(true, inputs(1_000_000, 5, 0, 1e6))).toBeUndefined();
    expect(firstMismatch(true, inputs(1_000_000, 6, 1 - 2 ** -19, 1 + 2 ** -19))).toBeUndefined();
    expect(firstMismatch(true, inputs(500_000, 7, 0.5, 2))).toBeUndefined();
    expect(firstMismatch(true, inputs(500_000, 8, 0, 2 ** -1022))).toBeUndefined();
  });
});
