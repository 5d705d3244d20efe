import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runId } from '../../src/plan/ids.js';
import { parseResultLine, resultLine } from '../../src/results/jsonl.js';
import type { RunResult } from '../../src/types.js';
import { covsweepAsync, ROOT, tempDir } from './cli.js';

const PARENT = join(ROOT, 'runs', 'baseline', 'smoke');
const BASELINE = join(PARENT, readdirSync(PARENT)[0]);
const results = (): RunResult[] =>
  readFileSync(join(BASELINE, 'results.jsonl'), 'utf8').trim().split('\n').map(parseResultLine);

/** A run folder holding `rs` and the baseline's manifest, with `experiment` as its experiment's name. */
function folder(rs: readonly RunResult[], experiment = 'smoke'): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'results.jsonl'), rs.map((r) => `${resultLine(r)}\n`).join(''));
  const manifest = JSON.parse(readFileSync(join(BASELINE, 'manifest.json'), 'utf8'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, experiment }));
  copyFileSync(join(BASELINE, 'smoke.yaml'), join(dir, 'smoke.yaml'));
  return dir;
}

describe.concurrent('covsweep compare cannot pass a wrong baseline', () => {
  it('fails current results that lack runs of the baseline, unless --allow-missing', async () => {
    // An interrupted sweep: 5 of 12 runs.
    const half = folder(results().slice(0, 5));
    const r = await covsweepAsync(['compare', BASELINE, half]);
    expect(r.stdout).toMatch(
      /^## covsweep compare: INCOMPLETE\n\nThe current results lack 7 of the baseline's runs/,
    );
    expect(r.code).toBe(1);
    const json = JSON.parse((await covsweepAsync(['compare', BASELINE, half, '--json', '--strict'])).stdout);
    expect([json.incomplete, json.runs.onlyBaseline.length]).toEqual([true, 7]);
    const allowed = await covsweepAsync(['compare', BASELINE, half, '--allow-missing']);
    expect(allowed.stdout).toMatch(/^## covsweep compare: no regression\n/);
    expect(allowed.code).toBe(0);
  });

  it('refuses two different experiments with exit 2', async () => {
    // Same names, other settings: no configuration in common.
    const other = folder(
      results().map((r) => {
        const config = { ...r.config, dim: 3 };
        return { ...r, config, id: runId(config) };
      }),
    );
    const r = await covsweepAsync(['compare', BASELINE, other]);
    expect(r.stderr).toMatch(/have no configuration in common: they are results of different experiments/);
    expect([r.code, r.stdout]).toEqual([2, '']);
    const renamed = await covsweepAsync(['compare', BASELINE, folder(results(), 'other')]);
    expect(renamed.stderr).toMatch(/is of experiment "smoke" but the current results .* are of "other"/);
    expect(renamed.code).toBe(2);
  });

  it('names a folder given as --junit, and a corrupted manifest', async () => {
    const dir = tempDir();
    const r = await covsweepAsync(['compare', BASELINE, BASELINE, '--junit', dir]);
    expect(r.stderr).toBe(
      `covsweep: --junit ${dir} is a folder; give a file path such as ${join(dir, 'covsweep.xml')}\n`,
    );
    expect(r.code).toBe(2);
    const broken = folder(results());
    writeFileSync(join(broken, 'manifest.json'), '{"experiment": "smo');
    const bad = await covsweepAsync(['compare', BASELINE, broken]);
    expect(bad.stderr).toMatch(
      new RegExp(
        `^covsweep: ${join(broken, 'manifest.json')}: not a valid manifest \\(.*\\); restore it\\n$`,
      ),
    );
    expect(bad.code).toBe(2);
    const report = await covsweepAsync(['report', broken]);
    expect(report.stderr).toMatch(
      new RegExp(`^covsweep: ${join(broken, 'manifest.json')}: not a valid manifest`),
    );
    expect(report.code).toBe(2);
  });
});
