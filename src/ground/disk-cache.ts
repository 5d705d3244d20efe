import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';

/**
 * Where covsweep keeps work between processes (compiled validators, plots, V8's compiled code):
 * `COVSWEEP_CACHE`, else the package's node_modules/.cache/covsweep (where build tools keep theirs).
 */
export const cacheDir = () =>
  process.env.COVSWEEP_CACHE ??
  fileURLToPath(new URL('../../node_modules/.cache/covsweep/', import.meta.url));

/** Files kept at most in a folder of the cache; past this the oldest are removed, down to KEEP. */
const LIMIT = 2000;
const KEEP = 1500;

/** A file of the cache as text, or undefined when it is not there. */
export function readKept(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Keeps `data` in `file` of the cache, whole: written beside it, then renamed, so that another
 * thread or process reading at the same time sees all of it or none. With `bounded`, the
 * folder's oldest files of the same extension go past LIMIT. A cache that cannot be written
 * (a read-only install) only costs the work next time.
 */
export function keepFile(file: string, data: string | Uint8Array, bounded = false): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}-${threadId}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, file);
    if (bounded) pruneOldest(dirname(file), file.slice(file.lastIndexOf('.')));
  } catch {
    // No cache here.
  }
}

/** Removes the oldest `ext` files of `dir` when there are more than LIMIT, so the cache stays bounded. */
function pruneOldest(dir: string, ext: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith(ext));
  if (names.length <= LIMIT) return;
  const byAge = names
    .map((n) => ({ file: join(dir, n), at: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  for (const { file } of byAge.slice(0, names.length - KEEP)) rmSync(file, { force: true });
}

/**
 * `source` compiled as a script named `filename`, with V8's code for it from `codeFile` when that
 * holds some: compiling a megabyte of code costs more than running what a command needs of it.
 * V8 rejects a cache made by another V8 or for another source (`cachedDataRejected`); then, or
 * when there is none, write one with `keepCode` once the code has run (V8 compiles a function when
 * it first runs, so only then does the cache hold its code, not just its outline).
 */
export function scriptWithCode(source: string, filename: string, codeFile: string): Script {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeFile);
  } catch {
    // None yet.
  }
  return new Script(source, { filename, cachedData });
}

/** Whether `script` (from `scriptWithCode`) came without usable code, so `keepCode` should write it. */
export const lacksCode = (script: Script) => script.cachedDataRejected !== false;

/** Keeps V8's code for `script` in `codeFile`, for `scriptWithCode` in later processes. */
export const keepCode = (script: Script, codeFile: string) => keepFile(codeFile, script.createCachedData());
