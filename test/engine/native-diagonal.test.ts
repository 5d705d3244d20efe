import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';
import { NativeScoreMatching } from '../../src/engine/tasks/score-matching-native.js';

// Both tasks' diagonal-factor paths (NativeMap.diagonal) must give their dense path's numbers bit
// for bit: the loss, d loss / d mu, the head's gradient and counters, and dL's diagonal (the only
// part a diagonal map reads), the rest of dL left as it was (sentinels of 7). Inputs on a coarse
// grid make exact zeros (x - mu, e = xbar - mu) and points of -0 meet means of +0, the cases where
// skipping a zero term could change the sign of a zero; edge diagonals (0, -0, NaN, Inf, negative,
// subnormal, huge) take or fall back from the diagonal path and must match either way.
const SIZES = [2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 32, 33, 64];

/** One of -2, -1.5, ..., 2, a quarter of them -0. */
function grid(rng: () => number): number {
  const v = Math.round((rng() - 0.5) * 8) / 2;
  return v === 0 && rng() < 0.5 ? -0 : v;
}

/** Diagonal factors of `count` units: entries from `draw`, +0 off the diagonal. */
function diagonalFactors(d: number, count: number, draw: (j: number) => number): Float32Array {
  const l = new Float32Array(count * d * d);
  for (let u = 0; u < count; u++) for (let j = 0; j < d; j++) l[u * d * d + j * d + j] = draw(j);
  return l;
}

const EDGES = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, -1.5, 1e-45, 1e-30, 1e30, 3e38];

/** Diagonal entries: ordinary ones, wide ones, and (with `edges`) one edge value per factor now and then. */
function drawDiagonal(rng: () => number, kind: 'ordinary' | 'wide' | 'edges') {
  return () => {
    if (kind === 'edges' && rng() < 0.15) return EDGES[Math.floor(rng() * EDGES.length)];
    if (kind === 'wide') return 10 ** (rng() * 8 - 4);
    return 0.25 + rng() * 2;
  };
}

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i])) expect([what, i, got[i]]).toEqual([what, i, want[i]]);
}

describe('score matching, diagonal factor', () => {
  const LANES = 3;

  function lanes(d: number, seed: string, kind: 'ordinary' | 'wide' | 'edges') {
    const rng = seedrandom(seed);
    const n = 4 * (1 + Math.floor(rng() * 3));
    const x = Float32Array.from({ length: LANES * n * d }, () => grid(rng));
    // mu: the lane's mean exactly (e_j = 0) for some coordinates, a grid value for others.
    const mu = new Float32Array(LANES * d);
    for (let b = 0; b < LANES; b++)
      for (let j = 0; j < d; j++) {
        let mean = 0;
        for (let i = 0; i < n; i++) mean += x[(b * n + i) * d + j];
        mu[b * d + j] = rng() < 0.4 ? mean / n : grid(rng);
      }
    const l = diagonalFactors(d, LANES, drawDiagonal(rng, kind));
    const run = (options: { wasm?: boolean; diagonal?: boolean }, withGrads: boolean) => {
      const task = new NativeScoreMatching(x, n, d, LANES, 'covariance', options);
      return Array.from({ length: LANES }, (_, b) => {
        const lb = l.subarray(b * d * d, (b + 1) * d * d);
        const dl = new Float32Array(d * d).fill(7);
        const grads = withGrads ? [new Float32Array(LANES * d).fill(7)] : undefined;
        const loss = task.lane(b, [mu], lb, dl, grads);
        return {
          loss,
          dl,
          gmu: grads?.[0],
          fallback: !lb.every((v, k) => k % (d + 1) !== 0 || (v > 0 && v < Infinity)),
        };
      });
    };
    return run;
  }

  for (const kind of ['ordinary', 'wide', 'edges'] as const)
    it(`${kind} diagonals: the dense lane's numbers (JS and WebAssembly) at every d`, () => {
      for (const d of SIZES)
        for (const withGrads of [true, false]) {
          const run = lanes(d, `sm ${kind} ${d}`, kind);
          const diagonal = run({ wasm: false, diagonal: true }, withGrads);
          for (const dense of [run({ wasm: false }, withGrads), run({}, withGrads)])
            for (let b = 0; b < LANES; b++) {
              const [got, want] = [diagonal[b], dense[b]];
              sameBits([got.loss], [want.loss], `loss d=${d} lane ${b}`);
              if (!withGrads) continue;
              sameBits(got.gmu!, want.gmu!, `d mu d=${d}`);
              for (let i = 0; i < d; i++)
                for (let j = 0; j < d; j++) {
                  const k = i * d + j;
                  // Off the diagonal: untouched, unless the lane fell back to the dense path.
                  const expected = i === j || want.fallback ? want.dl[k] : 7;
                  sameBits([got.dl[k]], [expected], `dL d=${d} (${i}, ${j})`);
                }
            }
        }
    });

  it('takes the diagonal path on ordinary factors (off-diagonal dL untouched there)', () => {
    const run = lanes(5, 'sm path', 'ordinary');
    const diagonal = run({ wasm: false, diagonal: true }, true);
    const dense = run({ wasm: false }, true);
    expect(dense[0].dl[5]).not.toBe(0);
    expect(diagonal[0].dl[5]).toBe(7);
  });
});

describe('classifier, diagonal factor', () => {
  const B = 2;

  function run(
    d: number,
    units: number,
    size: number,
    n: number,
    activation: 'exp' | 'log_prob',
    seed: string,
    kind: 'ordinary' | 'wide' | 'edges',
    options: { wasm?: boolean; diagonal?: boolean },
    spread = 1,
  ) {
    const rng = seedrandom(seed);
    const x = Float32Array.from({ length: B * n * d }, () => spread * grid(rng));
    const y = Int32Array.from({ length: B * n }, () => Math.floor(rng() * units));
    const mu = Float32Array.from({ length: B * units * d }, () => (rng() < 0.3 ? 0 : grid(rng)));
    const w = Float32Array.from({ length: B * units * units }, () => (rng() - 0.5) * 4);
    const l = diagonalFactors(d, B * units, drawDiagonal(rng, kind));
    const task = new NativeClassifier(
      x,
      y,
      n,
      d,
      units,
      B,
      size,
      activation,
      new Minibatches([1, 2], n, size, true),
      options,
    );
    const out: { scalars: number[]; dl: Float32Array; fallback: boolean[] }[] = [];
    for (let step = 0; step < Math.ceil(n / size); step++) {
      task.begin(step);
      for (let b = 0; b < B; b++) {
        const lb = l.slice(b * units * d * d, (b + 1) * units * d * d);
        const dl = new Float32Array(units * d * d).fill(7);
        const grads = [
          new Float32Array(B * units * d).fill(7),
          new Float32Array(0),
          new Float32Array(B * units * units),
        ];
        const counts = [new Float32Array(B)];
        const params = [mu, new Float32Array(0), w];
        const loss = task.lane(b, params, lb, dl, grads, counts, false);
        const lossOnly = task.lane(b, params, lb, dl.slice(), undefined, counts, false);
        const fallback = Array.from({ length: units }, (_, u) =>
          Array.from({ length: d }, (_, j) => lb[u * d * d + j * d + j]).some(
            (v) => v === 0 || !Number.isFinite(v),
          ),
        );
        out.push({ scalars: [loss, lossOnly, counts[0][b], ...grads[0], ...grads[2]], dl, fallback });
      }
    }
    return out;
  }

  function check(
    d: number,
    units: number,
    size: number,
    n: number,
    activation: 'exp' | 'log_prob',
    kind: 'ordinary' | 'wide' | 'edges',
    spread = 1,
  ) {
    const seed = `cls ${d} ${units} ${size} ${n} ${activation} ${kind} ${spread}`;
    const diagonal = run(d, units, size, n, activation, seed, kind, { wasm: false, diagonal: true }, spread);
    for (const dense of [
      run(d, units, size, n, activation, seed, kind, { wasm: false }, spread),
      run(d, units, size, n, activation, seed, kind, {}, spread),
    ])
      for (let s = 0; s < dense.length; s++) {
        sameBits(diagonal[s].scalars, dense[s].scalars, `d=${d} step/lane ${s}: loss, counters, d mu, d w`);
        for (let u = 0; u < units; u++)
          for (let i = 0; i < d; i++)
            for (let j = 0; j < d; j++) {
              const k = u * d * d + i * d + j;
              // Off the diagonal: untouched, unless the unit fell back to the dense path.
              const expected = i === j || diagonal[s].fallback[u] ? dense[s].dl[k] : 7;
              sameBits([diagonal[s].dl[k]], [expected], `dL d=${d} unit ${u} (${i}, ${j})`);
            }
      }
  }

  it.each([2, 3, 5, 8, 9, 16, 17, 33, 64])(
    'd = %i: the dense lane (JS and WebAssembly) bit for bit, 1..3 units, minibatches of 1..4',
    (d) => {
      const shapes = [
        [1, 1, 2],
        [2, 2, 5],
        [3, 3, 7],
        [2, 4, 9],
      ];
      for (const [units, size, n] of d > 32 ? shapes.slice(1, 2) : d > 16 ? shapes.slice(1, 3) : shapes)
        for (const kind of ['ordinary', 'wide', 'edges'] as const) check(d, units, size, n, 'log_prob', kind);
    },
  );

  it('dead units (exp of far points) and live ones through exp', () => {
    for (const d of [2, 5, 8, 17, 64]) {
      check(d, 2, 2, 4, 'exp', 'ordinary', 50);
      check(d, 3, 3, 6, 'exp', 'ordinary', 0.05);
      check(d, 2, 3, 6, 'exp', 'edges', 1);
    }
  });

  it('z of the forward as the dense path keeps it: a zero x - mu of sign -0 turns +0 where the dense sum does', () => {
    // The outputs cannot show it (z enters them squared or in sums begun at +0), so z itself is
    // compared (without the diagonal path's handling of -0, this fails).
    for (const d of [3, 9, 33]) {
      const units = 2;
      const size = 4;
      const n = 8;
      const rng = seedrandom(`z ${d}`);
      const x = Float32Array.from({ length: B * n * d }, () => (rng() < 0.4 ? -0 : grid(rng)));
      const y = Int32Array.from({ length: B * n }, () => Math.floor(rng() * units));
      const mu = Float32Array.from({ length: B * units * d }, () => (rng() < 0.5 ? 0 : grid(rng)));
      const l = diagonalFactors(d, units, drawDiagonal(rng, 'ordinary'));
      const zs = (diagonal: boolean) => {
        const task = new NativeClassifier(
          x,
          y,
          n,
          d,
          units,
          B,
          size,
          'log_prob',
          new Minibatches([1, 2], n, size, true),
          {
            wasm: false,
            diagonal,
          },
        );
        task.begin(0);
        const grads = [
          new Float32Array(B * units * d),
          new Float32Array(0),
          new Float32Array(B * units * units),
        ];
        task.lane(
          1,
          [mu, new Float32Array(0), new Float32Array(B * units * units)],
          l,
          new Float32Array(l.length),
          grads,
          [new Float32Array(B)],
          false,
        );
        return (task as unknown as { zs: Float64Array }).zs.slice();
      };
      const [got, want] = [zs(true), zs(false)];
      sameBits(got, want, `z d=${d}`);
    }
  });
});
