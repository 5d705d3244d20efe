import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dataPath } from '../../data/table.js';
import type { FileRef, RunConfig, RunSpec } from '../../types.js';
import { parameterizations } from '../parameterizations/index.js';
import { tasks } from '../tasks/index.js';
import { parameterizationMisfits, taskMisfits } from './contract.js';
import type { kit } from './kit.js';
import { type LoadedPlugin, loadedPlugin, type Plugin, registerPlugin } from './registry.js';

/** What an experiment needs of a module: the task of `task.module`, or the parameterizations of `parameterization_modules`. */
export type PluginRole = 'task' | 'parameterizations';

/**
 * A plugin module's failure to load or to fit its contract, in words for the experiment file:
 * `E_CONFIG` at the line that names the module.
 */
export class PluginError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'PluginError';
  }
}

const builtIn = (kind: 'task' | 'parameterization', name: string) =>
  kind === 'task' ? tasks.has(name) : parameterizations.has(name);

/**
 * Imports the ES module at `path` (absolute), calls its default export with the kit, checks that
 * what it returns fits the contract of `role`, and registers it (so `task(name)` and
 * `parameterization(name)` find it). Loading the same file again is free; `sha256`, when given,
 * must match (a worker checks the module is the one the run was planned with). Throws
 * `PluginError` with every misfit.
 */
export async function loadPlugin(path: string, role: PluginRole, sha256?: string): Promise<LoadedPlugin> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new PluginError(
      `cannot read the module ${path} (${(cause as NodeJS.ErrnoException).code ?? cause})`,
    );
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (sha256 && hash !== sha256)
    throw new PluginError(
      `the module ${path} changed since the run was planned (sha256 ${hash.slice(0, 12)}, planned ${sha256.slice(0, 12)})`,
    );
  const known = loadedPlugin(path);
  const plugin = known?.sha256 === hash ? known.plugin : await evaluate(path, hash);
  const misfits = roleMisfits(plugin, role);
  if (misfits.length)
    throw new PluginError(
      `the module ${path} does not fit the ${role === 'task' ? 'task' : 'parameterization'} contract: ${misfits.join('; ')}`,
      misfits,
    );
  const loaded = { path, sha256: hash, plugin };
  try {
    registerPlugin(loaded, builtIn);
  } catch (err) {
    throw new PluginError(`the module ${path}: ${(err as Error).message}`);
  }
  return loaded;
}

/** The module's plugin: its default export called with the kit. */
async function evaluate(path: string, sha256: string): Promise<Plugin> {
  let mod: Record<string, unknown>;
  try {
    // The hash in the URL: a module edited since this process imported it is imported afresh.
    mod = await import(`${pathToFileURL(path).href}?sha256=${sha256}`);
  } catch (err) {
    throw new PluginError(`the module ${path} fails to import: ${(err as Error)?.message ?? err}`);
  }
  if (typeof mod.default !== 'function')
    throw new PluginError(
      `the module ${path} has no default export function; export default (kit) => ({ task }) or ({ parameterizations: [...] })`,
    );
  let plugin: unknown;
  // The kit (tfjs itself) loads with the first plugin: a worker with none may never load tfjs.
  const { kit: given } = await import('./kit.js');
  try {
    plugin = (mod.default as (k: typeof kit) => unknown)(given);
  } catch (err) {
    throw new PluginError(
      `the module ${path} throws when called with the kit: ${(err as Error)?.message ?? err}`,
    );
  }
  if (typeof plugin !== 'object' || plugin === null)
    throw new PluginError(
      `the module ${path}'s default export returned ${String(plugin)}, not { task } or { parameterizations }`,
    );
  return plugin as Plugin;
}

function roleMisfits(plugin: Plugin, role: PluginRole): string[] {
  if (role === 'task') {
    if (plugin.task === undefined) return ['task is missing (return { task } from the default export)'];
    return taskMisfits(plugin.task).map((m) => `task.${m}`);
  }
  const list = plugin.parameterizations;
  if (!Array.isArray(list) || list.length === 0)
    return ['parameterizations is missing (return { parameterizations: [...] } from the default export)'];
  return list.flatMap((p, i) => parameterizationMisfits(p).map((m) => `parameterizations[${i}].${m}`));
}

/** Whether a run's task or parameterizations come from plugin modules. */
export const usesPlugins = (c: RunConfig): boolean =>
  c.task.module !== undefined || c.parameterization_modules !== undefined;

/**
 * Loads the plugin modules a run names (its task's `module`, its `parameterization_modules`),
 * checking each is the file it was planned with: what a worker does before it trains a batch.
 */
export async function loadRunPlugins(spec: RunSpec): Promise<void> {
  const { task, parameterization_modules = [] } = spec.config;
  const at = (ref: FileRef) => dataPath(spec.source ?? '.', ref.file);
  const module = task.module as FileRef | undefined;
  if (module) await loadPlugin(at(module), 'task', module.sha256);
  for (const ref of parameterization_modules) await loadPlugin(at(ref), 'parameterizations', ref.sha256);
}
