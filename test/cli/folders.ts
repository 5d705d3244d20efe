import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResults } from '../../src/results/jsonl.js';

/** The run folders under out/<name>/, oldest first. */
export function runFolders(out: string, name = 'smoke'): string[] {
  const parent = join(out, name);
  return existsSync(parent)
    ? readdirSync(parent)
        .sort()
        .map((d) => join(parent, d))
    : [];
}

/** results.jsonl without timings: what must be identical however the runs were scheduled. */
export function timeless(dir: string) {
  return readResults(join(dir, 'results.jsonl')).results.map((r) => ({ ...r, seconds: 0 }));
}

/** summary.md below its title (which holds the start time) and results.csv without its seconds column. */
export function tables(dir: string) {
  const summary = readFileSync(join(dir, 'summary.md'), 'utf8').split('\n').slice(1).join('\n');
  const csv = readFileSync(join(dir, 'results.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(',').slice(0, -1).join(','));
  return { summary, csv };
}

/** Resolves once results.jsonl under out/ has at least `lines` lines. */
export async function whenResults(out: string, lines = 1): Promise<string> {
  for (;;) {
    const [dir] = runFolders(out);
    const file = dir && join(dir, 'results.jsonl');
    if (file && existsSync(file) && readFileSync(file, 'utf8').split('\n').length > lines) return dir;
    await new Promise((r) => setTimeout(r, 50));
  }
}
