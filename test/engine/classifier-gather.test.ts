import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';

// NativeClassifier.begin gathers the points and classes of many steps at once: each step must
// still see exactly its minibatch, read step by step from Minibatches as the tfjs path reads it,
// across the windows it gathers, a shorter last minibatch, epochs, and steps asked again or
// out of order (a run's final judgement re-reads its last step).

describe("the classifier's points, gathered many steps at once", () => {
  it.each([
    // lanes, size, n, d: a window of 6 steps (an epoch is 20), of 1 step, and one that reaches the epoch's end.
    [280, 50, 990, 2],
    [512, 64, 300, 4],
    [3, 2, 7, 3],
  ])('%i lanes, minibatches of %i of %i points in %i-D: every step its own minibatch', (B, size, n, d) => {
    const rng = seedrandom(`${B} ${size} ${n} ${d}`);
    const x = Float32Array.from({ length: B * n * d }, () => rng());
    const y = Int32Array.from({ length: B * n }, () => Math.floor(rng() * 5));
    const seeds = Array.from({ length: B }, (_, b) => b + 1);
    const task = new NativeClassifier(x, y, n, d, 2, B, size, 'exp', new Minibatches(seeds, n, size, true));
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
  });
});
