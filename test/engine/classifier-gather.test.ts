import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';

// NativeClassifier.begin reads each step's points from a copy of the batch's points in each
// lane's epoch order (or, for a batch too large for the copy, from the batch itself): each step
// must see exactly its minibatch, read step by step from Minibatches as the tfjs path reads it,
// with a shorter last minibatch, across epochs, and for steps asked again or out of order (a
// run's final judgement re-reads its last step).

describe("the classifier's points of each step, from an epoch-ordered copy", () => {
  it.each([
    // lanes, size, n, d, the copy's limit (0: no copy), WebAssembly kernels (the copy's: 28 lanes
    // of 990 points take two of its calls, a lane of 17000 points one call of its own)
    [28, 50, 990, 2, undefined, true],
    [28, 50, 990, 2, undefined, false],
    [28, 50, 990, 2, 0, true],
    [3, 2, 7, 3, undefined, true],
    [3, 2, 7, 3, undefined, false],
    [3, 2, 7, 3, 0, true],
    [2, 4000, 17000, 1, undefined, true],
  ])(
    '%i lanes, minibatches of %i of %i points in %i-D, limit %s, WebAssembly %s: every step its own minibatch',
    (B, size, n, d, epochFloats, wasm) => {
      const rng = seedrandom(`${B} ${size} ${n} ${d}`);
      const x = Float32Array.from({ length: B * n * d }, () => rng());
      const y = Int32Array.from({ length: B * n }, () => Math.floor(rng() * 5));
      const seeds = Array.from({ length: B }, (_, b) => b + 1);
      const task = new NativeClassifier(
        x,
        y,
        n,
        d,
        2,
        B,
        size,
        'exp',
        new Minibatches(seeds, n, size, true),
        {
          epochFloats,
          wasm,
        },
      );
      const reference = new Minibatches(seeds, n, size, true);
      const perEpoch = Math.ceil(n / size);
      const steps = [...Array.from({ length: 2 * perEpoch + 3 }, (_, s) => s), 2, 2, 1, 0, perEpoch + 1];
      for (const step of steps) {
        task.begin(step);
        const { start, m, orders } = reference.at(step);
        expect(task.m).toBe(m);
        for (let b = 0; b < B; b++)
          for (let i = 0; i < m; i++) {
            const row = b * n + orders[b][start + i];
            if (task.labels[b * m + i] !== y[row])
              expect([step, b, i, task.labels[b * m + i]]).toEqual([step, b, i, y[row]]);
            for (let p = 0; p < d; p++)
              if (task.points[(b * m + i) * d + p] !== x[row * d + p])
                expect([step, b, i, p, task.points[(b * m + i) * d + p]]).toEqual([
                  step,
                  b,
                  i,
                  p,
                  x[row * d + p],
                ]);
          }
      }
    },
  );
});
