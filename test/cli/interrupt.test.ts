import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/jsonl.js';
import { covsweepAsync, startCovsweep, tempDir } from './cli.js';
import { runFolders, tables, timeless, whenResults } from './folders.js';

// One worker and one lane per batch: twelve batches one after another, so a signal lands mid-sweep.
// Long runs (400k steps, about half a second on the native step) keep a batch in flight while the
// signals arrive; smoke's own 80 steps take milliseconds, and the sweep ended before them.
const LONG = 'task.epochs=10000';
const SLOW = ['--workers', '1', '--lanes', '1', LONG];

let clean: string;
beforeAll(async () => {
  const out = tempDir();
  expect((await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out, LONG])).code).toBe(0);
  [clean] = runFolders(out);
});

describe.each(['SIGINT', 'SIGTERM'] as const)('a first %s', (signal) => {
  it('stops the sweep, keeps what finished, prints how to resume and exits 130; --resume finishes it', async () => {
    const out = tempDir();
    const { child, done } = startCovsweep(['run', 'experiments/smoke.yaml', '--out', out, ...SLOW]);
    const dir = await whenResults(out);
    child.kill(signal);
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`${signal}: stopping`);
    expect(stopped.stderr).toContain(
      `to run the rest: covsweep run experiments/smoke.yaml ${LONG} --resume ${dir}`,
    );
    expect(stopped.stdout).toBe('');
    const partial = readResults(join(dir, 'results.jsonl'));
    expect(partial.truncated).toBeUndefined();
    expect(partial.results.length).toBeGreaterThan(0);
    expect(partial.results.length).toBeLessThan(12);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).interrupted).toBe(true);

    const resumed = await covsweepAsync(['run', 'experiments/smoke.yaml', '--resume', '--out', out, ...SLOW]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`results: ${dir}`);
    expect(runFolders(out)).toEqual([dir]);
    expect(timeless(dir)).toEqual(timeless(clean));
    expect(tables(dir)).toEqual(tables(clean));
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).interrupted).toBeUndefined();
  });
});

describe('a second Ctrl-C', () => {
  it('exits at once with 130, and every line written is whole', async () => {
    const out = tempDir();
    const { child, done } = startCovsweep(['run', 'experiments/smoke.yaml', '--out', out, ...SLOW]);
    const dir = await whenResults(out);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    const second = performance.now();
    child.kill('SIGINT');
    const { code, stderr } = await done;
    expect(code).toBe(130);
    expect(stderr).toContain('SIGINT again: exiting now');
    expect(performance.now() - second).toBeLessThan(3000);
    const { results, truncated } = readResults(join(dir, 'results.jsonl'));
    expect(truncated).toBeUndefined();
    expect(results.length).toBeGreaterThan(0);
  });
});
