import { formatValue } from '../ground/format.js';
import { expand } from '../plan/expand.js';
import { canonicalJson } from '../plan/ids.js';
import type { Experiment, Suite } from '../types.js';

/** Every dotted setting path of the runs and the distinct values runs give it, in run order. */
function settingValues(e: Experiment): Map<string, Map<string, unknown>> {
  const paths = new Map<string, Map<string, unknown>>();
  const visit = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
      return;
    }
    const seen = paths.get(path) ?? new Map<string, unknown>();
    seen.set(JSON.stringify(value), value);
    paths.set(path, seen);
  };
  for (const { config } of expand(e)) visit(config, '');
  return paths;
}

function show(values: Map<string, unknown> | undefined): string {
  if (!values) return '(not set)';
  const all = [...values.values()].map((v) => (Array.isArray(v) ? JSON.stringify(v) : formatValue(v)));
  const some = all.length > 6 ? [...all.slice(0, 5), `... (${all.length} values)`] : all;
  return some.length === 1 ? some[0] : `[${some.join(', ')}]`;
}

/**
 * How the runs of `after` differ from those of `before`, one line per setting
 * (`lr.cov: [0.001, 0.01] -> [0.001, 0.03]`); empty when both plan exactly
 * the same runs, whatever else changed in the file (comments, order, the
 * description, the summary table).
 */
export function experimentChanges(before: Experiment, after: Experiment): string[] {
  const lines: string[] = [];
  if (before.name !== after.name) lines.push(`name: ${before.name} -> ${after.name}`);
  // A frontier's runs follow from its search as much as from the sweep.
  const frontier = (e: Experiment) => (e.frontier ? canonicalJson(e.frontier) : 'none');
  if (frontier(before) !== frontier(after)) lines.push(`frontier: ${frontier(before)} -> ${frontier(after)}`);
  const ids = (e: Experiment) => new Set([...expand(e)].map((r) => r.id));
  const [a, b] = [ids(before), ids(after)];
  if (a.size === b.size && [...a].every((id) => b.has(id))) return lines;
  const [va, vb] = [settingValues(before), settingValues(after)];
  for (const path of new Set([...va.keys(), ...vb.keys()])) {
    const [x, y] = [show(va.get(path)), show(vb.get(path))];
    if (x !== y) lines.push(`${path}: ${x} -> ${y}`);
  }
  const kept = [...a].filter((id) => b.has(id)).length;
  lines.push(`runs: ${a.size} -> ${b.size} (${kept} in both)`);
  return lines;
}

/**
 * `experimentChanges` for whole files, document by document in file order (each line prefixed by
 * the experiment's name when the file holds several); a document added or removed is a change.
 */
export function suiteChanges(before: Suite, after: Suite): string[] {
  if (before.experiments.length === 1 && after.experiments.length === 1)
    return experimentChanges(before.experiments[0], after.experiments[0]);
  const n = Math.max(before.experiments.length, after.experiments.length);
  return Array.from({ length: n }, (_, i) => {
    const [b, a] = [before.experiments[i], after.experiments[i]];
    if (!b) return [`document ${i + 1}: added (experiment "${a.name}")`];
    if (!a) return [`document ${i + 1}: removed (experiment "${b.name}")`];
    return experimentChanges(b, a).map((line) => `${b.name}: ${line}`);
  }).flat();
}
