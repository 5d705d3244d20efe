import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment, plan, type RunEvent, report, run } from '../../src/index.js';
import { ROOT, tempDir } from '../cli/cli.js';

const NODE_TASK = join(ROOT, 'test', 'fixtures', 'command', 'node.yaml');

describe('the programmatic API', () => {
  it('loads, plans, runs and reports an experiment, with typed results and progress events', async () => {
    const suite = await loadExperiment(NODE_TASK);
    expect(suite.experiments.map((e) => e.name)).toEqual(['command-node']);
    const p = plan(suite, { workers: 2 });
    expect(p.runs).toHaveLength(5);
    // A command run is a process of its own: one batch each.
    expect(p.batches.map((b) => b.runs.length)).toEqual([1, 1, 1, 1, 1]);
    const events: RunEvent[] = [];
    const out = tempDir();
    const done = await run(suite, { out, workers: 3, onEvent: (e) => events.push(e) });
    expect(done.unfinished).toBe(0);
    expect(done.results.map((r) => r.outcome)).toEqual(['ok', 'singular', 'timeout', 'error', 'error']);
    const reported = events.flatMap((e) => (e.type === 'results' ? e.results.map((r) => r.id) : []));
    expect(new Set(reported)).toEqual(new Set(p.runs.map((r) => r.id)));
    expect(events.some((e) => e.type === 'progress' && e.steps > 0)).toBe(true);
    expect(done.summary).toContain('## Runs by outcome');
    expect(readFileSync(join(done.dir, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    const written = await report(done.dir, { only: ['csv'] });
    expect([...written.written.keys()]).toContain('results.csv');
  });

  it('plans the lane batches run trains: a run holding much data rides in a small batch', async () => {
    // 2 x 500k points of d = 16 are 192 MB a run (12 bytes a number): one run per batch, as the
    // session packs them (packRuns), not the d = 16 default of many lanes.
    const file = join(tempDir(), 'big-data.yaml');
    writeFileSync(
      file,
      'name: big-data\ntask: { name: mvn-classifier, n_per_class: 500000, epochs: 1 }\nparameterization: tril\ndim: 16\nsweep:\n  seed: 4\n',
    );
    const p = plan(await loadExperiment(file), { workers: 2 });
    expect(p.runs).toHaveLength(4);
    expect(p.batches.map((b) => b.runs.length)).toEqual([1, 1, 1, 1]);
  });

  it("compiles example plugins (TypeScript, and JavaScript with JSDoc) against the package's published types", () => {
    // dist/ is what `npm test` builds first; its index.d.ts is what `import type ... from 'covsweep'` reads.
    expect(existsSync(join(ROOT, 'dist', 'index.d.ts'))).toBe(true);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const output = execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'examples', 'tsconfig.json')], {
      encoding: 'utf8',
    });
    expect(output).toBe('');
  });
});
