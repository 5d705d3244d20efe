import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseResultLine } from '../../src/results/jsonl.js';
import { covsweepAsync, tempDir } from './cli.js';

/** The one run folder under out/smoke/. */
function runFolder(out: string): string {
  const [stamp] = readdirSync(join(out, 'smoke'));
  return join(out, 'smoke', stamp);
}

/** results.jsonl without timings: what must be identical between runs. */
function results(dir: string) {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => ({ ...parseResultLine(l), seconds: 0 }));
}

describe('covsweep run experiments/smoke.yaml', () => {
  const out1 = tempDir();
  let first: Awaited<ReturnType<typeof covsweepAsync>>;
  // Spawned, not spawnSync: a blocked test process misses vitest's own messages.
  beforeAll(async () => {
    first = await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out1, '--workers', '2']);
  });

  it('exits 0 and prints the summary table on stdout, progress on stderr', () => {
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('| lr.cov \\ parameterization | full | tril |');
    expect(first.stdout).toMatch(/\| 0\.1 \| 3\/3 = 100% \[44-100\] \|/);
    expect(first.stderr).toMatch(/covsweep 12\/12 runs \| failed: \d+ singular/);
    expect(first.stdout).not.toMatch(/covsweep \d+\/\d+ runs/);
  });

  it('writes the run folder: experiment copy, manifest, results, tables, summary.md, report.html', () => {
    const dir = runFolder(out1);
    expect(readdirSync(dir).sort()).toEqual([
      'manifest.json',
      'report.html',
      'results.csv',
      'results.jsonl',
      'smoke.yaml',
      'summary.md',
      'tables',
    ]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    // --backend auto: smoke's classifier with full and tril has a native step.
    expect(manifest).toMatchObject({ experiment: 'smoke', runs: 12, backend: 'native', workers: 2 });
    expect(manifest.ended).toBeDefined();
    const rs = results(dir);
    expect(rs).toHaveLength(12);
    expect(new Set(rs.map((r) => r.id)).size).toBe(12);
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'id,parameterization,lr_cov,seed,outcome,kind,step,reason,loss,accuracy,cov_error,dead_unit_steps,mean_error,seconds',
    );
    expect(csv).toHaveLength(13);
  });

  it('gives identical results.jsonl (timings aside) on a second run and with one worker', async () => {
    const out2 = tempDir();
    const again = await covsweepAsync([
      'run',
      'experiments/smoke.yaml',
      '--out',
      out2,
      '--workers',
      '1',
      '--lanes',
      '2',
    ]);
    expect(again.code).toBe(0);
    expect(results(runFolder(out2))).toEqual(results(runFolder(out1)));
  });
});
