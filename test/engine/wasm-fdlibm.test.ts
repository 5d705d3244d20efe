import { describe, expect, it } from 'vitest';
import { wasmKernels } from '../../src/engine/ops/wasm.js';
import { words } from './words.js';

// assembly/fdlibm.ts's exp, log, sin and cos must be V8's Math.exp, Math.log, Math.sin and Math.cos
// bit for bit (the classifier's head runs exp and log in WebAssembly in place of the lane-by-lane
// step's Math calls, Box-Muller log, sin and cos in place of the streams'): here against this
// Node's Math on millions of inputs over the whole range of doubles (sin and cos: up to 2^20 pi/2,
// where their reduction is ported) and where each branch of the algorithms is taken, and on the
// special values. If a Node release changes its Math, this fails (and the kernels must then
// follow it).

const k = wasmKernels()!;
const CHUNK = 1 << 18;
const [src, dst] = [k.reserve(8 * CHUNK), k.reserve(8 * CHUNK)];

const bits = new Float64Array(1);
const halves = new Uint32Array(bits.buffer);
const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);

/** fdlibmMap's functions, by its codes. */
const EXP = 0;
const LOG = 1;
const SIN = 2;
const COS = 3;
const MATH = [Math.exp, Math.log, Math.sin, Math.cos];

/** The first input of `xs` where wasm and Math differ (Object.is: -0 is not 0; any NaN is NaN), with both results. */
function firstMismatch(fn: number, xs: Float64Array) {
  const math = MATH[fn];
  for (let from = 0; from < xs.length; from += CHUNK) {
    const part = xs.subarray(from, from + CHUNK);
    k.f64().set(part, src >> 3);
    k.exports.fdlibmMap(fn, part.length, src, dst);
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

describe("fdlibm's exp, log, sin and cos in WebAssembly", () => {
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
    expect(firstMismatch(EXP, specials)).toBeUndefined();
    // Random bits, then the range where exp is neither 0 nor Infinity, then |x| < 1.5 ln2 and
    // the small arguments, where the reduction takes its other branches.
    expect(firstMismatch(EXP, inputs(1_000_000, 1, -746, 710))).toBeUndefined();
    expect(firstMismatch(EXP, inputs(1_000_000, 2, -1.1, 1.1))).toBeUndefined();
    expect(firstMismatch(EXP, inputs(500_000, 3, -(2 ** -20), 2 ** -20))).toBeUndefined();
    expect(firstMismatch(EXP, inputs(500_000, 4, -110, 0))).toBeUndefined();
  });

  it('log: V8 Math.log bit for bit over the whole range, its branches and specials', () => {
    const specials = Float64Array.from([
      ...SPECIALS,
      ...POWERS,
      ...POWERS.map((x) => -x),
      ...around([1, 1 + 2 ** -20, 1 - 2 ** -20, 2 ** -1022, Math.SQRT2, Math.SQRT1_2], 64),
    ]);
    expect(firstMismatch(LOG, specials)).toBeUndefined();
    // Random bits (half negative: NaN), then positive doubles and float32s near 1 (log's short
    // branch), around the factors' diagonals, and subnormals.
    expect(firstMismatch(LOG, inputs(1_000_000, 5, 0, 1e6))).toBeUndefined();
    expect(firstMismatch(LOG, inputs(1_000_000, 6, 1 - 2 ** -19, 1 + 2 ** -19))).toBeUndefined();
    expect(firstMismatch(LOG, inputs(500_000, 7, 0.5, 2))).toBeUndefined();
    expect(firstMismatch(LOG, inputs(500_000, 8, 0, 2 ** -1022))).toBeUndefined();
  });

  it("sin and cos: V8 Math.sin and Math.cos bit for bit up to 2^20 pi/2, densely over [0, 2 pi), near every multiple of pi/2 and at the reductions' edges", () => {
    const PIO2 = Math.PI / 2;
    const edges = around(
      [
        ...Array.from({ length: 65 }, (_, n) => n * PIO2), // the reduction cancels most near these
        ...Array.from({ length: 9 }, (_, n) => n * PIO2 + Math.PI / 4), // quadrant edges
        Math.PI / 4,
        (3 * Math.PI) / 4,
        2 ** -27,
        0.3, // kernelCos's short form ends
        0.78125, // kernelCos's qx becomes 0.28125
        2 ** 20 * PIO2, // the largest argument reduced
      ],
      64,
    );
    const specials = Float64Array.from(
      [...SPECIALS, ...edges, ...edges.map((x) => -x), ...POWERS].filter(reduced),
    );
    // Dense: every 2^-20 of a turn; then random points of a turn, of |x| < 3 pi/4 (fdlibm's n = 1
    // case) and of the whole reduced range, each with random bits and float32s (`inputs`) of the
    // reduced range.
    const dense = Float64Array.from({ length: 1 << 20 }, (_, i) => 2 * Math.PI * (i / 2 ** 20));
    for (const fn of [SIN, COS]) {
      expect(firstMismatch(fn, specials)).toBeUndefined();
      expect(firstMismatch(fn, dense)).toBeUndefined();
      expect(firstMismatch(fn, inputs(1_000_000, 9 + fn, 0, 2 * Math.PI).filter(reduced))).toBeUndefined();
      expect(firstMismatch(fn, inputs(300_000, 11 + fn, -2.4, 2.4).filter(reduced))).toBeUndefined();
      expect(
        firstMismatch(fn, inputs(300_000, 13 + fn, -(2 ** 20) * PIO2, 2 ** 20 * PIO2).filter(reduced)),
      ).toBeUndefined();
    }
  });

  it("sin and cos: NaN past 2^20 pi/2, where fdlibm's long reduction is not ported (a precondition of their callers)", () => {
    const beyond = [2 ** 20 * (Math.PI / 2) * (1 + 2 ** -20), 1e7, -1e7, 1e300, Number.MAX_VALUE];
    for (const fn of [SIN, COS]) {
      k.f64().set(beyond, src >> 3);
      k.exports.fdlibmMap(fn, beyond.length, src, dst);
      expect(Array.from(k.f64().subarray(dst >> 3, (dst >> 3) + beyond.length))).toEqual(
        beyond.map(() => Number.NaN),
      );
    }
  });
});

/** Whether x is within the range sin and cos reduce (high word of |x| at most 2^20 pi/2's). */
function reduced(x: number): boolean {
  bits[0] = x;
  return (halves[1] & 0x7fffffff) <= 0x413921fb;
}
