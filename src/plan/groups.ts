import { type Experiment, isCommand, type RunConfig, type RunSpec } from '../types.js';
import { configWith, runAt } from './expand.js';
import { affectsShape, type Group, type StepCounter, shapeKey } from './pack.js';
import { combos, indexOfDigits, picksOfDigits, productRuns, spell } from './space.js';

/** A group of a sweep, known by arithmetic: the dim values it fixes, and its first run. */
export interface SweepGroup extends Group {
  /** Value index of each dim that affects the shape key (others: -1, free). */
  digits: number[];
  /** Ranks among the kept prefixes (dims before the space's cut) of this group's, ascending. */
  prefixes: ArrayLike<number>;
  /** Runs of the product in this group; the rest are the included runs `extra`. */
  product: number;
  /** Sweep indices of the product runs, ascending, when the group is not one combination of dims. */
  indices?: Float64Array;
  extra: number[];
  first: number;
}

/**
 * The shape-key groups of a sweep without expanding it: only the dims that can
 * change the shape key (task options, parameterization, dim, and axes that a
 * shaping setting depends on) split runs into groups, so each combination of
 * their values is one group holding every combination of the other dims.
 * Exclude rules make group sizes uneven; the kept prefixes are sorted into
 * their groups once (a counting sort), so a group's k-th run is still
 * arithmetic. Included runs join the group of their shape key, after its
 * product runs, as `pack` finds them. Planning a million runs thus makes one
 * config per group, not per run. Groups come in plan order (of their first run).
 */
export function sweepGroups(
  e: Experiment,
  steps: StepCounter,
  laneBytes?: (config: RunConfig) => number,
): SweepGroup[] {
  const s = e.space;
  const { dims, cut } = s;
  const shaping = dims.map((dim) =>
    dim.paths.some((p) => affectsShape(p) || s.depends.some((dep) => dep.on === p && affectsShape(dep.path))),
  );
  // Kept prefixes sorted by the digits of their shaping dims.
  const prefixCount = s.kept ? s.kept.length : combos(dims, 0, cut);
  const keyOf = (digits: number[]) =>
    dims.slice(0, cut).reduce((k, dim, d) => (shaping[d] ? k * dim.values.length + digits[d] : k), 0);
  const digits = new Array<number>(dims.length).fill(0);
  const keys = new Uint32Array(prefixCount);
  const buckets = new Map<number, number>();
  for (let rank = 0; rank < prefixCount; rank++) {
    spell(dims, 0, cut, s.kept ? s.kept[rank] : rank, digits);
    keys[rank] = keyOf(digits);
    buckets.set(keys[rank], (buckets.get(keys[rank]) ?? 0) + 1);
  }
  const offsets = new Map<number, number>();
  let offset = 0;
  for (const [key, n] of [...buckets].sort((a, b) => a[0] - b[0])) {
    offsets.set(key, offset);
    offset += n;
  }
  const ranks = new Uint32Array(prefixCount);
  const fill = new Map(offsets);
  for (let rank = 0; rank < prefixCount; rank++) {
    const at = fill.get(keys[rank])!;
    ranks[at] = rank;
    fill.set(keys[rank], at + 1);
  }
  const shapingAfter = dims.map((_, d) => d >= cut && shaping[d]);
  const suffixCombos = dims.reduce((n, dim, d) => (shapingAfter[d] ? n * dim.values.length : n), 1);
  const free = dims.reduce((n, dim, d) => (d >= cut && !shaping[d] ? n * dim.values.length : n), 1);
  const groups: SweepGroup[] = [];
  for (const [key, start] of offsets) {
    const prefixes = ranks.subarray(start, start + buckets.get(key)!);
    for (let c = 0; c < suffixCombos; c++) {
      const fixed = dims.map(() => -1);
      spell(dims, 0, cut, s.kept ? s.kept[prefixes[0]] : prefixes[0], fixed);
      for (let d = 0; d < cut; d++) if (!shaping[d]) fixed[d] = -1;
      let rest = c;
      for (let d = dims.length - 1; d >= cut; d--) {
        if (!shapingAfter[d]) continue;
        fixed[d] = rest % dims[d].values.length;
        rest = Math.floor(rest / dims[d].values.length);
      }
      const config = configWith(
        e,
        picksOfDigits(
          s,
          fixed.map((d) => Math.max(d, 0)),
        ),
      );
      const group: SweepGroup = {
        key: shapeKey(config),
        size: prefixes.length * free,
        steps: steps(config),
        dim: config.dim,
        ...(isCommand(config) ? { alone: true } : {}),
        laneBytes: laneBytes?.(config),
        digits: fixed,
        prefixes,
        product: prefixes.length * free,
        extra: [],
        first: 0,
      };
      group.first = indexOf(e, group, 0);
      groups.push(group);
    }
  }
  const merged = mergeEqualKeys(e, groups);
  const byKey = new Map(merged.map((g) => [g.key, g]));
  const product = productRuns(s);
  s.include.forEach((picks, t) => {
    const config = configWith(e, picks);
    const key = shapeKey(config);
    let group = byKey.get(key);
    if (!group) {
      group = {
        key,
        size: 0,
        steps: steps(config),
        dim: config.dim,
        ...(isCommand(config) ? { alone: true } : {}),
        digits: [],
        prefixes: [],
        product: 0,
        extra: [],
        first: product + t,
      };
      byKey.set(key, group);
      merged.push(group);
    }
    group.extra.push(t);
    group.size++;
  });
  return merged.sort((a, b) => a.first - b.first);
}

/**
 * Combinations of dims that share a shape key (a shaping setting that depends on an axis and
 * gives two of its values the same value) are one group to `pack`: their runs, listed, in plan order.
 */
function mergeEqualKeys(e: Experiment, groups: SweepGroup[]): SweepGroup[] {
  const byKey = new Map<string, SweepGroup[]>();
  for (const g of groups) byKey.set(g.key, [...(byKey.get(g.key) ?? []), g]);
  return [...byKey.values()].map((parts) => {
    if (parts.length === 1) return parts[0];
    const indices = new Float64Array(parts.reduce((n, g) => n + g.product, 0));
    let at = 0;
    for (const g of parts) for (let k = 0; k < g.product; k++) indices[at++] = indexOf(e, g, k);
    indices.sort();
    return { ...parts[0], size: indices.length, product: indices.length, indices, first: indices[0] };
  });
}

/** Run k (0-based, plan order) of a group: its product runs (free dims counting k), then its included runs. */
export function runOfGroup(e: Experiment, g: SweepGroup, k: number): RunSpec {
  return runAt(e, indexOf(e, g, k));
}

/** The sweep index of run k of group g. */
function indexOf(e: Experiment, g: SweepGroup, k: number): number {
  const { dims, cut } = e.space;
  if (k >= g.product) return productRuns(e.space) + g.extra[k - g.product];
  if (g.indices) return g.indices[k];
  let rest = k;
  const full = g.digits.slice();
  for (let d = dims.length - 1; d >= cut; d--) {
    if (g.digits[d] >= 0) continue;
    full[d] = rest % dims[d].values.length;
    rest = Math.floor(rest / dims[d].values.length);
  }
  // What is left of k counts the group's prefixes.
  return g.prefixes[rest] * combos(dims, cut) + indexOfDigits(dims, cut, dims.length, full);
}
