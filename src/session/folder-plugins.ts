import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPluginsOf } from '../config/load-plugins.js';
import { RunFolder } from '../results/store.js';

/** Loads the plugin modules of a run folder's experiment copy (their copies in the folder), before its copy is parsed. */
export async function loadFolderPlugins(dir: string): Promise<void> {
  // Not a run folder: left to the caller, which says so in its own words.
  if (!existsSync(join(dir, 'manifest.json'))) return;
  const copy = RunFolder.open(dir).experimentCopy();
  await loadPluginsOf(copy.file, copy.text);
}
