import type { Ajv } from 'ajv';
import { dataPath } from '../data/table.js';
import type { Catalog } from '../engine/catalog.js';
import type { Plugin } from '../engine/plugins/registry.js';
import { defaultCatalog } from '../engine/registry.js';
import { ProblemList } from '../ground/errors.js';
import type { Suite } from '../types.js';
import { parseSuite, readExperimentFile } from './load.js';
import type { Override } from './overrides.js';
import { namedModules } from './plugins.js';
import { ConfigSource } from './source.js';

/**
 * Loads the plugin modules an experiment file names (`task.module`, `parameterization_modules`):
 * imports each, checks it against its contract and registers it, so that `parseSuite` finds its
 * task and parameterizations. A module that cannot be imported or does not fit is an `E_CONFIG`
 * problem at the line that names it, with what is missing. Separate from `parseSuite` because
 * importing a module is asynchronous; files that name no module load no engine code here.
 */
export async function loadPluginsOf(file: string, text: string): Promise<void> {
  const problems = new ProblemList();
  for (const source of ConfigSource.documents(file, text)) {
    let data: unknown;
    try {
      data = source.toData();
    } catch {
      continue; // parseSuite reports a document that is not valid YAML.
    }
    const named = namedModules(data);
    if (!named.length) continue;
    const [{ loadPlugin, PluginError }, { Ajv }] = await Promise.all([
      import('../engine/plugins/load.js'),
      import('ajv'),
    ]);
    for (const m of named) {
      try {
        const loaded = await loadPlugin(dataPath(source.file, m.written), m.role);
        const bad = invalidSchemas(new Ajv({ strict: true, allowUnionTypes: true }), loaded.plugin);
        if (bad.length)
          throw new PluginError(
            `the module ${loaded.path} declares options whose JSON Schema is not valid: ${bad.join('; ')}`,
          );
      } catch (err) {
        if (!(err instanceof PluginError)) throw err;
        problems.add(
          source.problem(source.locate(m.path).node, `${err.message}; see "Your own model" in the README`),
        );
      }
    }
  }
  problems.throwIfAny();
}

/** `loadSuite` for files that may name plugin modules: loads them first. */
export async function loadSuiteWithPlugins(
  file: string,
  catalog: Catalog = defaultCatalog,
  overrides: readonly Override[] = [],
): Promise<Suite> {
  const text = readExperimentFile(file);
  // The modules the file names as written: an override sets options, not which module runs.
  await loadPluginsOf(file, text);
  return parseSuite(text, file, catalog, overrides);
}

/**
 * A plugin's option schemas that ajv (strict, as the experiment schema is compiled) rejects, each
 * with ajv's reason: caught here, at the module, rather than as a crash compiling the file's schema.
 */
function invalidSchemas(ajv: Ajv, plugin: Plugin): string[] {
  const options = [
    ...Object.entries(plugin.task?.options ?? {}).map(([k, v]) => [`task.options.${k}`, v] as const),
    ...(plugin.parameterizations ?? []).flatMap((p) =>
      Object.entries(p.options?.schema ?? {}).map(([k, v]) => [`${p.name}: options.schema.${k}`, v] as const),
    ),
  ];
  return options.flatMap(([where, schema]) => {
    try {
      ajv.compile(schema);
      return [];
    } catch (err) {
      return [`${where} (${(err as Error).message})`];
    }
  });
}
