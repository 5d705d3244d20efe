import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults, resultLine } from '../../src/results/jsonl.js';
import type { RunResult } from '../../src/types.js';
import { covsweepAsync, covsweepInProcess, tempDir } from './cli.js';
import { runFolders, timeless } from './folders.js';

let dir: string;
let singular: RunResult;
let ok: RunResult;
beforeAll(async () => {
  const out = tempDir();
  expect((await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out])).code).toBe(0);
  [dir] = runFolders(out);
  const { results } = readResults(join(dir, 'results.jsonl'));
  singular = results.find((r) => r.outcome === 'singular')!;
  ok = results.find((r) => r.outcome === 'ok')!;
});

describe('covsweep repro RUN_DIR ID', () => {
  it('reproduces a failed run alone with the recorded outcome and step, and writes its trace', async () => {
    const csv = join(tempDir(), 'trace.csv');
    const r = await covsweepAsync(['repro', dir, singular.id, '--trace', csv]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${singular.id}: singular at step ${singular.step} (`);
    expect(r.stdout).toContain(`${singular.id}: same outcome and step as recorded`);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
    expect(header).toBe('step,loss,grad_norm,min_eig_1,cond_1,min_eig_2,cond_2');
    // One row per step up to and including the one at which it failed.
    expect(rows.map((row) => Number(row.split(',')[0]))).toEqual(
      Array.from({ length: singular.step + 1 }, (_, i) => i),
    );
    const first = rows[0].split(',').map(Number);
    expect(first[1]).toBe(singular.curve[0]);
    expect(first.every(Number.isFinite)).toBe(true);
    // Its covariances start at 0.02 I (condition number 1) and one has left the PD set at the end.
    expect(first.slice(3)).toEqual([0.019999999552965164, 1, 0.019999999552965164, 1]);
    const last = rows.at(-1)!.split(',').map(Number);
    expect(Math.min(last[3], last[5])).toBeLessThanOrEqual(0);
  });

  it('--params adds every parameter per step; the failed step holds the recorded final values', async () => {
    const csv = join(tempDir(), 'trace.csv');
    const r = await covsweepAsync(['repro', dir, singular.id, '--trace', csv, '--params']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
    const columns = header.split(',');
    expect(columns.slice(7, 9)).toEqual(['means[0][0]', 'means[0][1]']);
    expect(columns.slice(-5)).toEqual([
      'covariance[1][1][1]',
      'weights[0][0]',
      'weights[0][1]',
      'weights[1][0]',
      'weights[1][1]',
    ]);
    // Raw parameters in group order: means [2, 2], covariance [2, 2, 2], weights [2, 2].
    expect(columns).toHaveLength(7 + 4 + 8 + 4);
    // A failed run keeps the parameters of the step it failed at: results.jsonl's params.
    const recorded = singular.params!;
    const flat = [recorded.means, recorded.covariance, recorded.weights].flat(3);
    expect(rows.at(-1)!.split(',').slice(7).map(Number)).toEqual(flat);
    expect(await covsweepAsync(['repro', dir, singular.id, '--params'])).toMatchObject({ code: 2 });
  });

  it('reproduces a healthy run, also from the experiment file', async () => {
    const fromDir = await covsweepAsync(['repro', dir, ok.id]);
    expect(fromDir.code).toBe(0);
    // Each record names the backend that trained it, and repro runs it there again.
    expect(ok.backend).toBe('native');
    expect(fromDir.stdout).toContain(`${ok.id}: ok at step ${ok.step}, loss ${ok.loss} [${ok.backend}]`);
    // In this process (the CLI's main; repro trains in its own thread): the same command, one node
    // start-up fewer.
    const fromFile = await covsweepInProcess(['repro', 'experiments/smoke.yaml', ok.id, '--backend', 'wasm']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain(`${ok.id}: ok at step ${ok.step}, loss ${ok.loss} [wasm]`);
  });

  it('exits 1 when the run ends differently from its record', async () => {
    const doctored = tempDir();
    const copy = join(doctored, 'run');
    cpSync(dir, copy, { recursive: true });
    const file = join(copy, 'results.jsonl');
    const { results } = readResults(file);
    const doctoredResults = results.map((r) => (r.id === ok.id ? { ...r, step: 3 } : r));
    writeFileSync(file, doctoredResults.map((r) => `${resultLine(r)}\n`).join(''));
    const r = await covsweepInProcess(['repro', copy, ok.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `covsweep: ${ok.id} was recorded as ok at step 3; this time it ended differently`,
    );
  });

  it('names a run id it does not know', async () => {
    const r = await covsweepInProcess(['repro', dir, '000000000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`covsweep: ${dir} has no run 000000000000; run ids are in its results.csv\n`);
  });
});

describe('covsweep run FILE --only ID', () => {
  it('runs that one configuration alone, with the recorded result', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--only', singular.id, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(timeless(runFolders(out)[0])).toEqual([{ ...singular, seconds: 0 }]);
  });
});
