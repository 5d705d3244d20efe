import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../config/compiled-schema.js';

const require = createRequire(import.meta.url);

/** Plots kept at most; past this the oldest are removed, down to KEEP. */
const LIMIT = 2000;
const KEEP = 1500;

/** The version of an installed package, from the package.json above its entry point. */
function packageVersion(name: string): string {
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
 * that sets it up and measures its text (render.js, text-width.js, read as they are, so that a
 * changed renderer draws afresh).
 */
function drawingKey(): string {
  drawing ??= JSON.stringify([
    packageVersion('vega'),
    packageVersion('vega-lite'),
    // Beside this module, as built (.js) or as tests run it (.ts).
    ...['render', 'text-width'].map((f) =>
      readFileSync(fileURLToPath(new URL(`./${f}${extname(import.meta.url)}`, import.meta.url)), 'utf8'),
    ),
  ]);
  return drawing;
}

const folder = () => join(cacheDir(), 'svg');
const fileOf = (spec: unknown) =>
  join(
    folder(),
    `${createHash('sha256').update(drawingKey()).update(JSON.stringify(spec)).digest('hex').slice(0, 32)}.svg`,
  );

/**
 * The SVG a spec was drawn as before, kept on disk as the experiment schema's validator is
 * (config/compiled-schema.ts): vega takes a tenth of a second to load and as much again to draw
 * a plot, while a report drawn again (`covsweep report` on a folder, or a run whose results
 * repeat an earlier one's) asks for the same plots. Undefined when it is not there.
 */
export function cachedSvg(spec: unknown): string | undefined {
  try {
    return readFileSync(fileOf(spec), 'utf8');
  } catch {
    return undefined;
  }
}

/** Removes every kept plot, so that the next report draws its plots afresh (the end-to-end bench's cold start). */
export function forgetDrawnPlots(): void {
  rmSync(folder(), { recursive: true, force: true });
}

/** Keeps `svg` as the drawing of `spec`; a cache that cannot be written only costs the drawing next time. */
export function keepSvg(spec: unknown, svg: string): void {
  try {
    mkdirSync(folder(), { recursive: true });
    const file = fileOf(spec);
    // Written whole, then renamed: a process reading at the same time sees all of it or none.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, svg);
    renameSync(partial, file);
    prune();
  } catch {
    // No cache here.
  }
}

/** Removes the oldest plots when there are more than LIMIT, so the cache stays bounded. */
function prune(): void {
  const names = readdirSync(folder()).filter((n) => n.endsWith('.svg'));
  if (names.length <= LIMIT) return;
  const byAge = names
    .map((n) => ({ file: join(folder(), n), at: statSync(join(folder(), n)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  for (const { file } of byAge.slice(0, names.length - KEEP)) rmSync(file, { force: true });
}
