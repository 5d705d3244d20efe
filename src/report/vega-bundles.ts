import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Script } from 'node:vm';
import { cacheDir, keepCode, lacksCode, scriptWithCode } from '../ground/disk-cache.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');

const require = createRequire(import.meta.url);

/** The single-file bundles vega and vega-lite ship (the same versions, the same code as their ES modules). */
const VEGA_BUNDLE = () => join(dirname(require.resolve('vega')), 'vega.js');
const VEGA_LITE_BUNDLE = () => join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js');

/** Whether both bundles are installed: only then do `vegaBundle` and `vegaLiteBundle` answer. */
export const bundlesInstalled = () => existsSync(VEGA_BUNDLE()) && existsSync(VEGA_LITE_BUNDLE());

/** Bundles run in this process whose V8 code cache is missing or stale, to be written by `keepBundleCode`. */
const uncached: { script: Script; file: string }[] = [];

/**
 * V8's compiled code of a bundle, kept in the cache (ground/disk-cache.ts):
 * compiling vega's 1.4 MB is a third of a thread's load. Named by the bundle and its size and by
 * V8's version; V8 itself rejects a cache made by another V8 or for another source.
 */
const codeCacheOf = (file: string, source: string) =>
  join(cacheDir(), `bundle-${basename(file, '.js')}-${source.length}-${process.versions.v8}.v8`);

/** A UMD bundle (one file holding a package and what it imports) run as CommonJS, its `require` answering from `deps`. */
function runBundle(file: string, deps: Record<string, unknown>): unknown {
  const source = readFileSync(file, 'utf8');
  const codeFile = codeCacheOf(file, source);
  // None yet (or stale): the first plot drawn writes it.
  const script = scriptWithCode(`(function (exports, module, require) {${source}\n})`, file, codeFile);
  if (lacksCode(script)) uncached.push({ script, file: codeFile });
  const module = { exports: {} };
  (
    script.runInThisContext() as (exports: unknown, module: unknown, require: (id: string) => unknown) => void
  )(module.exports, module, (id) => deps[id]);
  return module.exports;
}

/** vega from its bundle (about three times as fast to load as its ES modules, a hundred files across some forty packages). */
export const vegaBundle = () => runBundle(VEGA_BUNDLE(), {}) as Vega;

/** vega-lite from its bundle, on `vega`. */
export const vegaLiteBundle = (vega: Vega) => runBundle(VEGA_LITE_BUNDLE(), { vega }) as VegaLite;

/**
 * Writes the code caches the bundles run here lacked. Called once a plot is drawn: V8 compiles a
 * function when it first runs, so only then does the cache hold drawing's code, not just outlines.
 */
export function keepBundleCode(): void {
  for (const { script, file } of uncached.splice(0)) keepCode(script, file);
}
