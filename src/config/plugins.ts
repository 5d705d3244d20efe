import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dataPath } from '../data/table.js';
import type { Catalog, CatalogTask } from '../engine/catalog.js';
import { loadedPlugin } from '../engine/plugins/registry.js';
import type { ProblemList } from '../ground/errors.js';
import type { JsonSchema } from '../ground/json-schema.js';
import type { FileRef, RunConfig } from '../types.js';
import { COMMAND_TASK, commandTask } from './command.js';
import type { ConfigSource } from './source.js';

/**
 * Files an experiment names beside `task.data`: a plugin task's module (`task.module`), plugin
 * parameterization modules (`parameterization_modules`) and a command's script. Each resolves
 * against the experiment file as `task.data` does (in a run folder: its copy there), and its
 * content hash enters the run ids.
 */

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The module paths a document names, as written, with where they are written. */
export function namedModules(
  data: unknown,
): { written: string; path: string[]; role: 'task' | 'parameterizations' }[] {
  if (!isObject(data)) return [];
  const found: { written: string; path: string[]; role: 'task' | 'parameterizations' }[] = [];
  if (isObject(data.task) && typeof data.task.module === 'string')
    found.push({ written: data.task.module, path: ['task', 'module'], role: 'task' });
  if (Array.isArray(data.parameterization_modules))
    data.parameterization_modules.forEach((m, i) => {
      if (typeof m === 'string')
        found.push({ written: m, path: ['parameterization_modules', String(i)], role: 'parameterizations' });
    });
  return found;
}

const MODULE_OPTION: JsonSchema = {
  type: 'string',
  description: 'The ES module (relative to the experiment file) that implements this task.',
};

/**
 * The catalog a document validates against: `catalog` plus its command task or plugin task and
 * plugin parameterizations (loaded beforehand: `loadPluginsOf`). A command or module task's map
 * may leave out `name`; it is filled in here, so the schema and everything after it see a named task.
 */
export function documentCatalog(
  data: unknown,
  catalog: Catalog,
  source: ConfigSource,
  problems: ProblemList,
): Catalog {
  if (!isObject(data)) return catalog;
  let tasks = catalog.tasks;
  let parameterizations = catalog.parameterizations;
  let parameterizationOptions = catalog.parameterizationOptions;
  const task = data.task;
  if (isObject(task) && Array.isArray(task.command)) {
    task.name ??= COMMAND_TASK;
    tasks = [...tasks, commandTask(task)];
  }
  for (const m of namedModules(data)) {
    const loaded = loadedPlugin(dataPath(source.file, m.written));
    if (!loaded) {
      problems.add(
        source.problem(
          source.locate(m.path).node,
          `the module ${m.written} is not loaded: another version of its plugin is (it changed since), or nothing loaded it (load the file with loadSuiteWithPlugins, as the CLI does)`,
        ),
      );
      continue;
    }
    if (m.role === 'task' && isObject(task)) {
      const t = loaded.plugin.task!;
      task.name ??= t.name;
      const entry: CatalogTask = { ...t, options: { module: MODULE_OPTION, ...t.options } };
      tasks = [...tasks.filter((x) => x.name !== t.name), entry];
    } else {
      for (const p of loaded.plugin.parameterizations ?? []) {
        if (!parameterizations.includes(p.name)) parameterizations = [...parameterizations, p.name];
        parameterizationOptions = { ...parameterizationOptions, ...p.options?.schema };
      }
    }
  }
  if (tasks === catalog.tasks && parameterizations === catalog.parameterizations) return catalog;
  return { ...catalog, tasks, parameterizations, parameterizationOptions };
}

/** A file's reference in a run config, and its absolute path. */
function fileRef(source: ConfigSource, written: string): { ref: FileRef; path: string } {
  const path = dataPath(source.file, written);
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { ref: { file: written, sha256 }, path };
}

/**
 * Puts what identifies the experiment's modules and command script into the base config (the
 * path as written and its SHA-256, as for `task.data`) and returns the files, as written and
 * absolute, for run folders to copy. A command's script is its first argument that names a file
 * beside the experiment file; a command naming none (`[node, -e, ...]`) has no script.
 */
export function resolveFiles(
  base: RunConfig,
  data: Record<string, unknown>,
  source: ConfigSource,
  problems: ProblemList,
): { written: string; path: string }[] {
  const files: { written: string; path: string }[] = [];
  const take = (written: string, at: string[]) => {
    try {
      const { ref, path } = fileRef(source, written);
      files.push({ written, path });
      return ref;
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
      problems.add(
        source.problem(
          source.locate(at).node,
          `cannot read ${written} (${reason}); check the path (relative to the experiment file)`,
        ),
      );
      return undefined;
    }
  };
  if (typeof base.task.module === 'string') base.task.module = take(base.task.module, ['task', 'module']);
  const modules = data.parameterization_modules;
  if (Array.isArray(modules) && modules.length)
    base.parameterization_modules = modules.map(
      (m, i) => take(String(m), ['parameterization_modules', String(i)])!,
    );
  const command = base.task.command;
  if (base.task.name === COMMAND_TASK && Array.isArray(command)) {
    const i = command.findIndex(
      (arg, k) => (k > 0 || arg.includes('/')) && isFile(dataPath(source.file, arg)),
    );
    if (i >= 0) base.task.script = take(command[i], ['task', 'command', String(i)]);
  }
  return files;
}

const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
