import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSuite } from '../../src/config/load.js';
import { mergeSession } from '../../src/session/merge.js';
import { type RunSessionResult, runSession } from '../../src/session/run.js';
import type { LaneBatch, RunResult } from '../../src/types.js';
import { ROOT, tempDir } from '../cli/cli.js';

const WORKER = join(ROOT, 'dist', 'pool', 'worker.js');

/** Everything the session reported, in order, by hook name. */
function recorder() {
  const calls: string[] = [];
  const results: RunResult[] = [];
  const batches: LaneBatch[][] = [];
  return {
    calls,
    results,
    batches,
    events: {
      onNote: (m: string) => calls.push(`note ${m}`),
      onFolder: () => calls.push('folder'),
      onTrainStart: (b: readonly LaneBatch[]) => {
        calls.push('start');
        batches.push([...b]);
      },
      onResults: (rs: readonly RunResult[]) => {
        results.push(...rs);
      },
      onTrainEnd: () => calls.push('end'),
      onFrontierRound: (round: number) => calls.push(`round ${round}`),
    },
  };
}

describe('runSession and mergeSession, the API the CLI runs over', () => {
  const out = tempDir();
  const written: string[] = [];
  const suite = loadSuite(join(ROOT, 'experiments', 'smoke.yaml'));
  const shards: { done: RunSessionResult; seen: ReturnType<typeof recorder> }[] = [];

  beforeAll(async () => {
    // The session prints nothing: whatever reaches the process's streams is a bug.
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      for (const index of [1, 2]) {
        const seen = recorder();
        const done = await runSession(suite, {
          root: out,
          workers: 1,
          backend: 'cpu',
          selection: { shard: { index, count: 2 } },
          events: seen.events,
          workerFile: WORKER,
        });
        shards.push({ done, seen });
      }
    } finally {
      vi.restoreAllMocks();
    }
  });

  afterEach(() => vi.restoreAllMocks());

  it('writes nothing to stdout or stderr', () => {
    expect(written).toEqual([]);
  });

  it('tells its folder before training, then each batch result, and ends what it starts', () => {
    for (const { done, seen } of shards) {
      expect(seen.calls).toEqual(['folder', 'start', 'end']);
      expect(seen.batches[0].flatMap((b) => b.runs.map((r) => r.id)).sort()).toEqual(
        done.results.map((r) => r.id).sort(),
      );
      expect(seen.results.map((r) => r.id).sort()).toEqual(done.results.map((r) => r.id).sort());
      expect(done.unfinished).toBe(0);
      expect(done.planned).toBe(done.results.length);
      expect(done.summary).toContain('| lr.cov \\ parameterization | full | tril |');
      expect(readFileSync(join(done.dir, 'summary.md'), 'utf8')).toContain(done.summary.split('\n')[0]);
    }
    expect(shards[0].done.results.length + shards[1].done.results.length).toBe(12);
  });

  it('merges the two shards into one folder of every run in plan order', async () => {
    const notes: string[] = [];
    const merged = await mergeSession(
      shards.map((s) => s.done.dir),
      join(out, 'merged'),
      { onNote: (n) => notes.push(n) },
    );
    expect(notes).toEqual([]);
    expect(merged.results).toHaveLength(12);
    const byId = new Map(shards.flatMap((s) => s.done.results).map((r) => [r.id, r.outcome]));
    expect(merged.results.map((r) => byId.get(r.id))).toEqual(merged.results.map((r) => r.outcome));
    expect(existsSync(join(merged.dir, 'report.html'))).toBe(true);
  });

  it('resumes a finished folder without training anything', async () => {
    const seen = recorder();
    const done = await runSession(suite, {
      root: out,
      workers: 1,
      backend: 'cpu',
      resume: { dir: shards[0].done.dir },
      events: seen.events,
      workerFile: WORKER,
    });
    expect(done.dir).toBe(shards[0].done.dir);
    expect(seen.batches.flat()).toEqual([]);
    expect(done.results.map((r) => r.id)).toEqual(shards[0].done.results.map((r) => r.id));
  });
});
