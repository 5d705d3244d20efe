import { appendFileSync, copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Experiment, RunResult } from '../types.js';
import { resultLine } from './jsonl.js';

export interface Manifest {
  covsweep: string;
  experiment: string;
  file: string;
  backend: string;
  node: string;
  workers: number;
  runs: number;
  started: string;
  ended?: string;
}

/** 2026-11-22T03-04-05Z: a UTC timestamp that sorts and is a valid folder name everywhere. */
export function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/**
 * One folder per `covsweep run`: runs/<experiment>/<UTC timestamp>/. Results
 * are appended a whole line at a time as batches finish, so what finished is
 * on disk whatever happens next; the other files are written whole (temp file
 * then rename), never half.
 */
export class RunFolder {
  readonly results: string;

  private constructor(readonly dir: string) {
    this.results = join(dir, 'results.jsonl');
  }

  static create(root: string, e: Experiment, now = new Date()): RunFolder {
    const parent = join(root, e.name);
    let dir = join(parent, stamp(now));
    // Two runs in the same second get -2, -3, ... rather than sharing a folder.
    for (let i = 2; existsSync(dir); i++) dir = join(parent, `${stamp(now)}-${i}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(e.file, join(dir, basename(e.file)));
    writeFileSync(join(dir, 'results.jsonl'), '');
    return new RunFolder(dir);
  }

  append(results: RunResult[]) {
    if (results.length) appendFileSync(this.results, results.map((r) => `${resultLine(r)}\n`).join(''));
  }

  write(name: string, text: string) {
    const target = join(this.dir, name);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
  }

  writeManifest(m: Manifest) {
    this.write('manifest.json', `${JSON.stringify(m, null, 2)}\n`);
  }
}
