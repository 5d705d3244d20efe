import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGET, benchConfig, cells } from '../../src/bench/grid.js';
import { covsweep, tempDir } from '../cli/cli.js';

describe('covsweep bench', () => {
  it('leaves cells over the lanes x d^2 budget out unless --full', () => {
    const o = {
      tasks: ['score-matching'],
      parameterizations: ['tril'],
      dims: [2, 64],
      lanes: [64, 4096],
      backends: ['wasm'],
      full: false,
    };
    const { run, skipped } = cells(o);
    expect(run.map((c) => [c.dim, c.lanes])).toEqual([
      [2, 64],
      [2, 4096],
      [64, 64],
    ]);
    expect(skipped.every((c) => c.lanes * c.dim * c.dim > BUDGET)).toBe(true);
    expect(cells({ ...o, full: true }).run).toHaveLength(4);
  });

  it("raises a task option that must exceed dim (score-matching's n_data) only where its default is not enough", () => {
    expect(benchConfig('score-matching', 'tril', 8).task).toMatchObject({ n_data: 50 });
    expect(benchConfig('score-matching', 'tril', 64).task).toMatchObject({ n_data: 65 });
  });

  it('measures the reference loop and a restricted grid, and writes the markdown', () => {
    const out = join(tempDir(), 'BENCHMARKS.md');
    const r = covsweep([
      'bench',
      '--task',
      'mvn-classifier',
      '--parameterization',
      'full,tril',
      '--dim',
      '2',
      '--lanes',
      '1,8',
      '--backend',
      'cpu',
      '--time',
      '20',
      '--out',
      out,
    ]);
    expect(r.stderr).toMatch(/bench reference loop d=2: [\d.]+[kM]? lane-steps\/s/);
    expect(r.code).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toBe(r.stdout);
    expect(md).toContain('| parameterization | d | backend | 1 lanes | 8 lanes | best |');
    expect(md).toMatch(
      /\| tril \| 2 \| cpu \| [\d.]+k? \([\d.]+%\) \| [\d.]+k? \([\d.]+%\) \| \*\*[\d.]+k?\*\* at \d/,
    );
    expect(md).toContain('1-minute load average');
  });

  it('rejects an unknown task with the known ones', () => {
    const r = covsweep(['bench', '--task', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--task: unknown nope; known: .*mvn-classifier/);
  });
});
