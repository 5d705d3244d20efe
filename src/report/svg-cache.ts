import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepFile, readKept } from '../ground/disk-cache.js';
import { cacheFolder } from './cache-files.js';

const require = createRequire(import.meta.url);

/** The version of an installed package, from the package.json above its entry point. */
export function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === name) return json.version ?? '';
    } catch {
      // No package.json here: look one folder up.
    }
    const up = dirname(dir);
    if (up === dir) return '';
    dir = up;
  }
}

let drawing: string | undefined;

/**
 * What else decides a plot's SVG besides its spec: the vega and vega-lite versions, and the code
 * that sets it up, compiles it and measures its text (render.js, vega-specs.js, text-width.js,
 * read as they are, so that a changed renderer draws afresh).
 */
function drawingKey(): string {
  drawing ??= JSON.stringify([
    packageVersion('vega'),
    packageVersion('vega-lite'),
    // Beside this module, as built (.js) or as tests run it (.ts).
    ...['render', 'text-width', 'vega-specs'].map((f) =>
      readFileSync(fileURLToPath(new URL(`./${f}${extname(import.meta.url)}`, import.meta.url)), 'utf8'),
    ),
  ]);
  return drawing;
}

const folder = () => cacheFolder('svg');
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
/** The file of a plot, by its spec's JSON text. */
const fileOf = (json: string) => join(folder(), `${hashOf(drawingKey() + json)}.svg`);

/** The plots this process has asked the cache for, drawn or kept (their file names). */
const asked = new Set<string>();

/**
 * The SVG a spec (as JSON text) was drawn as before, kept on disk as the experiment schema's validator is
 * (config/compiled-schema.ts): vega takes a tenth of a second to load and as much again to draw
 * a plot, while a report drawn again (`covsweep report` on a folder, or a run whose results
 * repeat an earlier one's) asks for the same plots. Undefined when it is not there.
 */
export function cachedSvg(json: string): string | undefined {
  const file = fileOf(json);
  asked.add(basename(file));
  return readKept(file);
}

/** Where the plots of a run folder's last report are listed. */
const listOf = (dir: string) => join(folder(), 'folders', `${hashOf(resolve(dir))}.json`);

/**
 * Whether every plot of run folder `dir`'s last report is still kept, so that a report of it
 * again most likely draws none and need not start a thread to load vega. A guess either way: a
 * report asks for its plots by their specs, and draws the ones the cache lacks.
 */
export function plotsLikelyKept(dir: string): boolean {
  const list = readKept(listOf(dir));
  if (list === undefined) return false;
  try {
    return (JSON.parse(list) as string[]).every((n) => existsSync(join(folder(), n)));
  } catch {
    // A list that is not one: guess that the plots must be drawn.
    return false;
  }
}

/** Lists the plots asked for since the last list as those of `dir`'s report (see `plotsLikelyKept`). */
export function listPlotsOf(dir: string): void {
  // Without a list, the next report of the folder starts its thread at once.
  keepFile(listOf(dir), JSON.stringify([...asked]), true);
  asked.clear();
}

/** Keeps `svg` as the drawing of the spec `json`; a cache that cannot be written only costs the drawing next time. */
export function keepSvg(json: string, svg: string): void {
  keepFile(fileOf(json), svg, true);
}
