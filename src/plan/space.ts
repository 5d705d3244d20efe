import type { SweepDim, SweepSpace, SweepValue } from '../types.js';

/** Combinations of dims [from, to): the product of their lengths. */
export function combos(dims: readonly SweepDim[], from = 0, to = dims.length): number {
  let n = 1;
  for (let d = from; d < to; d++) n *= dims[d].values.length;
  return n;
}

/** Writes the digits of combination `index` of dims [from, to) (last fastest) into `digits`. */
export function spell(
  dims: readonly SweepDim[],
  from: number,
  to: number,
  index: number,
  digits: number[],
): void {
  let rest = index;
  for (let d = to - 1; d >= from; d--) {
    const n = dims[d].values.length;
    digits[d] = rest % n;
    rest = Math.floor(rest / n);
  }
}

/** The combination index of `digits` over dims [from, to). */
export function indexOfDigits(
  dims: readonly SweepDim[],
  from: number,
  to: number,
  digits: readonly number[],
): number {
  let index = 0;
  for (let d = from; d < to; d++) index = index * dims[d].values.length + digits[d];
  return index;
}

/** Runs of the product that survive the exclude rules. */
export function productRuns(s: SweepSpace): number {
  const prefixes = s.kept ? s.kept.length : combos(s.dims, 0, s.cut);
  return prefixes * combos(s.dims, s.cut);
}

/** Every run: the kept product, then the included runs. */
export function spaceRuns(s: SweepSpace): number {
  return productRuns(s) + s.include.length;
}

/** Digits of product run `i` (0-based among the kept runs). */
export function digitsOf(s: SweepSpace, i: number): number[] {
  const suffix = combos(s.dims, s.cut);
  const rank = Math.floor(i / suffix);
  const digits = new Array<number>(s.dims.length);
  spell(s.dims, 0, s.cut, s.kept ? s.kept[rank] : rank, digits);
  spell(s.dims, s.cut, s.dims.length, i % suffix, digits);
  return digits;
}

/** The settings a combination of dims sets, dependents included. */
export function picksOfDigits(s: SweepSpace, digits: readonly number[]): [string, SweepValue][] {
  const picks: [string, SweepValue][] = [];
  s.dims.forEach((dim, d) => {
    for (const [j, path] of dim.paths.entries()) picks.push([path, dim.values[digits[d]][j]]);
  });
  for (const dep of s.depends) {
    const on = picks.find(([path]) => path === dep.on)!;
    picks.push([dep.path, dep.values[String(on[1])]]);
  }
  return picks;
}

/** The settings run `i` of the sweep sets over the base (in `expand` order). */
export function picksAt(s: SweepSpace, i: number): [string, SweepValue][] {
  const product = productRuns(s);
  return i < product ? picksOfDigits(s, digitsOf(s, i)) : s.include[i - product];
}

/**
 * The position among the kept product runs of the combination `digits`, or -1
 * if an exclude rule dropped it.
 */
export function positionOf(s: SweepSpace, digits: readonly number[]): number {
  const prefix = indexOfDigits(s.dims, 0, s.cut, digits);
  let rank = prefix;
  if (s.kept) {
    // The kept prefixes are ascending: binary search.
    let [lo, hi] = [0, s.kept.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.kept[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    if (s.kept[lo] !== prefix) return -1;
    rank = lo;
  }
  return rank * combos(s.dims, s.cut) + indexOfDigits(s.dims, s.cut, s.dims.length, digits);
}

/** One exclude rule as the positions it matches in the dims it constrains (all other dims: any). */
export type Rule = { dim: number; matches: boolean[] }[];

export interface Exclusion {
  cut: number;
  kept?: Uint32Array;
  /** Runs each rule removes that no earlier rule removed. */
  removed: number[];
  /** Whether each rule matches any run of the product at all. */
  matched: boolean[];
}

/**
 * Which combinations the rules keep, by walking the combinations of the dims
 * they constrain (and any before those): counts stay exact, and the walk is
 * over at most the product's size.
 */
export function exclude(dims: readonly SweepDim[], rules: readonly Rule[]): Exclusion {
  const removed = rules.map(() => 0);
  const matched = rules.map(() => false);
  const cut = rules.length === 0 ? 0 : 1 + Math.max(-1, ...rules.flat().map((m) => m.dim));
  if (rules.length === 0) return { cut, removed, matched };
  const prefixes = combos(dims, 0, cut);
  const suffix = combos(dims, cut);
  const kept = new Uint32Array(prefixes);
  let count = 0;
  const digits = new Array<number>(cut).fill(0);
  for (let p = 0; p < prefixes; p++) {
    let first = -1;
    rules.forEach((rule, r) => {
      if (!rule.every((m) => m.matches[digits[m.dim]])) return;
      matched[r] = true;
      if (first < 0) first = r;
    });
    if (first < 0) kept[count++] = p;
    else removed[first] += suffix;
    // Next combination: an odometer, last dim fastest.
    for (let d = cut - 1; d >= 0; d--) {
      if (++digits[d] < dims[d].values.length) break;
      digits[d] = 0;
    }
  }
  return { cut, kept: kept.slice(0, count), removed, matched };
}
