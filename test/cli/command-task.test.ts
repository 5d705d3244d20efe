import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { covsweepAsync, ROOT, tempDir } from './cli.js';
import { runFolders, tables, timeless } from './folders.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'command');

/** Processes whose command line names `word` (a child left running would show here). */
function processesNaming(word: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', word], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches.
  }
}

const byMode = (dir: string) =>
  Object.fromEntries(timeless(dir).map((r) => [`${r.config.task.mode} ${r.config.lr.cov}`, r]));

describe('command tasks', () => {
  it('runs a Python script (no third-party packages) per run: ok, singular, and timeout with its process group killed', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', join(FIXTURES, 'python.yaml'), '--out', out], ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/covsweep 5\/5 runs \| failed: 2 singular, 1 timeout/);
    const [dir] = runFolders(out, 'command-python');
    const results = timeless(dir);
    const ok = results.filter((x) => x.outcome === 'ok');
    expect(ok).toHaveLength(2);
    for (const x of ok) {
      expect(x.step).toBe(40);
      expect(x.curve.length).toBe(40);
      expect(x.metrics.variance_error).toBeLessThan(0.05);
      expect(x.backend).toBe('command');
    }
    for (const x of results.filter((y) => y.outcome === 'singular'))
      expect(x).toMatchObject({
        step: 1,
        reason: expect.stringMatching(/^variance -[0-9.]+ <= 0 at step 1$/),
      });
    expect(results.find((x) => x.outcome === 'timeout')).toMatchObject({
      config: { task: { mode: 'sleep' } },
      reason: 'time limit of 2 s reached',
    });
    expect(processesNaming('variance.py')).toEqual([]);
    // The folder alone reproduces a run: its copy of the script runs again, to the same end.
    const singular = results.find((x) => x.outcome === 'singular')!;
    const again = await covsweepAsync(['repro', dir, singular.id]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${singular.id}: same outcome and step as recorded`);
    // The script's content hash is part of every run's config (and so of its id).
    const sha = results[0].config.task.script as { file: string; sha256: string };
    expect(sha.file).toBe('variance.py');
    expect(sha.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('runs a Node script: ok, singular, timeout, a crash with its stderr tail, and an exit without a final line', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', join(FIXTURES, 'node.yaml'), '--out', out, '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    const runs = byMode(runFolders(out, 'command-node')[0]);
    expect(runs['train 0.05']).toMatchObject({ outcome: 'ok', step: 40 });
    expect(runs['train 5']).toMatchObject({ outcome: 'singular', step: 1 });
    expect(runs['sleep 0.001']).toMatchObject({ outcome: 'timeout', reason: 'time limit of 2 s reached' });
    expect(runs['crash 0.001']).toMatchObject({
      outcome: 'error',
      reason: 'node exited with code 3; stderr: ...Traceback: something broke | ValueError: bad input',
    });
    expect(runs['silent 0.001']).toMatchObject({
      outcome: 'error',
      reason: 'node exited without a final {"outcome": ...} line',
    });
    expect(processesNaming('variance.mjs')).toEqual([]);
  });
});

describe('a command-task sweep', () => {
  let file: string;
  let clean: string;
  beforeAll(async () => {
    // The Node fixture without its slow and failing runs, in a folder of its own.
    const out = tempDir();
    file = join(out, 'node.yaml');
    writeFileSync(
      file,
      readFileSync(join(FIXTURES, 'node.yaml'), 'utf8')
        .replace(/include:[\s\S]*$/, '')
        .replace('[0.05, 5]', '[0.01, 0.05, 5]')
        .replace('variance.mjs', join(FIXTURES, 'variance.mjs')),
    );
    expect((await covsweepAsync(['run', file, '--out', out])).code).toBe(0);
    [clean] = runFolders(out, 'command-node');
  });

  it('resumes: runs only the runs a folder lacks, and ends with the same results', async () => {
    const dir = join(tempDir(), 'copy');
    cpSync(clean, dir, { recursive: true });
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'results.jsonl'), `${lines[0]}\n`);
    const r = await covsweepAsync(['run', file, '--resume', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/covsweep 2\/2 runs/);
    expect(timeless(dir).map((x) => ({ ...x, curve: x.curve.length }))).toEqual(
      timeless(clean).map((x) => ({ ...x, curve: x.curve.length })),
    );
  });

  it('shards and merges into the tables of the unsharded run', async () => {
    const shards: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const out = tempDir();
      const r = await covsweepAsync(['run', file, '--shard', shard, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      shards.push(runFolders(out, 'command-node')[0]);
    }
    expect(shards.map((d) => timeless(d).length)).toEqual([2, 1]);
    const merged = join(tempDir(), 'merged');
    const m = await covsweepAsync(['merge', ...shards, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    expect(tables(merged)).toEqual(tables(clean));
  });
});
