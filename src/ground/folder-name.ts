import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';

/**
 * Folder and file names made from user input (a file's name, a data path as written) are one path
 * segment that stays where it is joined: never "." or "..", no "/", "\\" or NUL, and short enough
 * for any file system (255 bytes). Names that already are such a segment keep their spelling, so
 * folders made before these rules are still found.
 */

/** An experiment's name, which names `runs/<name>/`: it must stay inside `runs/`, so no slashes and no leading dot. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';

/** Bytes a derived name may take: well under the usual 255, leaving room for ".tmp" and "-2" suffixes. */
const MAX_BYTES = 200;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * The name of a file of several experiments, which names its folder runs/<name>/: the file's
 * base name when it follows the experiment-name rule, else that rule's spelling of it ("My
 * Sweeps.yaml" -> "my-sweeps"; "...yaml" -> "experiments").
 */
export function suiteName(file: string): string {
  const base = basename(file, extname(file));
  if (new RegExp(NAME_PATTERN).test(base)) return base;
  const spelled = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
  return spelled || 'experiments';
}

/**
 * One file name for the text `written` (a data path as the experiment writes it, "../d/x.csv"):
 * percent-encoded, and when that is all dots or too long, a clipped prefix plus a hash of the whole.
 */
export function encodedName(written: string): string {
  const encoded = encodeURIComponent(written);
  if (!/^\.*$/.test(encoded) && Buffer.byteLength(encoded) <= MAX_BYTES) return encoded;
  return `${encoded.slice(0, 64).replace(/^\.+/, '')}-${hash(written)}`;
}

/** Whether `name` is one path segment that stays inside the folder it is joined to. */
export const isSegment = (name: string): boolean =>
  name !== '' &&
  name !== '.' &&
  name !== '..' &&
  !/[/\\\0]/.test(name) &&
  Buffer.byteLength(name) <= MAX_BYTES;
