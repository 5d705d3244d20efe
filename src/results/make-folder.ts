import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that fails fast: makes `path` and its missing parents one by one, and returns the
 * first folder it made (undefined if `path` existed), as `mkdirSync(path, { recursive: true })`
 * does. Node's recursive mkdir retries forever where mkdir of a missing name answers ENOENT
 * although the parent exists (/proc/x), spinning at full CPU; here that ENOENT is thrown.
 */
export function makeFolder(path: string): string | undefined {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) mkdirSync(p);
  return missing[0];
}
