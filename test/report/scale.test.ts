import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperiment, parseSuite } from '../../src/config/load.js';
import { runsOf } from '../../src/plan/expand.js';
import { reportHtml } from '../../src/report/html.js';
import { writeReports } from '../../src/report/reporters.js';
import type { RunResult } from '../../src/types.js';
import { tempDir } from '../cli/cli.js';

const text = (seeds: number) =>
  `name: s\ntask: {name: mvn-classifier, epochs: 5}\ndim: 2\nmax_runs: 1000000\nsweep: {seed: ${seeds}}\n`;

/** Results of every run of `text(seeds)`, a third of them singular, each with the learning curve `curve`. */
function results(seeds: number, curve: number[]): RunResult[] {
  const e = parseExperiment(text(seeds), 's.yaml');
  return runsOf([e]).map((r, i): RunResult => {
    const base = { id: r.id, config: r.config, step: i % 5, loss: 0.1, metrics: {}, curve, seconds: 0 };
    return i % 3
      ? { ...base, outcome: 'ok' }
      : { ...base, outcome: 'singular', reason: 'pivot 1 <= 0', kind: 'cholesky' };
  });
}

/** Each plot of report.html and its size in characters. */
async function figures(seeds: number, curve: number[]): Promise<Map<string, number>> {
  const html = await reportHtml({
    dir: '.',
    experiment: parseExperiment(text(seeds), 's.yaml'),
    results: results(seeds, curve),
    write() {},
  });
  expect(html).not.toContain('could not be drawn');
  return new Map(
    [...html.matchAll(/<figure class="plot" id="([^"]+)">(.*?)<\/figure>/gs)].map((m) => [m[1], m[2].length]),
  );
}

const decay = (n: number) => Array.from({ length: n }, (_, i) => 1 / (i + 1));

describe('reports that scale', () => {
  // 1024 seeds as the stability map's rows once overflowed the former renderer's expression
  // parser (a sort order of 1024 values). Eight times the runs must not make any plot much bigger.
  it('draws every plot for 1024 and 8192 seeds, of about the same size', async () => {
    const small = await figures(1024, [0.5, 0.2]);
    const large = await figures(8192, [0.5, 0.2]);
    // The path to failure retraces one failed run (real steps), whatever the number of runs.
    expect([...small.keys()]).toEqual([
      'plot-stability',
      'plot-failure-steps',
      'plot-curves',
      'plot-failure-path',
    ]);
    for (const [id, size] of large) expect(size, id).toBeLessThan(1.3 * small.get(id)!);
  }, 60_000);

  it('draws a million-step curve with as many points as a ten-thousand-step one', async () => {
    const short = await figures(8, decay(10_000));
    const long = await figures(8, decay(1_000_000));
    expect(long.get('plot-curves')!).toBeLessThan(1.1 * short.get('plot-curves')!);
  }, 60_000);
});

describe('a report that cannot be written', () => {
  it('is named, and every other file is written', async () => {
    const dir = tempDir('covsweep-report-');
    // A folder where report.html should go: its write fails.
    mkdirSync(join(dir, 'report.html'));
    const suite = parseSuite(text(4), 's.yaml');
    const { written, failed } = await writeReports({ dir, suite, results: results(4, [0.5, 0.2]) });
    expect(failed).toEqual([expect.stringMatching(/^html: .*report\.html/)]);
    expect([...written.keys()]).toEqual(expect.arrayContaining(['results.csv', 'summary.md']));
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('# s');
  });
});

describe('results the experiment does not plan', () => {
  it('are named and left out of the tables', async () => {
    const dir = tempDir('covsweep-report-');
    const suite = parseSuite(text(4), 's.yaml');
    const planned = results(4, [0.5, 0.2]);
    const stray = { ...planned[0], id: 'deadbeef0000' };
    const { failed, notes } = await writeReports({ dir, suite, results: [...planned, stray] });
    expect(failed).toEqual([]);
    expect(notes).toEqual([
      '1 result is of runs the experiment does not plan (deadbeef0000): left out of the tables, kept in results.jsonl',
    ]);
    expect(readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(
      /\| all \|\n\| --- .*\n\| ok \| 2 \| 2 \|\n\| singular \| 2 \| 2 \|/,
    );
  });
});
