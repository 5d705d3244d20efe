import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { maxRounds } from '../../src/frontier/search.js';
import { frontierRecords, frontierRows } from '../../src/frontier/summary.js';
import { frontierCsv, frontierMarkdown } from '../../src/report/frontier.js';
import { inPlanOrder } from '../../src/results/order.js';
import { searchFrontier } from '../../src/session/frontier.js';
import type { FrontierSpec, Outcome, RunConfig, RunResult, RunSpec } from '../../src/types.js';

const e = parseExperiment(
  [
    'name: fixture',
    'task: { name: mvn-classifier, n_per_class: 5, epochs: 1 }',
    'sweep:',
    '  parameterization: [full, tril, log-cholesky]',
    '  seed: 5',
    'frontier: { setting: lr.cov, min: 1.0e-5, max: 1, precision: 1.05, points: 3 }',
  ].join('\n'),
  'fixture.yaml',
) as ReturnType<typeof parseExperiment> & { frontier: FrontierSpec };

/**
 * A synthetic engine: full fails (singular) above 1e-3 * (seed + 1), tril above 0.02, except that
 * seed 4 of tril fails (diverged) only in a band (1e-3, 5e-3) that the first round's 3.16e-3 hits,
 * and log-cholesky never fails.
 */
function oracle(c: RunConfig): Outcome {
  const lr = c.lr.cov;
  if (c.parameterization === 'full') return lr <= 1e-3 * (c.seed + 1) ? 'ok' : 'singular';
  if (c.parameterization === 'tril') {
    if (c.seed === 4) return lr > 1e-3 && lr < 5e-3 ? 'diverged' : 'ok';
    return lr <= 0.02 ? 'ok' : 'singular';
  }
  return 'ok';
}

const result = ({ id, config }: RunSpec): RunResult => {
  const base = { id, config, step: 1, loss: 0, metrics: {}, curve: [], seconds: 0 };
  const outcome = oracle(config);
  return outcome === 'ok' ? { ...base, outcome } : { ...base, outcome, kind: 'unknown', reason: 'synthetic' };
};

/** Runs the searches with the synthetic engine; returns the results and every round's runs. */
async function search(start: RunResult[] = []) {
  const results = [...start];
  const rounds: RunSpec[][] = [];
  const unfinished = await searchFrontier([e], results, async (runs) => {
    rounds.push(runs);
    results.push(...runs.map(result));
    return 0;
  });
  return { results, rounds, unfinished };
}

describe('a frontier session', () => {
  it('trains every search of a round together: rounds are those of the longest search', async () => {
    const { rounds, results } = await search();
    expect(rounds.length).toBeLessThanOrEqual(maxRounds(e.frontier));
    // Round 1: every one of the 15 searches tests its 3 first values.
    expect(rounds[0]).toHaveLength(15 * 3);
    // log-cholesky's searches end after round 1 (nothing failed); the others keep going.
    expect(rounds[1]).toHaveLength(10 * 3);
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
  });

  it('finds each threshold to the precision, and flags the non-monotone seed', async () => {
    const { results } = await search();
    const records = frontierRecords(e, results);
    for (const r of records.filter((x) => x.settings.parameterization === 'full')) {
      const t = 1e-3 * ((r.settings.seed as number) + 1);
      expect(r.ok! <= t && t < r.failed!).toBe(true);
      expect(r.failed! / r.ok!).toBeLessThanOrEqual(1.05);
      expect(r.outcome).toBe('singular');
    }
    const band = records.find((x) => x.settings.parameterization === 'tril' && x.settings.seed === 4)!;
    expect(band.outcome).toBe('diverged');
    expect(band.ok! <= 1e-3 && 1e-3 < band.failed!).toBe(true);
    expect(band.ok_above).toEqual([1]);
    const never = records.filter((x) => x.settings.parameterization === 'log-cholesky');
    expect(never.every((x) => x.ok === 1 && x.failed === null && x.rounds === 1)).toBe(true);
  });

  it('tabulates median and 10-90% over seeds in log, beyond-range medians as bounds', async () => {
    const { results } = await search();
    const [full, tril, logChol] = frontierRows(e, results);
    // Seeds 0..4 of full: thresholds 1e-3..5e-3; the median seed is 3e-3, found from below to 5%.
    expect(full.median).toBeGreaterThan(3e-3 / 1.05);
    expect(full.median).toBeLessThanOrEqual(3e-3);
    expect(full.kinds).toEqual([['singular', 5]]);
    expect(full.nonMonotone).toBe(0);
    expect(tril.nonMonotone).toBe(1);
    expect(tril.kinds).toEqual([
      ['singular', 4],
      ['diverged', 1],
    ]);
    // The lowest seed of tril is the band's 1e-3: the 10% quantile interpolates between it and 0.02, in log.
    expect(tril.p10).toBeGreaterThan(1e-3);
    expect(tril.p10).toBeLessThan(0.02 / 1.05);
    expect(logChol).toMatchObject({ median: Number.POSITIVE_INFINITY, aboveMax: 5, kinds: [] });
    const md = frontierMarkdown(e, results);
    expect(md).toContain('| log-cholesky | >= 1 | >= 1 - >= 1 | 5 | none failed | 0 |');
    expect(frontierCsv(e, results).split('\n')[3]).toBe('log-cholesky,5,5,,,,0,5,,0');
  });

  it('a session that starts from part of the results trains only the rest, and ends the same', async () => {
    const whole = await search();
    const part = inPlanOrder(e, whole.results).filter((_, i) => i % 3 !== 0);
    const resumed = await search(part);
    const trained = resumed.rounds.flat().length;
    expect(trained).toBe(whole.results.length - part.length);
    expect(frontierRecords(e, resumed.results)).toEqual(frontierRecords(e, whole.results));
  });

  it('orders results by search, then by value', async () => {
    const { results } = await search();
    const ordered = inPlanOrder(e, [...results].reverse());
    const first = ordered.slice(0, 5).map((r) => r.config.lr.cov);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(ordered[0].config).toMatchObject({ parameterization: 'full', seed: 0, lr: { cov: 1e-5 } });
  });

  it('stops when training is stopped, with the count left', async () => {
    const results: RunResult[] = [];
    const left = await searchFrontier([e], results, async (runs) => runs.length);
    expect(left).toBe(45);
  });
});
