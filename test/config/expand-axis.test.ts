import { describe, expect, it } from 'vitest';
import { axisLength, expandAxis } from '../../src/config/sweep.js';

describe('expandAxis', () => {
  it('keeps lists as given', () => {
    expect(expandAxis(['full', 'tril'])).toEqual(['full', 'tril']);
    expect(expandAxis([true, false])).toEqual([true, false]);
  });

  it('turns a seed count n into 0..n-1', () => {
    expect(expandAxis(3)).toEqual([0, 1, 2]);
  });

  it('ranges like Python: stop excluded, step 1 by default, negative steps', () => {
    expect(expandAxis({ range: [2, 9, 2] })).toEqual([2, 4, 6, 8]);
    expect(expandAxis({ range: [0, 3] })).toEqual([0, 1, 2]);
    expect(expandAxis({ range: [5, 0, -2] })).toEqual([5, 3, 1]);
    expect(expandAxis({ range: [5, 0] })).toEqual([]);
    expect(expandAxis({ range: [0.1, 0.5, 0.1] })).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(() => expandAxis({ range: [0, 1, 0] })).toThrow(RangeError);
  });

  it('linspace includes both ends', () => {
    expect(expandAxis({ linspace: [0.001, 0.003, 3] })).toEqual([0.001, 0.002, 0.003]);
    expect(expandAxis({ linspace: [0, 1, 5] })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(expandAxis({ linspace: [-1, 1, 3] })).toEqual([-1, 0, 1]);
    expect(expandAxis({ linspace: [4, 7, 1] })).toEqual([4]);
  });

  it('logspace is even in log10 and canonical to 12 significant digits', () => {
    const values = expandAxis({ logspace: [1e-5, 1e-2, 7] });
    expect(values).toEqual([
      1e-5, 0.0000316227766017, 1e-4, 0.000316227766017, 0.001, 0.00316227766017, 0.01,
    ]);
    expect(values).toContain(0.001);
    expect(expandAxis({ logspace: [1, 1000, 4] })).toEqual([1, 10, 100, 1000]);
    expect(expandAxis({ logspace: [3, 30, 1] })).toEqual([3]);
  });

  it('leaves integers exact, even past 12 digits', () => {
    expect(expandAxis({ range: [1e13, 1e13 + 2] })).toEqual([1e13, 1e13 + 1]);
  });

  it('counts without expanding', () => {
    expect(axisLength({ logspace: [1, 2, 1e9] })).toBe(1e9);
    expect(axisLength({ range: [0, 1e12] })).toBe(1e12);
    expect(axisLength({ range: [0, 1, 0] })).toBeNaN();
  });
});
