import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';

// The native step bounds a classifier lane's blocks after its `lane` call, on the factors that
// call left in linear memory (NativeTask.laneFactors, native/step.ts): they must be the lane's
// factors as handed in, bit for bit, after its forward and backward, for every lane in turn; and
// where the lane ran on the JavaScript kernels there is no such copy.
describe("the classifier's factors left in linear memory by its lane", () => {
  it.each([16, 32, 33])("d = %i: the lane's own factors, after its backward, lane after lane", (d) => {
    const rng = seedrandom(`lane-factors ${d}`);
    const units = 2;
    const lanes = 3;
    const n = 4;
    const dd = d * d;
    const x = Float32Array.from({ length: lanes * n * d }, () => rng() - 0.5);
    const y = Int32Array.from({ length: lanes * n }, () => Math.floor(rng() * units));
    const task = new NativeClassifier(
      x,
      y,
      n,
      d,
      units,
      lanes,
      2,
      'exp',
      new Minibatches([1, 2, 3], n, 2, true),
    );
    const mu = Float32Array.from({ length: lanes * units * d }, () => rng() - 0.5);
    const w = Float32Array.from({ length: lanes * units * units }, () => rng() - 0.5);
    task.begin(0);
    for (let b = 0; b < lanes; b++) {
      // The upper triangle too: the copy is of the whole blocks.
      const l = Float32Array.from({ length: units * dd }, (_, e) =>
        e % (d + 1) === 0 ? 1 + rng() : 0.1 * (rng() - 0.5),
      );
      const dl = new Float32Array(units * dd);
      const grads = [
        new Float32Array(lanes * units * d),
        new Float32Array(0),
        new Float32Array(lanes * units * units),
      ];
      task.lane(b, [mu, new Float32Array(0), w], l, dl, grads, [new Float32Array(lanes)], false);
      const placed = task.laneFactors();
      expect(placed).toBeDefined();
      expect(placed!.length).toBe(units * dd);
      expect(placed!.buffer).not.toBe(l.buffer);
      for (let e = 0; e < units * dd; e++)
        if (!Object.is(placed![e], l[e])) expect([e, placed![e]]).toEqual([e, l[e]]);
    }
  });

  it('none where the lane ran on the JavaScript kernels', () => {
    const d = 16;
    const task = new NativeClassifier(
      new Float32Array(4 * d),
      new Int32Array(4),
      4,
      d,
      2,
      1,
      2,
      'exp',
      new Minibatches([1], 4, 2, true),
      { wasm: false },
    );
    task.begin(0);
    const l = new Float32Array(2 * d * d);
    for (let u = 0; u < 2; u++) for (let i = 0; i < d; i++) l[u * d * d + i * (d + 1)] = 1;
    task.lane(
      0,
      [new Float32Array(2 * d), new Float32Array(0), new Float32Array(4)],
      l,
      new Float32Array(2 * d * d),
      undefined,
      [new Float32Array(1)],
      false,
    );
    expect(task.laneFactors()).toBeUndefined();
  });
});
