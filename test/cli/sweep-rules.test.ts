import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/jsonl.js';
import { covsweepAsync, tempDir } from './cli.js';
import { runFolders } from './folders.js';

const EXPERIMENT = `name: rules
task: { name: mvn-classifier, n_per_class: 4, epochs: 1 }
sweep:
  parameterization: [full, tril]
  lr.cov: [1.0e-3, 1.0e-2]
  lr.mean: [2.0e-3, 2.0e-2]
  seed: 2
zip: [[lr.cov, lr.mean]]
exclude:
  - { parameterization: full, lr.cov: 1.0e-2 }
include:
  - { parameterization: diag, lr.cov: 0.5, task.epochs: 1 }
depends:
  task.epochs: { on: parameterization, values: { full: 1, tril: 2 } }
summary: { rows: lr.cov, columns: parameterization }
`;

describe('sweep rules through the CLI', () => {
  it('plan shows the runs after each rule', async () => {
    const file = join(tempDir(), 'rules.yaml');
    writeFileSync(file, EXPERIMENT);
    const { code, stdout } = await covsweepAsync(['plan', file, '--workers', '1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^rules: 7 runs, /);
    expect(stdout).toContain(
      [
        'rules:',
        '  every combination of the axes: 16 runs',
        '  zip lr.cov, lr.mean: 16 -> 8 runs (-8)',
        '  exclude[0] parameterization full, lr.cov 0.01: 8 -> 6 runs (-2)',
        '  depends task.epochs on parameterization (full: 1, tril: 2): 6 -> 6 runs (no change)',
        '  include 1: 6 -> 7 runs (+1)',
      ].join('\n'),
    );
  });

  it('run trains exactly the planned runs, and tables show the included values', async () => {
    const dir = tempDir();
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, EXPERIMENT);
    const out = join(dir, 'runs');
    const { code } = await covsweepAsync(['run', file, '--out', out, '--workers', '1']);
    expect(code).toBe(0);
    const [folder] = runFolders(out, 'rules');
    const configs = readResults(join(folder, 'results.jsonl')).results.map((r) => r.config);
    const seen = configs.map(
      (c) => `${c.parameterization} ${c.lr.cov} ${c.lr.mean} ${c.task.epochs} ${c.seed}`,
    );
    expect(seen.sort()).toEqual(
      [
        'diag 0.5 0.002 1 0',
        'full 0.001 0.002 1 0',
        'full 0.001 0.002 1 1',
        'tril 0.001 0.002 2 0',
        'tril 0.001 0.002 2 1',
        'tril 0.01 0.02 2 0',
        'tril 0.01 0.02 2 1',
      ].sort(),
    );
    // The included lr.cov, off the axis, gets its own row.
    expect(readFileSync(join(folder, 'summary.md'), 'utf8')).toMatch(/\n\| 0\.5 \|/);
  });
});
