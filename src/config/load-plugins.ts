import { dataPath } from '../data/table.js';
import type { Catalog } from '../engine/catalog.js';
import { defaultCatalog } from '../engine/registry.js';
import { ProblemList } from '../ground/errors.js';
import type { Suite } from '../types.js';
import { parseSuite, readExperimentFile } from './load.js';
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
    const { loadPlugin, PluginError } = await import('../engine/plugins/load.js');
    for (const m of named) {
      try {
        await loadPlugin(dataPath(source.file, m.written), m.role);
      } catch (err) {
        if (!(err instanceof PluginError)) throw err;
        problems.add(
          source.problem(source.locate(m.path).node, `${err.message}; see "Plugins" in the README`),
        );
      }
    }
  }
  problems.throwIfAny();
}

/** `loadSuite` for files that may name plugin modules: loads them first. */
export async function loadSuiteWithPlugins(file: string, catalog: Catalog = defaultCatalog): Promise<Suite> {
  const text = readExperimentFile(file);
  await loadPluginsOf(file, text);
  return parseSuite(text, file, catalog);
}
