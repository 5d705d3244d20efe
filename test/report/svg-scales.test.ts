import { describe, expect, it } from 'vitest';
import { logTicks, scaleOf } from '../../src/report/svg/scales.js';

const ticks = (...a: Parameters<typeof scaleOf>) => scaleOf(...a).ticks;
const values = (...a: Parameters<typeof scaleOf>) => ticks(...a).map((t) => t.value);
const labels = (...a: Parameters<typeof scaleOf>) => ticks(...a).map((t) => t.label);

describe('a linear axis', () => {
  it('rounds its domain out to nice ticks, one per 40 pixels or so', () => {
    const axis = { type: 'linear', title: '', domain: [0, 0.93] } as const;
    expect(values(axis, 400)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(labels(axis, 400).slice(0, 3)).toEqual(['0.0', '0.1', '0.2']);
    expect(values({ type: 'linear', title: '', domain: [3, 1987] }, 400)).toEqual([
      0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000,
    ]);
    expect(labels({ type: 'linear', title: '', domain: [3, 1987] }, 160)).toEqual([
      '0',
      '500',
      '1,000',
      '1,500',
      '2,000',
    ]);
  });

  it('reaches zero when asked, formats as asked, and counts whole runs in whole numbers', () => {
    expect(values({ type: 'linear', title: '', domain: [4, 9], zero: true }, 100)[0]).toBe(0);
    expect(labels({ type: 'linear', title: '', domain: [0, 1], nice: false, format: '.0%' }, 220)).toEqual([
      '0%',
      '20%',
      '40%',
      '60%',
      '80%',
      '100%',
    ]);
    expect(values({ type: 'linear', title: '', domain: [0, 3], integer: true }, 70)).toEqual([0, 2, 4]);
    expect(values({ type: 'linear', title: '', domain: [0, 3], integer: true }, 160)).toEqual([0, 1, 2, 3]);
    expect(values({ type: 'linear', title: '', domain: [0, 1], integer: true }, 70)).toEqual([0, 1]);
  });

  it('maps its domain onto the pixels, y upwards when flipped', () => {
    const axis = { type: 'linear', title: '', domain: [0, 10], nice: false } as const;
    expect(scaleOf(axis, 100).at(5)).toBe(50);
    expect(scaleOf(axis, 100, true).at(0)).toBe(100);
    expect(scaleOf(axis, 100, true).at(10)).toBe(0);
    expect(scaleOf({ ...axis, padding: 5 }, 110).at(0)).toBe(5);
  });

  it('gives a single value a domain around it', () => {
    const s = scaleOf({ type: 'linear', title: '', domain: [2, 2], nice: false }, 100);
    expect(s.at(2)).toBe(50);
    expect(scaleOf({ type: 'linear', title: '', domain: [0, 0] }, 100).ticks.length).toBeGreaterThan(1);
  });
});

describe('a log axis', () => {
  it('is labelled at powers of ten over more than two decades, 1-2-5 within two', () => {
    expect(values({ type: 'log', title: '', domain: [1e-5, 0.01] }, 560)).toEqual([1e-5, 1e-4, 1e-3, 1e-2]);
    expect(labels({ type: 'log', title: '', domain: [1e-5, 0.01], format: '~g' }, 560)).toEqual([
      '0.00001',
      '0.0001',
      '0.001',
      '0.01',
    ]);
    expect(values({ type: 'log', title: '', domain: [1.2, 95] }, 150)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('rounds its domain out to powers of its base, and thins the powers a short axis cannot hold', () => {
    const s = scaleOf({ type: 'log', title: '', domain: [3e-4, 0.02] }, 300);
    expect(s.at(1e-4)).toBeCloseTo(0, 9);
    expect(s.at(0.1)).toBeCloseTo(300, 9);
    expect(s.at(1e-2)).toBeCloseTo(200, 9);
    expect(logTicks(1, 1e6, 10, 2)).toEqual([1, 1e4]);
    // Minor lines at 2..9 times each power, but no labels there.
    expect(s.minor).toContain(0.002);
    expect(s.ticks.map((t) => t.value)).not.toContain(0.002);
  });

  it('takes the values it is given, on any base', () => {
    const axis = {
      type: 'log',
      base: 2,
      title: '',
      domain: [2, 32],
      nice: false,
      values: [2, 4, 8, 16, 32],
    } as const;
    const s = scaleOf(axis, 400);
    for (const [i, t] of s.ticks.entries()) expect(s.at(t.value)).toBeCloseTo(100 * i, 9);
  });
});

describe('a symmetric-log axis', () => {
  it('is linear near zero and logarithmic far from it', () => {
    const s = scaleOf({ type: 'symlog', title: '', domain: [0, 99], constant: 1, nice: false }, 200);
    expect(s.at(0)).toBe(0);
    // log1p(9) / log1p(99) of the way: half.
    expect(s.at(9)).toBeCloseTo(100, 9);
  });
});

describe('categorical axes', () => {
  it('give each category a band, first at the top of a y axis, or a point half a step from the ends', () => {
    const band = scaleOf({ type: 'band', title: '', values: ['a', 'b', 'c', 'd'] }, 200, true);
    expect([band.at(0), band.at(1), band.bandwidth]).toEqual([0, 50, 50]);
    expect(band.ticks.map((t) => t.label)).toEqual(['a', 'b', 'c', 'd']);
    expect(band.grid).toBe(false);
    const point = scaleOf({ type: 'point', title: '', values: ['x', 'y', 'z'] }, 300);
    expect([point.at(0), point.at(1), point.at(2), point.bandwidth]).toEqual([50, 150, 250, 0]);
  });
});
