import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResultLine, resultLine } from '../../src/results/jsonl.js';
import { covsweep, ROOT, tempDir } from './cli.js';

const BASELINE = join(ROOT, 'runs', 'baseline', 'smoke');

describe('covsweep compare BASELINE CURRENT', () => {
  const out = tempDir();
  covsweep(['run', 'experiments/smoke.yaml', '--out', out]);
  const current = join(out, 'smoke', readdirSync(join(out, 'smoke'))[0]);

  it('finds no regression against the pinned baseline, and writes JUnit with one testcase per run', () => {
    const junit = join(out, 'junit.xml');
    const r = covsweep(['compare', BASELINE, current, '--junit', junit]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## covsweep compare: no regression\n/);
    expect(r.stdout).toContain('12 runs in both');
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(12);
    expect(xml).toContain('failures="0"');
  });

  it('exits 1 when a configuration fails significantly more often, with --json for machines', () => {
    // Every tril run at lr 1e-4 now fails: 0/3 -> 3/3, p = 0.1, significant at alpha 0.2 only.
    const doctored = join(out, 'doctored.jsonl');
    const lines = readFileSync(join(current, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(parseResultLine);
    const broken = lines.map((r) =>
      r.config.parameterization === 'tril' && r.config.lr.cov === 1e-4
        ? {
            ...r,
            outcome: 'diverged' as const,
            kind: 'non-finite-loss' as const,
            step: 5,
            reason: 'loss non-finite at step 5: NaN',
          }
        : r,
    );
    writeFileSync(doctored, broken.map((r) => `${resultLine(r)}\n`).join(''));
    const noisy = covsweep(['compare', current, doctored]);
    expect(noisy.code).toBe(0);
    expect(noisy.stdout).toContain('| tril · lr.cov 1e-4 | 0/3 = 0% | 3/3 = 100% | 0.1 | not significant |');
    expect(noisy.stdout).toContain('### Runs that went from ok to failed (3)');
    const flagged = covsweep(['compare', current, doctored, '--alpha', '0.2', '--json']);
    expect(flagged.code).toBe(1);
    const json = JSON.parse(flagged.stdout);
    expect(json.regression).toBe(true);
    expect(json.runs.regressed).toHaveLength(3);
    expect(covsweep(['compare', current, doctored, '--strict']).code).toBe(1);
  });

  it('exits 2 on bad input', () => {
    const garbage = join(out, 'garbage.jsonl');
    writeFileSync(garbage, '{"id": "x"}\n');
    expect(covsweep(['compare', BASELINE, garbage]).stderr).toMatch(/garbage.jsonl:1: not a run result/);
    expect(covsweep(['compare', BASELINE, garbage]).code).toBe(2);
    expect(covsweep(['compare', BASELINE, join(out, 'nothing')]).code).toBe(2);
    expect(covsweep(['compare', BASELINE]).code).toBe(2);
    expect(covsweep(['compare', BASELINE, current, '--alpha', '2']).stderr).toMatch(
      /--alpha must be a number between 0 and 1/,
    );
  });
});
