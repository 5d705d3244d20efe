import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResultLine } from '../../src/results/jsonl.js';
import { covsweep, tempDir } from './cli.js';

describe('covsweep report RUN_DIR', () => {
  const out = tempDir();
  const ran = covsweep(['run', 'experiments/smoke.yaml', '--out', out]);
  const [stamp] = readdirSync(join(out, 'smoke'));
  const dir = join(out, 'smoke', stamp);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');

  it('is run by covsweep run: tables as CSV, one line per cell', () => {
    expect(ran.code).toBe(0);
    expect(readdirSync(join(dir, 'tables'))).toEqual(['failure_rate-lr.cov-parameterization.csv']);
    const csv = read('tables/failure_rate-lr.cov-parameterization.csv').trim().split('\n');
    expect(csv[0]).toBe('lr_cov,parameterization,runs,failed,failure_rate,ci_low,ci_high');
    expect(csv).toContain('0.1,full,3,3,1,0.4385029682449546,1');
  });

  it('writes report.html as one self-contained page: no script, nothing fetched, every plot inline', () => {
    const html = read('report.html');
    // url(#id) references stay inside the page.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\((?!#)/i);
    // The only URL is SVG's XML namespace, which is a name, not a fetch.
    const urls = [...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'\"");
    for (const id of ['plot-stability', 'plot-failure-steps', 'plot-curves', 'plot-gaussians'])
      expect(html).toMatch(new RegExp(`<figure class="plot" id="${id}"><svg `));
    expect(html).toContain('<caption>Failure rate by lr.cov and parameterization</caption>');
    // Inline SVGs share the page's ids: every clip path and gradient must be its own.
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
    expect(html).toContain('Seed 000&#39;s classifier, shortened');
  });

  it('rebuilds the reports from results.jsonl, drawing the runs --show names', () => {
    rmSync(join(dir, 'report.html'));
    rmSync(join(dir, 'tables'), { recursive: true });
    const results = read('results.jsonl').trim().split('\n').map(parseResultLine);
    const [a, b] = [results[1].id, results[10].id];
    const again = covsweep(['report', dir, '--show', a, '--show', b]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('| 0.1 | 3/3 = 100% [44-100] |');
    const html = read('report.html');
    expect(html).toContain(`run ${a}`);
    expect(html).toContain(`run ${b}`);
    expect(html).not.toContain(`run ${results[0].id}`);
    expect(readdirSync(join(dir, 'tables'))).toHaveLength(1);
  });

  it('runs only the reporters --only names', () => {
    writeFileSync(join(dir, 'summary.md'), '');
    rmSync(join(dir, 'report.html'));
    expect(covsweep(['report', dir, '--only', 'markdown']).code).toBe(0);
    expect(read('summary.md')).toContain('## Failure reasons');
    expect(readdirSync(dir)).not.toContain('report.html');
  });

  it('exits 2 with a message on bad input', () => {
    const missing = covsweep(['report', join(out, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope: no such run folder/);
    expect(covsweep(['report', dir, '--show', 'ffffffffffff']).stderr).toMatch(
      /--show ffffffffffff: no run with that id/,
    );
    expect(covsweep(['report', dir, '--only', 'pdf']).stderr).toMatch(
      /no reporter "pdf"; reporters: csv, tables, frontier, markdown, html/,
    );
  });
});
