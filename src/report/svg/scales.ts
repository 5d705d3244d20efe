import { format as d3Format } from 'd3-format';
import { scaleLinear, scaleLog, scaleSymlog } from 'd3-scale';
import type { Axis, NumberAxis } from './model.js';

/** An axis mapped onto `length` pixels: where a value goes, its ticks, and a band's width (0 when not banded). */
export interface Scale {
  at: (v: number) => number;
  bandwidth: number;
  ticks: { value: number; label: string }[];
  /** Gridlines between the ticks: a log axis's 2..9 times each power. */
  minor: number[];
  /** Whether gridlines belong (not between a heatmap's cells). */
  grid: boolean;
}

/** Pixels per tick wanted along an axis, as vega's default tick count (one per 40 px). */
const PX_PER_TICK = 40;

/** A point axis leaves this share of a step free before its first point and after its last. */
const POINT_PADDING = 0.5;

/**
 * The scale of `axis` over `length` pixels. y axes are flipped by the caller (`flip`): pixel 0 at
 * the domain's top.
 */
export function scaleOf(axis: Axis, length: number, flip = false): Scale {
  if (axis.type === 'band' || axis.type === 'point') {
    const n = Math.max(1, axis.values.length);
    const band = axis.type === 'band';
    // A point axis keeps half a step free at each end, as Vega-Lite's point scales do.
    const step = band ? length / n : length / (n - 1 + 2 * POINT_PADDING);
    const start = band ? 0 : step * POINT_PADDING;
    // Categories read top to bottom on a y axis, as a table's rows do: never flipped.
    const at = (i: number) => start + i * step;
    return {
      at,
      bandwidth: band ? step : 0,
      ticks: axis.values.map((label, i) => ({ value: i, label })),
      minor: [],
      grid: !band,
    };
  }
  return numberScale(axis as NumberAxis, length, flip);
}

/** A tick's (or a mark's) position: on a band scale, the centre of its band. */
export const tickAt = (s: Scale, v: number) => s.at(v) + s.bandwidth / 2;

function numberScale(axis: NumberAxis, length: number, flip: boolean): Scale {
  const pad = axis.padding ?? 0;
  const range: [number, number] = flip ? [length - pad, pad] : [pad, length - pad];
  const count = Math.max(2, Math.ceil(length / PX_PER_TICK));
  let [lo, hi] = axis.domain;
  if (axis.zero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)];
  // A single value (one rate, a flat line) gets a domain around it.
  if (!(hi > lo))
    [lo, hi] =
      axis.type === 'log'
        ? [lo / 2, hi * 2]
        : lo === 0
          ? [0, 1]
          : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  if (axis.type === 'log') {
    const base = axis.base ?? 10;
    if (axis.nice !== false)
      [lo, hi] = [base ** Math.floor(logOf(lo, base) + 1e-9), base ** Math.ceil(logOf(hi, base) - 1e-9)];
    const s = scaleLog().base(base).domain([lo, hi]).range(range);
    const values = axis.values ?? logTicks(lo, hi, base, count);
    // Minor lines only where there is room: a few decades over the axis's length.
    const minor =
      base === 10 && !axis.values && logOf(hi / lo, base) <= count
        ? s.ticks().filter((v) => !values.includes(v))
        : [];
    return { at: s, bandwidth: 0, ticks: labelled(values, axis.format ?? '~g'), minor, grid: true };
  }
  if (axis.type === 'symlog') {
    const s = scaleSymlog()
      .constant(axis.constant ?? 1)
      .domain([lo, hi])
      .range(range);
    const values = axis.values ?? s.ticks(count);
    return { at: s, bandwidth: 0, ticks: labelled(values, axis.format ?? '~g'), minor: [], grid: true };
  }
  const s = scaleLinear().domain([lo, hi]).range(range);
  if (axis.nice !== false) s.nice(count);
  // Counts of runs: no tick between whole numbers, so at most one per unit of the domain.
  const wanted = axis.integer
    ? Math.min(count, Math.max(1, Math.floor(s.domain()[1] - s.domain()[0])))
    : count;
  let values = axis.values ?? s.ticks(wanted);
  if (axis.integer) values = values.filter(Number.isInteger);
  const label = axis.format ? d3Format(axis.format) : s.tickFormat(wanted);
  return {
    at: s,
    bandwidth: 0,
    ticks: values.map((value) => ({ value, label: label(value) })),
    minor: [],
    grid: true,
  };
}

const logOf = (v: number, base: number) => Math.log(v) / Math.log(base);

/**
 * Ticks of a log axis from lo to hi: every power of the base, thinned to every k-th when there
 * are more than `count`; within two decades or less (base 10), also 2 and 5 times each power,
 * so that a short axis still has ticks between its ends.
 */
export function logTicks(lo: number, hi: number, base: number, count: number): number[] {
  const first = Math.ceil(logOf(lo, base) - 1e-9);
  const last = Math.floor(logOf(hi, base) + 1e-9);
  const powers: number[] = [];
  const k = Math.max(1, Math.ceil((last - first + 1) / count));
  for (let p = first; p <= last; p++) if ((p - first) % k === 0) powers.push(exactPower(base, p));
  if (base !== 10 || logOf(hi / lo, base) > 2 + 1e-9) return powers;
  const within: number[] = [];
  for (let p = first - 1; p <= last; p++)
    for (const m of [1, 2, 5]) {
      const v = m * exactPower(base, p);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) within.push(v);
    }
  return within;
}

/** base^p without the binary noise of negative powers (10 ** -3 is 0.0010000000000000002). */
const exactPower = (base: number, p: number) => (p < 0 ? 1 / base ** -p : base ** p);

const labelled = (values: readonly number[], format: string) => {
  const f = d3Format(format);
  return values.map((value) => ({ value, label: f(value) }));
};
