import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Spec } from 'vega';
import type { Config, TopLevelSpec } from 'vega-lite';
import { keepFile, readKept } from '../ground/disk-cache.js';
import { cacheFolder } from './cache-files.js';
import { packageVersion } from './svg-cache.js';

type VegaLite = typeof import('vega-lite');

const folder = () => cacheFolder('vega-specs');

/** The name a spec's n-th inline data set gets in its shape. */
const nameOf = (n: number) => `covsweep_values_${n}`;

/**
 * A Vega-Lite spec's shape: the spec with each inline data set (`data: { values }`) replaced by a
 * named one, declared empty in `datasets`, and the values by name. Vega-Lite compiles a plot
 * without looking at its values, so plots of other results with the same panels, layers and
 * scales share a shape and its compiled Vega spec.
 */
export function shapeOf(spec: TopLevelSpec): { shape: TopLevelSpec; values: Map<string, unknown[]> } {
  const values = new Map<string, unknown[]>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => {
        if (k !== 'data' || !v || typeof v !== 'object' || !Array.isArray((v as { values?: unknown }).values))
          return [k, walk(v)];
        const { values: rows, ...rest } = v as { values: unknown[] };
        const name = nameOf(values.size);
        values.set(name, rows);
        return [k, { ...rest, name }];
      }),
    );
  };
  const shape = walk(spec) as TopLevelSpec;
  if (values.size) shape.datasets = Object.fromEntries([...values.keys()].map((name) => [name, []]));
  return { shape, values };
}

/** Compiled shapes of this process, by key. */
const compiled = new Map<string, string>();

/** Forgets the shapes compiled in this process (tests compare compilers). */
export const forgetCompiledShapes = () => compiled.clear();

/**
 * The Vega spec Vega-Lite compiles `spec` to (with `config`), its values put back in. The compiled
 * shape is kept in memory and on disk, as plots are (svg-cache.ts), by a hash of the shape, the
 * config and Vega-Lite's version: compiling takes longer than drawing a small plot, and a thread
 * whose shapes are kept does not load vega-lite at all (`vegaLite` loads it).
 */
export async function compiledSpec(
  spec: TopLevelSpec,
  config: Config,
  vegaLite: () => Promise<VegaLite>,
): Promise<Spec> {
  const { shape, values } = shapeOf(spec);
  const text = JSON.stringify([packageVersion('vega-lite'), config, shape]);
  const key = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const file = join(folder(), `${key}.json`);
  let json = compiled.get(key) ?? readKept(file);
  if (json === undefined) {
    json = JSON.stringify((await vegaLite()).compile(shape, { config }).spec);
    keepFile(file, json, true);
  }
  compiled.set(key, json);
  const vegaSpec = JSON.parse(json) as Spec;
  for (const data of vegaSpec.data ?? []) {
    const rows = values.get(data.name);
    if (rows) (data as { values: unknown[] }).values = rows;
  }
  return vegaSpec;
}
