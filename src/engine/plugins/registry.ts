import { addParameterization } from '../parameterizations/specs.js';
import type { Parameterization } from '../parameterizations/types.js';
import { addTask } from '../tasks/specs.js';
import type { Task } from '../tasks/types.js';

/**
 * What a plugin module gives: a task (named by `task: { module: ... }`), or parameterizations
 * (named by `parameterization_modules`), or both. See `PluginModule` for how a module exports it.
 */
export interface Plugin {
  task?: Task;
  parameterizations?: Parameterization[];
}

/** A plugin module as loaded: where it is, the SHA-256 of its bytes, and what it gave. */
export interface LoadedPlugin {
  path: string;
  sha256: string;
  plugin: Plugin;
}

/**
 * The plugin modules this process (main thread or worker) has loaded, by absolute path. The
 * built-in registries stay fixed; a plugin's task and parameterizations are added to the
 * registries' lookups (`task(name)`, `parameterization(name)`), which look there after the
 * built-ins, so a plugin is used through exactly the lookups the built-ins are.
 */
const byPath = new Map<string, LoadedPlugin>();
const tasks = new Map<string, LoadedPlugin>();
const parameterizations = new Map<string, LoadedPlugin>();

/**
 * Registers a loaded module's task and parameterizations under their names. `taken` says whether a
 * name is built in. Throws (a plain Error: the caller words it for its file) when a name is taken
 * by a built-in or by another module, or when the path was loaded before with other content.
 */
export function registerPlugin(
  loaded: LoadedPlugin,
  taken: (kind: 'task' | 'parameterization', name: string) => boolean,
): void {
  const before = byPath.get(loaded.path);
  if (before) {
    if (before.sha256 === loaded.sha256) return;
    throw new Error(
      `it changed since this process loaded it (sha256 ${before.sha256.slice(0, 12)} then, ${loaded.sha256.slice(0, 12)} now)`,
    );
  }
  const names: readonly (readonly [Map<string, LoadedPlugin>, 'task' | 'parameterization', string])[] = [
    ...(loaded.plugin.task ? [[tasks, 'task', loaded.plugin.task.name] as const] : []),
    ...(loaded.plugin.parameterizations ?? []).map(
      (p) => [parameterizations, 'parameterization', p.name] as const,
    ),
  ];
  for (const [map, kind, name] of names) {
    if (taken(kind, name))
      throw new Error(`its ${kind} "${name}" has the name of a built-in ${kind}; rename it`);
    const other = map.get(name);
    // The same bytes at another path (a run folder's copy of the module) are the same plugin.
    if (other && other.sha256 !== loaded.sha256)
      throw new Error(
        `its ${kind} "${name}" is already loaded from ${other.path}, whose content differs (sha256 ${other.sha256.slice(0, 12)}, here ${loaded.sha256.slice(0, 12)}); one process uses one version of a plugin: rename one, or use the same file`,
      );
  }
  byPath.set(loaded.path, loaded);
  for (const [map, , name] of names) if (!map.has(name)) map.set(name, loaded);
  // The same bytes from another path add nothing: the first copy's objects stay the ones in use.
  const task = loaded.plugin.task;
  if (task && tasks.get(task.name) === loaded) addTask(task);
  for (const p of loaded.plugin.parameterizations ?? [])
    if (parameterizations.get(p.name) === loaded) addParameterization(p);
}

/** The module loaded from `path`, if any. */
export const loadedPlugin = (path: string): LoadedPlugin | undefined => byPath.get(path);

/** Every loaded plugin, in load order. */
export const loadedPlugins = (): LoadedPlugin[] => [...byPath.values()];
