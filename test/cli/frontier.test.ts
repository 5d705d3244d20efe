import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/config/load.js';
import type { FrontierRecord } from '../../src/frontier/summary.js';
import { type RunSessionResult, runSession } from '../../src/session/run.js';
import { covsweepAsync, covsweepInProcess, ROOT, tempDir } from './cli.js';
import { runFolders, timeless } from './folders.js';

const FILE = join(ROOT, 'test', 'fixtures', 'frontier', 'tiny.yaml');

async function runTiny(...args: string[]) {
  const out = tempDir();
  const r = await covsweepAsync(['run', FILE, '--out', out, ...args]);
  return { ...r, out, dir: runFolders(out, 'tiny-frontier')[0] };
}

const records = (dir: string): FrontierRecord[] =>
  readFileSync(join(dir, 'frontier.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('covsweep run on a frontier file', () => {
  let first: Awaited<ReturnType<typeof runTiny>>;
  let again: RunSessionResult;
  beforeAll(async () => {
    // The same file with one worker and 3 lanes a batch, through the session layer in this process
    // while the CLI trains it: the comparison is of results, which no CLI process adds to.
    [first, again] = await Promise.all([
      runTiny('--workers', '2'),
      runSession(loadSuite(FILE), {
        root: tempDir(),
        workers: 1,
        lanes: 3,
        workerFile: join(ROOT, 'dist', 'pool', 'worker.js'),
      }),
    ]);
  });

  it('searches round by round and prints the frontier table', () => {
    expect(first.code).toBe(0);
    // 4 searches (2 parameterizations x 2 seeds), 4 values each a round.
    expect(first.stderr).toContain('covsweep: frontier round 1: 16 runs for 4 open searches');
    expect(first.stdout).toContain(
      '| parameterization | critical lr.cov (median) | 10-90% | seeds | failure at the boundary | non-monotone |',
    );
    expect(first.stdout).toMatch(/\| tril \| [\d.e-]+ \| [\d.e-]+ - [\d.e-]+ \| 2 \| singular 2 \| \d \|/);
  });

  it('records every tested value as a run, and each search bracketed to the precision', () => {
    const rs = records(first.dir);
    expect(rs).toHaveLength(4);
    const results = timeless(first.dir);
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(results).toHaveLength(rs.reduce((n, r) => n + r.runs, 0));
    for (const r of rs) {
      expect(r.done).toBe(true);
      expect(r.failed! / r.ok!).toBeLessThanOrEqual(1.2);
      const ok = byId.get(r.ok_id!)!;
      const failed = byId.get(r.failed_id!)!;
      expect([ok.outcome, ok.config.lr.cov]).toEqual(['ok', r.ok]);
      expect([failed.outcome, failed.config.lr.cov]).toEqual([r.outcome, r.failed]);
      expect(failed.config.parameterization).toBe(r.settings.parameterization);
      // Every value of the search below its first failure ended ok; above it, only those listed.
      const search = results.filter(
        (x) => x.config.seed === r.settings.seed && x.config.parameterization === r.settings.parameterization,
      );
      expect(search).toHaveLength(r.runs);
      for (const x of search) {
        if (x.config.lr.cov < r.failed!) expect(x.outcome).toBe('ok');
        else if (x.outcome === 'ok') expect(r.ok_above).toContain(x.config.lr.cov);
      }
    }
    const manifest = JSON.parse(readFileSync(join(first.dir, 'manifest.json'), 'utf8'));
    expect(manifest.runs).toBe(results.length);
    const csv = readFileSync(join(first.dir, 'tables', 'frontier.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'parameterization,seeds,finished,median,p10,p90,below_min,above_max,failure_kinds,non_monotone',
    );
    expect(readFileSync(join(first.dir, 'report.html'), 'utf8')).toContain('id="plot-frontier"');
  });

  it('finds the same runs and brackets with one worker and 3 lanes a batch', () => {
    expect(again.unfinished).toBe(0);
    expect(timeless(again.dir)).toEqual(timeless(first.dir));
    expect(readFileSync(join(again.dir, 'frontier.jsonl'), 'utf8')).toBe(
      readFileSync(join(first.dir, 'frontier.jsonl'), 'utf8'),
    );
  });

  it('resumes a stopped search where it stopped, training only what is missing', async () => {
    const out = tempDir();
    const dir = join(out, 'stopped');
    cpSync(first.dir, dir, { recursive: true });
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    // The first search whole, the others' later rounds lost.
    const kept = lines.slice(0, lines.length - 20);
    writeFileSync(join(dir, 'results.jsonl'), `${kept.join('\n')}\n`);
    const r = await covsweepAsync(['run', FILE, '--resume', dir, '--out', out]);
    expect(r.code).toBe(0);
    const trained = [...r.stderr.matchAll(/frontier round \d+: (\d+) runs/g)].map((m) => Number(m[1]));
    expect(trained.reduce((a, b) => a + b, 0)).toBe(20);
    expect(timeless(dir)).toEqual(timeless(first.dir));
    expect(records(dir)).toEqual(records(first.dir));
  });

  it('covsweep report rebuilds frontier.jsonl from results.jsonl alone', async () => {
    const before = readFileSync(join(first.dir, 'frontier.jsonl'), 'utf8');
    writeFileSync(join(first.dir, 'frontier.jsonl'), '');
    expect((await covsweepAsync(['report', first.dir, '--only', 'frontier'])).code).toBe(0);
    expect(readFileSync(join(first.dir, 'frontier.jsonl'), 'utf8')).toBe(before);
  });

  it('refuses --shard and --only, which cannot select runs chosen by earlier results', async () => {
    // In this process, by the CLI's own main: refused before a pool starts.
    const r = await covsweepInProcess(['run', FILE, '--shard', '1/2', '--out', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /searches a frontier, whose runs are chosen round by round .*--shard and --only do not apply/,
    );
  });
});
