import type { Experiment, RunSpec } from '../types.js';
import { configWith, runAt, runCount } from './expand.js';
import { affectsShape, type Group, type StepCounter, shapeKey } from './pack.js';

/** A group of a sweep, known by arithmetic: the axis values it fixes, and its first run. */
export interface SweepGroup extends Group {
  /** Value index of each axis that affects the shape key (others: -1, free). */
  digits: number[];
  first: number;
}

/**
 * The shape-key groups of a sweep without expanding it: only the axes that
 * can change the shape key (task options, parameterization, dim, ...) split
 * runs into groups, so each combination of their values is one group holding
 * the product of the other axes' lengths. Planning a million runs thus makes
 * one config per group, not per run. Sweep axes are single settings (the
 * config rejects whole objects), so distinct combinations have distinct
 * keys. Groups come in plan order (of their first run), as `pack` finds them.
 */
export function sweepGroups(e: Experiment, steps: StepCounter): SweepGroup[] {
  const shaping = e.axes.map((a) => affectsShape(a.path));
  const combos = e.axes.reduce((n, a, i) => (shaping[i] ? n * a.values.length : n), 1);
  const size = runCount(e) / combos;
  const groups: SweepGroup[] = [];
  for (let c = 0; c < combos; c++) {
    // Digits of combination c over the shaping axes, last axis fastest.
    const digits = e.axes.map(() => -1);
    let rest = c;
    for (let a = e.axes.length - 1; a >= 0; a--) {
      if (!shaping[a]) continue;
      digits[a] = rest % e.axes[a].values.length;
      rest = Math.floor(rest / e.axes[a].values.length);
    }
    const config = configWith(
      e,
      e.axes.flatMap((a, i) => (shaping[i] ? [[a.path, a.values[digits[i]]] as [string, unknown]] : [])),
    );
    groups.push({
      key: shapeKey(config),
      size,
      steps: steps(config),
      dim: config.dim,
      digits,
      first: indexOf(e, digits, 0),
    });
  }
  return groups.sort((a, b) => a.first - b.first);
}

/** Run k (0-based, plan order) of a group: the free axes count k in mixed radix, last axis fastest. */
export function runOfGroup(e: Experiment, g: SweepGroup, k: number): RunSpec {
  return runAt(e, indexOf(e, g.digits, k));
}

/** The sweep index of the run with the fixed digits and free axes counting `k`. */
function indexOf(e: Experiment, digits: number[], k: number): number {
  let rest = k;
  const full = digits.slice();
  for (let a = e.axes.length - 1; a >= 0; a--) {
    if (digits[a] >= 0) continue;
    full[a] = rest % e.axes[a].values.length;
    rest = Math.floor(rest / e.axes[a].values.length);
  }
  return full.reduce((i, d, a) => i * e.axes[a].values.length + d, 0);
}
