import { describe, expect, it } from 'vitest';
import { comparisonJson, comparisonMarkdown } from '../../src/report/compare-markdown.js';
import { comparisonJunit } from '../../src/report/junit.js';
import { compareResults } from '../../src/results/compare.js';
import type { Outcome, RunResult } from '../../src/types.js';
import { experiment, made } from './fixtures.js';

const e = experiment();

/** `n` seeds of one configuration, the first `failed` of them singular. */
function seeds(parameterization: string, lr: number, n: number, failed: number): RunResult[] {
  return Array.from({ length: n }, (_, seed) =>
    made(e, {
      parameterization,
      lr,
      seed,
      outcome: (seed < failed ? 'singular' : 'ok') as Outcome,
      reason: `cholesky failed at step ${seed}: pivot 1 = -0.1`,
      step: seed,
    }),
  );
}

const sources = { baseline: 'base.jsonl', current: 'now.jsonl' };

describe('compareResults', () => {
  it('finds no regression between identical results', () => {
    const rs = [...seeds('full', 1e-4, 10, 3), ...seeds('tril', 1e-4, 10, 0)];
    const c = compareResults(rs, rs);
    expect(c.regression).toBe(false);
    expect(c.runs.compared).toBe(20);
    expect(c.cells.map((x) => [x.configuration, x.direction, x.p])).toEqual([
      ['full', 'same', expect.closeTo(1, 12)],
      ['tril', 'same', 1],
    ]);
  });

  it('lists every run that changed, but flags a configuration only when the change is significant', () => {
    // full: 2/10 -> 4/10 (p = 0.63, seed noise); tril: 0/10 -> 7/10 (p = 0.003); p values from scipy.
    const before = [...seeds('full', 1e-4, 10, 2), ...seeds('tril', 1e-4, 10, 0)];
    const after = [...seeds('full', 1e-4, 10, 4), ...seeds('tril', 1e-4, 10, 7)];
    const c = compareResults(before, after);
    expect(c.runs.regressed).toHaveLength(9);
    expect(
      c.runs.regressed.every((x) => x.baseline.outcome === 'ok' && x.current.outcome === 'singular'),
    ).toBe(true);
    const [full, tril] = c.cells;
    expect(full).toMatchObject({ configuration: 'full', direction: 'worse', significant: false });
    expect(full.p).toBeCloseTo(0.6284829721362228, 12);
    expect(tril).toMatchObject({ configuration: 'tril', direction: 'worse', significant: true });
    expect(tril.p).toBeCloseTo(0.0030959752321981426, 12);
    expect(c.regression).toBe(true);
    // With alpha 0.001 the tril change is not significant either; --strict still counts single runs.
    expect(compareResults(before, after, { alpha: 0.001 }).regression).toBe(false);
    expect(compareResults(before, after, { alpha: 0.001, strict: true }).regression).toBe(true);
  });

  it('reports improvements and changed failures, and is not a regression for them', () => {
    const before = seeds('full', 1e-2, 10, 10);
    const after = seeds('full', 1e-2, 10, 0);
    after[0] = made(e, {
      parameterization: 'full',
      lr: 1e-2,
      seed: 0,
      outcome: 'diverged',
      reason: 'loss beyond 1e+8',
    });
    const c = compareResults(before, after);
    expect(c.runs.improved).toHaveLength(9);
    expect(c.runs.changed.map((x) => [x.baseline.outcome, x.current.outcome])).toEqual([
      ['singular', 'diverged'],
    ]);
    expect(c.cells[0]).toMatchObject({ direction: 'better', significant: true });
    expect(c.regression).toBe(false);
  });

  it('lists runs and configurations on one side only', () => {
    const before = [...seeds('full', 1e-4, 3, 0), ...seeds('tril', 1e-4, 3, 0)];
    const after = [...seeds('full', 1e-4, 4, 0), ...seeds('log-cholesky', 1e-4, 3, 0)];
    const c = compareResults(before, after);
    expect(c.runs.onlyBaseline.map((r) => r.config.parameterization)).toEqual(['tril', 'tril', 'tril']);
    expect(c.runs.onlyCurrent.map((r) => `${r.config.parameterization} ${r.config.seed}`)).toEqual([
      'full 3',
      'log-cholesky 0',
      'log-cholesky 1',
      'log-cholesky 2',
    ]);
    expect(c.cellsOnlyBaseline).toEqual(['tril']);
    expect(c.cellsOnlyCurrent).toEqual(['log-cholesky']);
    const md = comparisonMarkdown(c, sources);
    expect(md).toContain('### Only in the baseline (3 runs)');
    expect(md).toContain('### Only in the current results (4 runs)');
  });

  it('names configurations by every setting that varies but the seed', () => {
    const c = compareResults(seeds('full', 1e-4, 2, 0), [
      ...seeds('full', 1e-4, 2, 0),
      ...seeds('tril', 1e-2, 2, 0),
    ]);
    expect(c.cells.map((x) => x.configuration)).toEqual(['full · lr.cov 1e-4']);
    expect(c.cellsOnlyCurrent).toEqual(['tril · lr.cov 0.01']);
  });
});

describe('comparison outputs', () => {
  const before = [...seeds('full', 1e-4, 10, 1), ...seeds('tril', 1e-4, 10, 0)];
  const after = [...seeds('full', 1e-4, 10, 1), ...seeds('tril', 1e-4, 10, 8)];
  const c = compareResults(before, after);

  it('Markdown: verdict first, significant configurations, changed runs with their reasons', () => {
    const md = comparisonMarkdown(c, sources);
    expect(md.split('\n')[0]).toBe('## covsweep compare: REGRESSION');
    expect(md).toContain('| tril | 0/10 = 0% | 8/10 = 80% | 7.14e-4 | **regression** |');
    expect(md).toContain('### Runs that went from ok to failed (8)');
    expect(md).toMatch(
      /\| `[0-9a-f]{12}` \| tril \| 0 \| ok \| singular: cholesky failed at step 0: pivot 1 = -0.1 \|/,
    );
  });

  it('JSON: every changed run by id with both endings', () => {
    const json = JSON.parse(comparisonJson(c, sources));
    expect(json.regression).toBe(true);
    expect(json.runs.regressed).toHaveLength(8);
    expect(json.runs.regressed[0]).toMatchObject({
      configuration: 'tril',
      seed: 0,
      baseline: { outcome: 'ok' },
      current: { outcome: 'singular', step: 0, reason: 'cholesky failed at step 0: pivot 1 = -0.1' },
    });
    expect(json.configurations).toHaveLength(2);
  });

  it('JUnit: one testcase per run; regressions fail with outcome, step and reason; known failures are skipped', () => {
    const xml = comparisonJunit(c, before, after);
    expect(xml).toContain(
      '<testsuites name="covsweep compare" tests="20" failures="8" errors="0" skipped="1">',
    );
    expect(xml.match(/<testcase /g)).toHaveLength(20);
    expect(xml).toMatch(
      /<testcase classname="tril" name="seed 3 \([0-9a-f]{12}\)" time="0.010">\s*<failure type="singular" message="ok in the baseline, now singular at step 3: cholesky failed at step 3: pivot 1 = -0.1">outcome: singular\nstep: 3\nreason: cholesky failed at step 3: pivot 1 = -0.1/,
    );
    expect(xml).toMatch(
      /<testcase classname="full" name="seed 0 [^>]*><skipped message="singular: [^"]*; failed in the baseline too/,
    );
  });

  it('JUnit: classnames hold no dots and no character XML cannot hold', () => {
    const before = [...seeds('tril', 1e-4, 2, 0), ...seeds('tril', 1e-2, 2, 0)];
    const after = [...seeds('tril', 1e-4, 2, 0), ...seeds('tril', 1e-2, 2, 2)].map((r) =>
      r.outcome === 'ok' ? r : { ...r, reason: 'bad\u0000 pivot\u001b[31m -0.1\ud800' },
    );
    const xml = comparisonJunit(compareResults(before, after), before, after);
    const classnames = [...xml.matchAll(/classname="([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(classnames)).toEqual(new Set(['lr_cov 1e-4', 'lr_cov 0_01']));
    expect(xml).toContain('message="ok in the baseline, now singular at step 0: bad pivot[31m -0.1"');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\ud800]/);
  });
});
