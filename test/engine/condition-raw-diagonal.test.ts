import { describe, expect, it, vi } from 'vitest';
import { stream } from '../../src/data/random.js';
import {
  offSquares,
  rawAdditive,
  rawRelative,
  rawSince,
  rawTerms,
} from '../../src/engine/native/condition-bound.js';
import { ConditionWasm, RAW_SLACK, SHIFTS_FROM } from '../../src/engine/native/condition-wasm.js';
import { extremeEigenvalues, gram, inverse } from '../../src/ground/dense64.js';
import { relativeDrift } from '../../src/ground/triangular-bounds.js';
import { conditionWalk, walkStep } from './conditions.js';

// Tier 2's additive bound for a rounded diagonal read on its raw blocks (condition-bound.ts
// `rawAdditive`, assembly/condition.ts's in `conditionShifts`): an upper bound on the condition
// number of the float64 factor's L L^T (diagonal exp(raw_ii)), with no float32 factor and no exp
// per step; the kernel gives its twin's bits.

/** The float64 factor of a log-Cholesky raw block (d x d row-major): exp on the diagonal. */
function factor(raw: Float32Array, at: number, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) l[i * d + j] = raw[at + i * d + j];
    l[i * d + i] = Math.exp(raw[at + i * (d + 1)]);
  }
  return l;
}

/** A raw block: float32 entries, a diagonal of logs spread over `spread` around 0. */
function rawBlock(d: number, spread: number, rng: { normal(): number }): Float32Array {
  const m = new Float32Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) m[i * d + j] = i === j ? spread * rng.normal() : 0.3 * rng.normal();
  return m;
}

/** The norms of the rows of a's inverse (tier 2's relative bounds' rows). */
function inverseRows(a: Float64Array, d: number): Float64Array {
  const w = inverse(a, d)!;
  return Float64Array.from({ length: d }, (_, i) => Math.hypot(...w.subarray(i * d, i * d + i + 1)));
}

const cond = (l: Float64Array, d: number) => {
  const { lo, hi } = extremeEigenvalues(gram(l, d), d);
  return hi / lo;
};

describe("the raw diagonal's additive bound", () => {
  /**
   * 300 anchors (the float64 factor, or the float32 one: a rounded diagonal, b_i > 0) and a move
   * from each (small, sizeable, or one diagonal entry past the bounds' reach, x > 1/2: Infinity);
   * `bound` of each against the float64 condition number of the moved block's factor.
   */
  function againstFloat64(
    d: number,
    label: string,
    scales: number[],
    bound: (m: Float32Array, a: Float64Array, terms: Float64Array, lo: number, hi: number) => number,
  ) {
    const rng = stream(d, `condition-raw-diagonal ${label}`);
    let finite = 0;
    for (let trial = 0; trial < 300; trial++) {
      const anchorRaw = rawBlock(d, 1 + (trial % 4), rng);
      const a = factor(anchorRaw, 0, d);
      if (trial % 2 === 1) for (let i = 0; i < d; i++) a[i * (d + 1)] = Math.fround(a[i * (d + 1)]);
      const { lo, hi } = extremeEigenvalues(gram(a, d), d);
      const terms = new Float64Array(3 * d);
      rawTerms(anchorRaw, 0, a, d, terms, 0);
      const scale = scales[trial % 4];
      const m = anchorRaw.slice();
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) m[i * d + j] = Math.fround(m[i * d + j] + scale * rng.normal());
      const far = trial % 17 === 0;
      const at = (trial % d) * (d + 1);
      if (far) m[at] = anchorRaw[at] + (trial % 2 ? 0.75 : -0.75);
      const b = bound(m, a, terms, lo, hi);
      if (far) expect(b).toBe(Number.POSITIVE_INFINITY);
      if (!Number.isFinite(b)) continue;
      finite++;
      expect(b).toBeGreaterThanOrEqual(cond(factor(m, 0, d), d));
    }
    expect(finite).toBeGreaterThan(60);
  }

  it.each([3, 8, 13, 16])('d = %i: bounds the float64 condition number from above', (d) => {
    againstFloat64(d, 'bound', [1e-7, 1e-4, 1e-2, 0.3], (m, a, terms, lo, hi) =>
      rawAdditive(m, 0, terms, 0, d, offSquares(m, 0, a, d), lo, hi),
    );
  });

  it.each([3, 8, 13, 16])(
    'd = %i: its relative bound bounds the float64 condition number from above',
    (d) => {
      againstFloat64(d, 'relative', [1e-7, 1e-4, 1e-2, 0.1], (m, a, terms, lo, hi) =>
        rawRelative(m, 0, a, inverseRows(a, d), terms, 0, d, lo, hi),
      );
    },
  );

  it('is tight for a move of one ulp: near the anchor it is about its bounds', () => {
    const d = 8;
    const rng = stream(d, 'condition-raw-diagonal tight');
    const raw = rawBlock(d, 1, rng);
    const a = factor(raw, 0, d);
    const { lo, hi } = extremeEigenvalues(gram(a, d), d);
    const terms = new Float64Array(3 * d);
    rawTerms(raw, 0, a, d, terms, 0);
    const bound = rawAdditive(raw, 0, terms, 0, d, offSquares(raw, 0, a, d), lo, hi);
    expect(bound / (hi / lo)).toBeGreaterThanOrEqual(1);
    expect(bound / (hi / lo)).toBeLessThan(1 + 1e-9);
  });

  it.each([8, 11, 16, 31])("d = %i: the batch's kernel gives its twin's bits", (d) => {
    const rng = stream(d, 'condition-raw-diagonal kernel');
    const dd = d * d;
    const blocks = 6;
    const k = ConditionWasm.for(d, blocks, true, SHIFTS_FROM)!;
    const m = new Float32Array(blocks * dd);
    const all = new Float64Array(blocks * 3 * d);
    const extremes: { lo: number; hi: number }[] = [];
    const anchors: Float64Array[] = [];
    for (let b = 0; b < blocks; b++) {
      const anchorRaw = rawBlock(d, 1, rng);
      const a = factor(anchorRaw, 0, d);
      if (b % 2) for (let i = 0; i < d; i++) a[i * (d + 1)] = Math.fround(a[i * (d + 1)]);
      anchors.push(a);
      k.anchor(b, a);
      rawTerms(anchorRaw, 0, a, d, all, 3 * d * b);
      k.rawAnchor(b, all.subarray(3 * d * b, 3 * d * (b + 1)));
      const e = extremeEigenvalues(gram(a, d), d);
      extremes.push(e);
      k.extremes(b, e.lo, e.hi);
      const scale = [1e-6, 1e-3, 1e-2][b % 3];
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++)
          m[b * dd + i * d + j] = Math.fround(anchorRaw[i * d + j] + scale * rng.normal());
      // Upper triangle not read.
      for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m[b * dd + i * d + j] = rng.normal();
    }
    k.shifts(m, 0, 0, blocks, RAW_SLACK);
    for (let b = 0; b < blocks; b++) {
      const twin = rawAdditive(
        m,
        b * dd,
        all,
        3 * d * b,
        d,
        offSquares(m, b * dd, anchors[b], d),
        extremes[b].lo,
        extremes[b].hi,
      );
      expect(Object.is(k.shiftBound(b), twin), `block ${b}`).toBe(true);
    }
    expect(Number.isFinite(k.shiftBound(0))).toBe(true);
    // The relative bound, for the blocks that want it (their anchors with an inverse).
    const rows = anchors.map((a) => inverseRows(a, d));
    for (let b = 0; b < blocks; b++) {
      k.anchor(b, anchors[b], inverse(anchors[b], d)!, rows[b]);
      k.want(b, b % 2 === 0);
    }
    k.shifts(m, 0, 0, blocks, RAW_SLACK);
    for (let b = 0; b < blocks; b++) {
      const off = k.offsAt(b);
      if (b % 2) {
        expect(off).toBe(-1);
        continue;
      }
      const twin = rawRelative(
        m,
        b * dd,
        anchors[b],
        rows[b],
        all,
        3 * d * b,
        d,
        extremes[b].lo,
        extremes[b].hi,
      );
      expect(Object.is(k.f64()[off + 2 * d + 1], twin), `block ${b} relative`).toBe(true);
      if (b === 0) expect(Number.isFinite(twin)).toBe(true);
    }
    // The bound from the last exact drift: none yet (Infinity), then from one on a block near m's
    // (its float32 factor: a rounded diagonal, b_i > 0), as the step settles it.
    for (let b = 0; b < blocks; b += 2)
      expect(k.f64()[k.offsAt(b) + 2 * d + 2], `block ${b} no drift`).toBe(Number.POSITIVE_INFINITY);
    const since = new Float64Array(blocks * 3 * d);
    const lasts: Float64Array[] = [];
    const etas: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const rawThen = m.slice(b * dd, (b + 1) * dd);
      for (let i = 0; i < dd; i++) rawThen[i] = Math.fround(rawThen[i] + 1e-4 * rng.normal());
      const last = factor(rawThen, 0, d);
      for (let i = 0; i < d; i++) last[i * (d + 1)] = Math.fround(last[i * (d + 1)]);
      lasts.push(last);
      etas.push(relativeDrift(last, 0, anchors[b], inverse(anchors[b], d)!, d, new Float64Array(d)));
      k.settle(b, last);
      rawTerms(rawThen, 0, last, d, since, 3 * d * b);
      k.lastDrift(b, etas[b], since.subarray(3 * d * b, 3 * d * (b + 1)));
    }
    k.shifts(m, 0, 0, blocks, RAW_SLACK);
    let finite = 0;
    for (let b = 0; b < blocks; b += 2) {
      const twin = rawSince(
        m,
        b * dd,
        lasts[b],
        rows[b],
        since,
        3 * d * b,
        d,
        etas[b],
        extremes[b].lo,
        extremes[b].hi,
      );
      expect(Object.is(k.f64()[k.offsAt(b) + 2 * d + 2], twin), `block ${b} since`).toBe(true);
      if (Number.isFinite(twin)) finite++;
    }
    expect(finite).toBeGreaterThan(0);
  });

  it("clears a drifting batch's rounded-diagonal blocks in the step's pass (their kernel's bound)", () => {
    const shifts = vi.spyOn(ConditionWasm.prototype, 'shifts');
    for (const name of ['log-cholesky', 'precision-cholesky']) {
      const d = 8;
      const { lanes, units, dd, checks, raw } = conditionWalk(name, d, 10 * d);
      const rng = stream(d, `condition-raw-diagonal walk ${name}`);
      const alive = new Uint8Array(lanes).fill(1);
      const l = new Float32Array(dd);
      let cleared = 0;
      for (let step = 0; step < 20; step++) {
        checks.prepare(raw, 0, alive);
        for (let b = 0; b < lanes; b++)
          for (let u = 0; u < units; u++) {
            const k = b * units + u;
            for (let i = 0; i < d; i++)
              for (let j = 0; j <= i; j++)
                l[i * d + j] =
                  i === j ? Math.fround(Math.exp(raw[k * dd + i * d + i])) : raw[k * dd + i * d + j];
            checks.block(b, u, l, 0, raw, k * dd);
            // Cleared by the kernel's bound: the one it made of the raw diagonal (in `prepare`,
            // `clearPassed`, or in `block`).
            const pass = shifts.mock.contexts.at(-1) as ConditionWasm;
            if (Number.isFinite(checks.bounds[k]) && Object.is(pass.shiftBound(k), checks.bounds[k]))
              cleared++;
          }
        walkStep(name, raw, d, units, rng);
      }
      expect(shifts.mock.calls.some((c) => c[4] === 3)).toBe(true);
      expect(cleared).toBeGreaterThan(0);
    }
    vi.restoreAllMocks();
  });
});

describe("the raw diagonal's bound from the last exact drift", () => {
  /**
   * 300 anchors (the float64 factor), a block near each when the exact drift last ran (its float32
   * factor S: a rounded diagonal, b_i > 0, and that drift computed as the step does), and a move
   * from it (none, small, sizeable, or one diagonal entry past the bound's reach: Infinity);
   * `rawSince` of each against the float64 condition number of the moved block's factor. Returns
   * how many bounds fell below it, and how many were finite.
   */
  function againstFloat64(d: number, label: string) {
    const rng = stream(d, `condition-raw-diagonal since ${label}`);
    let finite = 0;
    let below = 0;
    for (let trial = 0; trial < 300; trial++) {
      const anchorRaw = rawBlock(d, 1 + (trial % 4), rng);
      const a = factor(anchorRaw, 0, d);
      const w = inverse(a, d)!;
      const rows = inverseRows(a, d);
      const { lo, hi } = extremeEigenvalues(gram(a, d), d);
      // The block then: near the anchor (a move of the anchor itself at times: eta about 0).
      const step = [0, 1e-5, 1e-3, 1e-2][(trial >> 2) % 4];
      const rawThen = anchorRaw.slice();
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++)
          rawThen[i * d + j] = Math.fround(rawThen[i * d + j] + step * rng.normal());
      const last = factor(rawThen, 0, d);
      for (let i = 0; i < d; i++) last[i * (d + 1)] = Math.fround(last[i * (d + 1)]);
      const eta = relativeDrift(last, 0, a, w, d, new Float64Array(d));
      const terms = new Float64Array(3 * d);
      rawTerms(rawThen, 0, last, d, terms, 0);
      const scale = [0, 1e-7, 1e-4, 1e-2][trial % 4];
      const m = rawThen.slice();
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) m[i * d + j] = Math.fround(m[i * d + j] + scale * rng.normal());
      const far = trial % 17 === 0;
      const at = (trial % d) * (d + 1);
      if (far) m[at] = rawThen[at] + (trial % 2 ? 0.75 : -0.75);
      const b = rawSince(m, 0, last, rows, terms, 0, d, eta, lo, hi);
      if (far) expect(b).toBe(Number.POSITIVE_INFINITY);
      if (!Number.isFinite(b)) continue;
      finite++;
      if (b < cond(factor(m, 0, d), d)) below++;
    }
    return { finite, below };
  }

  it.each([3, 8, 13, 16])('d = %i: bounds the float64 condition number from above', (d) => {
    const { finite, below } = againstFloat64(d, 'bound');
    expect(below).toBe(0);
    expect(finite).toBeGreaterThan(60);
  });

  it('needs its distance from the diagonal then (b_i): without it bounds fall below the truth', () => {
    // Tight: the anchor is the factor then, S (float32 diagonal), so the exact drift is 0, and the
    // block has not moved since. Its float64 factor differs from S on the diagonal by up to 2^-24
    // relative, which moves the condition number either way: the bound covers it only through b_i.
    const rng = stream(8, 'condition-raw-diagonal since margin');
    const below = { with: 0, without: 0 };
    for (let trial = 0; trial < 200; trial++) {
      const d = 3 + (trial % 6);
      const raw = rawBlock(d, 1, rng);
      const s = factor(raw, 0, d);
      for (let i = 0; i < d; i++) s[i * (d + 1)] = Math.fround(s[i * (d + 1)]);
      const { lo, hi } = extremeEigenvalues(gram(s, d), d);
      const rows = inverseRows(s, d);
      const eta = relativeDrift(s, 0, s, inverse(s, d)!, d, new Float64Array(d));
      expect(eta).toBe(0);
      const truth = cond(factor(raw, 0, d), d);
      const terms = new Float64Array(3 * d);
      rawTerms(raw, 0, s, d, terms, 0);
      if (rawSince(raw, 0, s, rows, terms, 0, d, eta, lo, hi) < truth) below.with++;
      terms.fill(0, 2 * d, 3 * d);
      if (rawSince(raw, 0, s, rows, terms, 0, d, eta, lo, hi) < truth) below.without++;
    }
    expect(below.with).toBe(0);
    expect(below.without).toBeGreaterThan(0);
  });

  it('is Infinity without an exact drift since the anchor, past eta = 1, and from an anchor with lo <= 0', () => {
    const d = 5;
    const rng = stream(d, 'condition-raw-diagonal since none');
    const raw = rawBlock(d, 1, rng);
    const a = factor(raw, 0, d);
    const terms = new Float64Array(3 * d);
    rawTerms(raw, 0, a, d, terms, 0);
    const rows = inverseRows(a, d);
    for (const eta of [Number.POSITIVE_INFINITY, 1, Number.NaN])
      expect(rawSince(raw, 0, a, rows, terms, 0, d, eta, 1, 2)).toBe(Number.POSITIVE_INFINITY);
    // An anchor with no positive lo (a float64 eigenvalue of a block far past any limit).
    for (const lo of [0, -1e-10])
      expect(rawSince(raw, 0, a, rows, terms, 0, d, 0, lo, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(rawSince(raw, 0, a, rows, terms, 0, d, 0, 1, 2)).toBeLessThan(2 * (1 + 1e-6));
  });
});
