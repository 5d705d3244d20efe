import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, tempDir } from './cli.js';
import { runFolders, timeless } from './folders.js';

describe('command-line overrides (SETTING=VALUE, as in Hydra)', () => {
  it('set the file, are recorded in the run folder, and stdout holds only the summary', async () => {
    const out = tempDir();
    const r = await covsweepAsync([
      'run',
      'experiments/smoke.yaml',
      'lr.cov=1e-3',
      'sweep.seed=2',
      '--workers',
      '1',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const [dir] = runFolders(out);
    // `covsweep run x.yaml > summary.md` holds the summary and nothing else.
    expect(r.stdout).toBe(readFileSync(join(dir, 'summary.md'), 'utf8'));
    expect(r.stderr).toMatch(new RegExp(`\\nresults: ${dir}\\n$`));
    // lr.cov is swept by the file, so the override pins its axis; sweep.seed=2 is two seeds.
    const runs = timeless(dir);
    expect(runs).toHaveLength(4);
    expect(new Set(runs.map((x) => x.config.lr.cov))).toEqual(new Set([0.001]));
    expect(new Set(runs.map((x) => x.config.seed))).toEqual(new Set([0, 1]));
    // Each curve says its spacing: point i is the loss at step i * curve_every (smoke trains 80 steps).
    for (const x of runs) {
      expect(x).toMatchObject({ curve_every: 2, planned_steps: 80 });
      // A failed run's curve ends before the step it failed at.
      expect(x.curve.length).toBe(x.outcome === 'ok' ? 40 : Math.ceil(x.step / 2));
    }
    const copy = readFileSync(join(dir, 'smoke.yaml'), 'utf8');
    expect(copy).toMatch(/^# covsweep run overrides: lr.cov=1e-3 sweep.seed=2\n/);
    expect(copy).toContain('\n  lr.cov: [1e-3]\n  seed: 2\n');
    expect(copy).toContain('\n  parameterization: [full, tril]\n');
    // Column names work unquoted in pandas query and DuckDB.
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toMatch(
      /^id,parameterization,lr_cov,seed,outcome,/,
    );
  });

  it('are checked like the file, each problem pointing at its argument, and write nothing', async () => {
    const out = tempDir();
    const r = await covsweepAsync([
      'run',
      'experiments/smoke.yaml',
      'task.epohcs=3',
      'lr.mean=-1',
      'optimizer=[',
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'covsweep: command-line override "optimizer=[": the value "[" is not valid YAML; quote it, or write a number, a word or a [list]\n',
    );
    const v = await covsweepAsync(['validate', 'experiments/smoke.yaml', 'task.epohcs=3', 'lr.mean=-1']);
    expect(v.code).toBe(2);
    expect(v.stderr.split('\n').sort()).toEqual(
      [
        '',
        'covsweep: command-line override "lr.mean=-1": "lr.mean" must be a number >= 0, received -1',
        'covsweep: command-line override "task.epohcs=3": unknown key "epohcs" for task "mvn-classifier"; did you mean "epochs"?',
      ].sort(),
    );
    expect(existsSync(join(out, 'smoke')) ? readdirSync(join(out, 'smoke')) : []).toEqual([]);
  });

  it('plan and validate take them too', async () => {
    const v = await covsweepAsync(['validate', 'experiments/smoke.yaml', 'sweep.seed=1']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/smoke\.yaml: valid, 4 runs\n$/);
  });
});
