import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSuite } from '../../src/config/load.js';
import { runsOf } from '../../src/plan/expand.js';
import { drawWith, toSvg } from '../../src/report/render.js';
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

/**
 * Writes every report of `suite` with plots "drawn" by a stub that answers each a turn of the
 * event loop later, and says what it was asked: the specs, in order, and how many had been asked
 * for when the first was answered.
 */
async function report(suite: Suite): Promise<{ asked: string[]; beforeFirstAnswer: number; html: string[] }> {
  const dir = tempDir('covsweep-suite-report-');
  const asked: string[] = [];
  let beforeFirstAnswer = 0;
  const restore = drawWith(async (_spec, json) => {
    asked.push(json);
    await new Promise((r) => setImmediate(r));
    beforeFirstAnswer ||= asked.length;
    return `<svg><g id="plot"/></svg>`;
  });
  try {
    const { written, failed } = await writeReports({ dir, suite, results: resultsOf(suite) });
    expect(failed).toEqual([]);
    const html = [...written].filter(([name]) => name.endsWith('report.html')).map(([, text]) => text);
    return { asked, beforeFirstAnswer, html };
  } finally {
    restore();
  }
}

const figures = (html: string) => html.match(/<figure class="plot"/g)?.length ?? 0;

// No plot kept between tests, nor within one: the cache is a file, so nothing can be written under it.
beforeEach(() => {
  const file = join(tempDir('covsweep-no-cache-'), 'file');
  writeFileSync(file, '');
  process.env.COVSWEEP_CACHE = file;
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('the reports of a file of several experiments', () => {
  it("asks for the second experiment's plots before the first experiment's are drawn", async () => {
    const { beforeFirstAnswer, html } = await report(parseSuite(TWO, 'two.yaml'));
    // More plots than the first experiment has: the second's too.
    expect(beforeFirstAnswer).toBeGreaterThan(figures(html[0]));
  }, 60_000);

  it("draws each plot once, for the experiments' pages and the folder's", async () => {
    const { asked, html } = await report(parseSuite(TWO, 'two.yaml'));
    // Two experiments' pages, then the folder's page with both.
    expect(html).toHaveLength(3);
    const [a, b, folder] = html.map(figures);
    expect(a).toBeGreaterThan(0);
    expect(folder).toBe(a + b);
    expect(asked).toHaveLength(a + b);
    expect(new Set(asked).size).toBe(a + b);
  }, 60_000);
});

describe('a spec asked for twice', () => {
  it('is drawn once, its ids scoped for each place', async () => {
    let drawn = 0;
    const restore = drawWith(async () => {
      drawn++;
      return '<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"/></svg>';
    });
    try {
      const spec: TopLevelSpec = { data: { values: [{ x: 1 }] }, mark: 'point', encoding: {} };
      const [p, q] = await Promise.all([toSvg(spec, 'p'), toSvg(spec, 'q')]);
      expect(drawn).toBe(1);
      expect(p).toBe('<svg><clipPath id="p-1"/><g clip-path="url(#p-1)"/></svg>');
      expect(q).toBe('<svg><clipPath id="q-1"/><g clip-path="url(#q-1)"/></svg>');
      // A copy is another spec: drawn again (unless kept on disk, which this test's cache cannot).
      await toSvg({ ...spec }, 'r');
      expect(drawn).toBe(2);
    } finally {
      restore();
    }
  });
});
