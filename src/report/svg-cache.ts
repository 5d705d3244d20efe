import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../config/compiled-schema.js';

const require = createRequire(import.meta.url);

/** Files kept at most in a folder of the cache; past this the oldest are removed, down to KEEP. */
const LIMIT = 2000;
const KEEP = 1500;

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

const folder = () => join(cacheDir(), 'svg');
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
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Where the plots of a run folder's last report are listed. */
const listOf = (dir: string) => join(folder(), 'folders', `${hashOf(resolve(dir))}.json`);

/**
 * Whether every plot of run folder `dir`'s last report is still kept, so that a report of it
 * again most likely draws none and need not start a thread to load vega. A guess either way: a
 * report asks for its plots by their specs, and draws the ones the cache lacks.
 */
export function plotsLikelyKept(dir: string): boolean {
  try {
    const names = JSON.parse(readFileSync(listOf(dir), 'utf8')) as string[];
    return names.every((n) => existsSync(join(folder(), n)));
  } catch {
    return false;
  }
}

/** Lists the plots asked for since the last list as those of `dir`'s report (see `plotsLikelyKept`). */
export function listPlotsOf(dir: string): void {
  const names = [...asked];
  asked.clear();
  try {
    const file = listOf(dir);
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(names));
    renameSync(partial, file);
    pruneOldest(dirname(file), '.json');
  } catch {
    // No list: the next report of the folder starts its thread at once.
  }
}

/** Removes every kept plot, so that the next report draws its plots afresh (the end-to-end bench's cold start). */
export function forgetDrawnPlots(): void {
  rmSync(folder(), { recursive: true, force: true });
}

/** Keeps `svg` as the drawing of the spec `json`; a cache that cannot be written only costs the drawing next time. */
export function keepSvg(json: string, svg: string): void {
  try {
    mkdirSync(folder(), { recursive: true });
    const file = fileOf(json);
    // Written whole, then renamed: a process reading at the same time sees all of it or none.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, svg);
    renameSync(partial, file);
    pruneOldest(folder(), '.svg');
  } catch {
    // No cache here.
  }
}

/** Removes the oldest `ext` files of `dir` when there are more than LIMIT, so the cache stays bounded. */
export function pruneOldest(dir: string, ext: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith(ext));
  if (names.length <= LIMIT) return;
  const byAge = names
    .map((n) => ({ file: join(dir, n), at: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  for (const { file } of byAge.slice(0, names.length - KEEP)) rmSync(file, { force: true });
}
