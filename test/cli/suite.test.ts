import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/config/load.js';
import { runSession } from '../../src/session/run.js';
import { covsweepAsync, covsweepInProcess, ROOT, tempDir } from './cli.js';
import { runFolders, timeless } from './folders.js';

const FILE = join(ROOT, 'test', 'fixtures', 'suite', 'two.yaml');

/** A run of the two-experiment file (smoke's sweep and the tiny frontier) into a fresh out/. */
async function runTwo(...args: string[]) {
  const out = tempDir();
  const r = await covsweepAsync(['run', FILE, '--out', out, '--workers', '2', ...args]);
  return { ...r, out, dir: runFolders(out, 'two')[0] };
}

describe('covsweep run on a file of two experiments', () => {
  let first: Awaited<ReturnType<typeof runTwo>>;
  let smoke: ReturnType<typeof timeless>;
  beforeAll(async () => {
    // smoke alone through the session layer, in this process, while the CLI trains the file: what
    // is compared is its results, which no CLI process adds to (repro and resume spawn the CLI).
    const [two, alone] = await Promise.all([
      runTwo(),
      runSession(loadSuite(join(ROOT, 'experiments', 'smoke.yaml')), {
        root: tempDir(),
        workers: 2,
        workerFile: join(ROOT, 'dist', 'pool', 'worker.js'),
      }),
    ]);
    first = two;
    smoke = timeless(alone.dir);
  });

  it('trains both into one folder named after the file, the sweep first, then the frontier rounds', () => {
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/covsweep 12\/12 runs/);
    // The searches start at lr.cov 1e-4, where smoke has trained the same runs: 16 values, 4 known.
    expect(first.stderr).toContain('covsweep: frontier round 1: 12 runs for 4 open searches');
    expect(readdirSync(first.dir).sort()).toEqual([
      'manifest.json',
      'report.html',
      'results.csv',
      'results.jsonl',
      'smoke',
      'summary.md',
      'tiny-frontier',
      'two.yaml',
    ]);
    expect(readdirSync(join(first.dir, 'smoke')).sort()).toEqual([
      'report.html',
      'results.csv',
      'summary.md',
      'tables',
    ]);
    expect(readdirSync(join(first.dir, 'tiny-frontier')).sort()).toEqual([
      'frontier.jsonl',
      'report.html',
      'results.csv',
      'summary.md',
      'tables',
    ]);
    const manifest = JSON.parse(readFileSync(join(first.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ experiment: 'two', runs: timeless(first.dir).length });
  });

  it('records the sweep runs with the ids and results they have when their document runs alone', () => {
    const all = timeless(first.dir);
    // Plan order: the first document's runs, then the frontier's.
    expect(all.slice(0, 12)).toEqual(smoke);
    expect(all.length).toBeGreaterThan(12 + 16);
    const frontierIds = new Set(
      readFileSync(join(first.dir, 'tiny-frontier', 'results.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    // A run both plan counts for both: the frontier's first values are smoke's lr.cov 1e-4 runs.
    expect(frontierIds.size).toBe(all.length - 12 + 4);
    expect(all.slice(12).every((r) => frontierIds.has(r.id))).toBe(true);
    const shared = all.slice(0, 12).filter((r) => frontierIds.has(r.id));
    expect(shared.map((r) => r.config.lr.cov)).toEqual([1e-4, 1e-4, 1e-4, 1e-4]);
    expect(shared.map((r) => r.config.seed)).toEqual([0, 1, 0, 1]);
  });

  it("shows each experiment's tables under its own heading, in summary.md and report.html", () => {
    const summary = readFileSync(join(first.dir, 'summary.md'), 'utf8');
    expect(first.stdout).toContain(summary);
    const smokeAt = summary.indexOf('# smoke (');
    const tinyAt = summary.indexOf('# tiny-frontier (');
    expect(smokeAt).toBe(0);
    expect(tinyAt).toBeGreaterThan(smokeAt);
    expect(summary.slice(smokeAt, tinyAt)).toContain('| lr.cov \\ parameterization | full | tril |');
    expect(summary.slice(tinyAt)).toContain('| parameterization | critical lr.cov (median) |');
    expect(summary.slice(tinyAt)).not.toContain('lr.cov \\ parameterization');
    expect(readFileSync(join(first.dir, 'smoke', 'summary.md'), 'utf8')).toBe(summary.slice(0, tinyAt - 1));
    const html = readFileSync(join(first.dir, 'report.html'), 'utf8');
    expect(html).toContain('<article id="smoke">');
    expect(html).toContain('<article id="tiny-frontier">');
    expect(html).toContain('id="smoke-stability"');
    expect(html).toContain('id="tiny-frontier-frontier"');
    const sectionIds = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(sectionIds).size).toBe(sectionIds.length);
    const csv = readFileSync(join(first.dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^id,parameterization,lr_cov,seed,outcome,/);
    expect(csv).toHaveLength(timeless(first.dir).length + 1);
  });

  it('plans and validates each experiment and the total', async () => {
    const plan = await covsweepAsync(['plan', FILE, '--workers', '1']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^smoke: 12 runs, /);
    expect(plan.stdout).toMatch(/\ntiny-frontier: 4 runs, /);
    expect(plan.stdout).toMatch(
      /\n\ntotal: 2 experiments, 12 sweep runs \(a run several plan counts once\), 4 frontier searches\n$/,
    );
    const valid = await covsweepAsync(['validate', FILE]);
    expect(valid.stdout).toBe(`${FILE}: valid, 2 experiments (smoke: 12 runs, tiny-frontier: 4 runs)\n`);
  });

  it('resumes a cut folder to the same results, tables and frontier', async () => {
    // A copy of the first run's folder: the same as a second run of the file (its results are
    // reproducible, as the test above checks against smoke's own run), one training fewer.
    const dir = join(tempDir(), 'two', basename(first.dir));
    cpSync(first.dir, dir, { recursive: true });
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    // Cut into the sweep: its last runs and every frontier run are to be trained again.
    writeFileSync(join(dir, 'results.jsonl'), `${lines.slice(0, 9).join('\n')}\n`);
    const r = await covsweepAsync(['run', FILE, '--resume', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/covsweep 3\/3 runs/);
    expect(timeless(dir)).toEqual(timeless(first.dir));
    for (const name of [
      'tiny-frontier/frontier.jsonl',
      'smoke/tables/failure_rate-lr.cov-parameterization.csv',
    ])
      expect(readFileSync(join(dir, name), 'utf8')).toBe(readFileSync(join(first.dir, name), 'utf8'));
    const again = await covsweepAsync(['run', FILE, '--resume', dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/covsweep 0\/0 runs/);
    expect(again.stderr).not.toContain('frontier round');
  });

  it('refuses a changed document on resume, naming it, and --only in a file that searches a frontier', async () => {
    const out = tempDir();
    const file = join(out, 'two.yaml');
    writeFileSync(file, readFileSync(FILE, 'utf8'));
    const dir = join(out, 'copy');
    // The first folder, as a resume target for the edited file.
    writeFileSync(file, readFileSync(FILE, 'utf8').replace('seed: 2', 'seed: 3'));
    // In this process: both are refused before a pool starts, by the CLI's own main.
    const refused = await covsweepInProcess(['run', file, '--resume', first.dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('tiny-frontier: runs: 4 -> 6 (4 in both)');
    const only = await covsweepInProcess(['run', FILE, '--only', 'abc', '--out', dir]);
    expect(only.code).toBe(2);
    expect(only.stderr).toContain('searches a frontier (experiment "tiny-frontier")');
  });
});
