import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { covsweepAsync, ROOT, tempDir } from './cli.js';
import { runFolders, tables, timeless } from './folders.js';

const SMOKE = readFileSync(join(ROOT, 'experiments', 'smoke.yaml'), 'utf8');

/** A finished smoke sweep in a fresh out/, and the experiment file it ran (a copy, to edit). */
async function finished() {
  const out = tempDir();
  const file = join(out, 'smoke.yaml');
  writeFileSync(file, SMOKE);
  expect((await covsweepAsync(['run', file, '--out', out])).code).toBe(0);
  const [dir] = runFolders(out);
  return { out, file, dir };
}

/**
 * Another finished smoke sweep, copied from the first instead of trained again: its results are
 * the same bits (a run's result depends on its config alone, which resume tests elsewhere check),
 * so only the folder to resume differs, at no training.
 */
function copyOfFirst() {
  const out = tempDir();
  const file = join(out, 'smoke.yaml');
  writeFileSync(file, SMOKE);
  const dir = join(out, 'smoke', basename(first.dir));
  cpSync(first.dir, dir, { recursive: true });
  return { out, file, dir };
}

let first: Awaited<ReturnType<typeof finished>>;
beforeAll(async () => {
  first = await finished();
});

describe('covsweep run --resume', () => {
  it('reports a truncated last line, reruns that run and the missing ones only, and ends with tables over all', async () => {
    const { out, file, dir } = copyOfFirst();
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    // A power cut: the last two runs never written, the one before them half written, no tables yet.
    writeFileSync(join(dir, 'results.jsonl'), `${lines.slice(0, 9).join('\n')}\n${lines[9].slice(0, 50)}`);
    for (const name of ['summary.md', 'results.csv']) rmSync(join(dir, name));
    const r = await covsweepAsync(['run', file, '--resume', dir, '--out', join(out, 'elsewhere')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${join(dir, 'results.jsonl')}:10: the last line was cut short`);
    expect(r.stderr).toMatch(/covsweep 3\/3 runs/);
    expect(timeless(dir)).toEqual(timeless(first.dir));
    expect(tables(dir)).toEqual(tables(first.dir));
  });

  it('runs nothing when every run is recorded, and rewrites the same tables', async () => {
    const r = await covsweepAsync(['run', first.file, '--resume', '--out', first.out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/covsweep 0\/0 runs/);
    expect(runFolders(first.out)).toEqual([first.dir]);
  });

  it('refuses a changed experiment, naming each changed setting, unless --force', async () => {
    const { out, file, dir } = copyOfFirst();
    writeFileSync(file, SMOKE.replace('lr.cov: [1.0e-4, 1.0e-1]', 'lr.cov: [1.0e-4, 3.0e-2]'));
    const before = readFileSync(join(dir, 'results.jsonl'), 'utf8');
    const refused = await covsweepAsync(['run', file, '--resume', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')).toEqual([
      `covsweep: ${file} has changed since ${dir} was run; its old and new results would mix:`,
      'covsweep:   lr.cov: [1e-4, 0.1] -> [1e-4, 0.03]',
      'covsweep:   runs: 12 -> 12 (6 in both)',
      'covsweep: run without --resume for a new folder, or add --force to resume anyway',
      '',
    ]);
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8')).toBe(before);

    const forced = await covsweepAsync(['run', file, '--resume', '--force', '--out', out]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/covsweep 6\/6 runs/);
    // The 6 old lr.cov 0.1 runs are kept alongside the 6 new 0.03 ones.
    expect(timeless(dir)).toHaveLength(18);
    expect(readFileSync(join(dir, 'smoke.yaml'), 'utf8')).toContain('3.0e-2');
  });

  it('says so when there is nothing to resume', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--resume', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `covsweep: --resume: no earlier run of "smoke" in ${out}; run without --resume, or give the run folder\n`,
    );
    expect((await covsweepAsync(['run', 'experiments/smoke.yaml', '--resume', out])).stderr).toMatch(
      /is not a covsweep run folder/,
    );
  });
});
