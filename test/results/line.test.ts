import { describe, expect, it } from 'vitest';
import { resultLine } from '../../src/results/jsonl.js';
import { lineFromTail, lineTail, paramsFromLine, withoutParams } from '../../src/results/line.js';
import type { RunResult } from '../../src/types.js';
import { classifierConfig } from '../engine/configs.js';

/** A result as a worker records it (no backend yet), finite or not, with gaussians or without. */
function recorded(outcome: 'ok' | 'singular', loss: number): RunResult {
  const base = {
    id: 'abc123',
    config: classifierConfig({ lr: 1e-3 }),
    step: 7,
    loss,
    metrics: { accuracy: 0.5, cov_error: Number.POSITIVE_INFINITY },
    curve: [1.5, Number.NaN],
    curve_every: 2,
    planned_steps: 8,
    params: {
      w: [
        [0.02, -1e-17],
        [Number.NEGATIVE_INFINITY, 3],
      ],
    },
    gaussians: {
      learned: {
        means: [[0, 1]],
        covariances: [
          [
            [1, 0],
            [0, 1],
          ],
        ],
      },
      truth: { means: [], covariances: [] },
    },
    seconds: 0.25,
  };
  return outcome === 'ok'
    ? { ...base, outcome }
    : ({ ...base, outcome, reason: 'null pivot at step 7', kind: 'cholesky' } as RunResult);
}

describe("a result's line made in two parts", () => {
  it('is the line of the result with its planned config and backend, byte for byte', () => {
    // The planned config differs from the worker's (a --timeout limit), and has a null in it.
    const planned = { ...classifierConfig({ lr: 1e-3 }), note: null } as unknown as RunResult['config'];
    for (const r of [recorded('ok', 0.5), recorded('ok', Number.NaN), recorded('singular', 2)]) {
      const limited = { ...r, config: { ...r.config, timeout: 5 } };
      const tail = lineTail(limited);
      expect(tail).toBeDefined();
      const whole = resultLine({ ...limited, config: planned, backend: 'native' });
      expect(lineFromTail(r.id, planned, tail!, 'native')).toBe(whole);
      expect(JSON.parse(whole).loss).toBe(Number.isNaN(r.loss) ? 'NaN' : r.loss);
    }
  });

  it('is left to the main thread when the keys do not begin with id and config, or a backend is there', () => {
    const r = recorded('ok', 1);
    const { id, ...rest } = r;
    expect(lineTail({ ...rest, id } as RunResult)).toBeUndefined();
    expect(lineTail({ ...r, backend: 'cpu' })).toBeUndefined();
  });

  it('lets a worker post a result without its params, which the pool reads back from its line', () => {
    const planned = classifierConfig({ lr: 1e-3 });
    for (const r of [recorded('ok', 0.5), recorded('singular', Number.NaN)]) {
      const tail = lineTail(r)!;
      const posted = structuredClone(withoutParams(r));
      expect(posted.params).toBeUndefined();
      const restored = { ...posted, config: planned, backend: 'native' };
      const line = lineFromTail(r.id, planned, tail, 'native');
      const whole = { ...r, config: planned, backend: 'native' };
      expect(paramsFromLine(restored, line)).toBe(restored);
      // The same keys in the same order, the same values (non-finite ones too), the same line.
      expect(Object.keys(restored)).toEqual(Object.keys(whole));
      expect(resultLine(restored)).toBe(resultLine(whole));
      expect(restored).toEqual(whole);
      expect(restored.params).toBe(restored.params);
      expect({ ...restored }).toEqual(whole);
    }
    // Params set before they are read replace them; a result without params is left as it is.
    const r = recorded('ok', 1);
    const restored = paramsFromLine({ ...withoutParams(r), backend: 'cpu' }, '{}');
    restored.params = { w: 1 };
    expect(restored.params).toEqual({ w: 1 });
    const { params: _params, ...bare } = r;
    expect(withoutParams(bare as RunResult)).toBe(bare);
    expect('params' in paramsFromLine(bare as RunResult, '{}')).toBe(false);
  });
});
