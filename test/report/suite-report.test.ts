import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSuite } from '../../src/config/load.js';
import { runsOf } from '../../src/plan/expand.js';
import { writeReports } from '../../src/report/reporters.js';
import type { RunResult, Suite } from '../../src/types.js';
import { tempDir } from '../cli/cli.js';

// Experiments of other epochs: no run, and so no plot, of one is another's.
const doc = (name: string, seeds: number, epochs = 5) =>
  `name: ${name}\ntask: {name: mvn-classifier, epochs: ${epochs}}\ndim: 2\nsweep: {seed: ${seeds}}\n`;
const TWO = `${doc('a', 6)}---\n${doc('b', 9, 4)}`;

/** Every planned run of `suite`, a third of them singular. */
const resultsOf = (suite: Suite): RunResult[] =>
  runsOf(suite.experiments).map((r, i): RunResult => {
    const base = {
      id: r.id,
      config: r.config,
      step: i % 5,
      loss: 0.1,
      metrics: {},
      curve: [0.5, 0.2],
      seconds: 0,
    };
    return i % 3
      ? { ...base, outcome: 'ok' }
      : { ...base, outcome: 'singular', reason: 'pivot 1 <= 0', kind: 'cholesky' };
  });

/** Every report.html of `suite`'s folder: each experiment's page, then the folder's. */
async function report(suite: Suite): Promise<string[]> {
  const dir = tempDir('covsweep-suite-report-');
  const { written, failed } = await writeReports({ dir, suite, results: resultsOf(suite) });
  expect(failed).toEqual([]);
  return [...written].filter(([name]) => name.endsWith('report.html')).map(([, text]) => text);
}

/** Each plot of a page, by its figure's id. */
const plots = (html: string) =>
  new Map([...html.matchAll(/<figure class="plot" id="([^"]+)">(.*?)<\/figure>/gs)].map((m) => [m[1], m[2]]));

// No retrace kept between tests, nor within one: the cache is a file, so nothing can be written under it.
beforeEach(() => {
  const file = join(tempDir('covsweep-no-cache-'), 'file');
  writeFileSync(file, '');
  process.env.COVSWEEP_CACHE = file;
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('the reports of a file of several experiments', () => {
  it("puts every experiment's plots on the folder's page, each id once", async () => {
    const html = await report(parseSuite(TWO, 'two.yaml'));
    // Two experiments' pages, then the folder's page with both.
    expect(html).toHaveLength(3);
    const [a, b, folder] = html.map((h) => plots(h).size);
    expect(a).toBeGreaterThan(0);
    expect(folder).toBe(a + b);
    // Inline SVGs share the page's ids: every clip path and gradient must be its own.
    const ids = [...html[2].matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const [, ref] of html[2].matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
  }, 60_000);

  it("draws a plot on the folder's page as on its experiment's, but for its ids", async () => {
    const [page, , folder] = await report(parseSuite(TWO, 'two.yaml'));
    const own = plots(page);
    const inFolder = plots(folder);
    for (const [id, svg] of own)
      expect(inFolder.get(`a-${id}`)?.replaceAll('a-plot-', 'plot-'), id).toBe(svg);
  }, 60_000);
});
