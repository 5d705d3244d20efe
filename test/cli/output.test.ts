import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, ROOT, tempDir } from './cli.js';
import { runFolders } from './folders.js';

const fullDisk = (dir: string, only?: string) => ({
  NODE_OPTIONS: `--import ${join(ROOT, 'test', 'fixtures', 'full-disk.mjs')}`,
  COVSWEEP_FULL_DISK: dir,
  ...(only ? { COVSWEEP_FULL_DISK_ONLY: only } : {}),
});

/** A run that failed before training: exit 1, one line naming the folder and the cause, no progress. */
function failedEarly(r: { code: number | null; stderr: string }, cause: RegExp) {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^covsweep: cannot write a run folder in .*smoke: /);
  expect(r.stderr).toMatch(cause);
  expect(r.stderr).toMatch(/; choose a writable --out\n$/);
  expect(r.stderr.split('\n')).toHaveLength(2);
}

describe('an output folder that cannot be written', () => {
  it('under a file: fails before training and leaves nothing', async () => {
    const top = tempDir();
    writeFileSync(join(top, 'file'), '');
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', join(top, 'file', 'runs')]);
    failedEarly(r, /ENOTDIR/);
    expect(readdirSync(top)).toEqual(['file']);
  });

  it('on a full disk: fails before training and removes the folder it began', async () => {
    const top = tempDir();
    const out = join(top, 'runs');
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out], ROOT, fullDisk(out));
    failedEarly(r, /ENOSPC: no space left on device/);
    expect(readdirSync(top)).toEqual([]);
  });

  it('on a full disk with earlier runs: removes only its own new folder', async () => {
    const out = tempDir();
    mkdirSync(join(out, 'smoke', '2020-01-01T00-00-00Z'), { recursive: true });
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out], ROOT, fullDisk(out));
    failedEarly(r, /ENOSPC/);
    expect(runFolders(out)).toEqual([join(out, 'smoke', '2020-01-01T00-00-00Z')]);
  });

  it.skipIf(process.getuid?.() === 0)('read-only: fails before training and leaves nothing', async () => {
    const out = tempDir();
    chmodSync(out, 0o555);
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out]);
    failedEarly(r, /EACCES/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('filling up mid-sweep: stops with the cause and how to resume, exit 1', async () => {
    const out = tempDir();
    const r = await covsweepAsync(
      ['run', 'experiments/smoke.yaml', '--out', out],
      ROOT,
      fullDisk(out, 'appendFileSync'),
    );
    const [dir] = runFolders(out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `covsweep: finished runs are in ${dir}/results.jsonl; to run the rest: covsweep run experiments/smoke.yaml --resume ${dir}\n`,
    );
    expect(r.stderr).toMatch(
      /covsweep: cannot append to .*results\.jsonl: ENOSPC: no space left on device, .*; free space, then resume\n$/,
    );
    expect(existsSync(join(dir, 'results.jsonl'))).toBe(true);
  });
});
