import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/pool/command.js';
import type { RunConfig, RunSpec } from '../../src/types.js';

/** A command run whose process is `node -e script`, 10 steps, curve point every 2 steps. */
function spec(script: string, timeout = 0): RunSpec {
  const config: RunConfig = {
    task: { name: 'command', command: [process.execPath, '-e', script], steps: 10 },
    parameterization: 'full',
    dim: 2,
    seed: 3,
    optimizer: { name: 'sgd', momentum: 0, nesterov: false },
    lr: { cov: 0.5, mean: 0.1, weights: 0.1 },
    thresholds: { divergence_bound: 1e8, max_condition: 2 ** 23 },
    timeout,
    record_every: 2,
  };
  return { id: 'abc', config, source: join(import.meta.dirname, 'x.yaml') };
}

const say = (...lines: unknown[]) =>
  lines.map((l) => `console.log(${JSON.stringify(typeof l === 'string' ? l : JSON.stringify(l))});`).join('');

describe('the command-task protocol', () => {
  it('gives the config on stdin and in COVSWEEP_CONFIG, and the run id in COVSWEEP_RUN_ID', async () => {
    const r = await runCommand(
      spec(`
        const stdin = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        const env = JSON.parse(process.env.COVSWEEP_CONFIG);
        const same = JSON.stringify(stdin) === JSON.stringify(env);
        console.log(JSON.stringify({ outcome: 'ok', step: 10, metrics: { same: same ? 1 : 0, lr: env.lr.cov, seed: stdin.seed, id: process.env.COVSWEEP_RUN_ID === 'abc' ? 1 : 0 } }));
      `),
    );
    expect(r).toMatchObject({ outcome: 'ok', step: 10, metrics: { same: 1, lr: 0.5, seed: 3, id: 1 } });
  });

  it('keeps every record_every-th progress loss as the curve, ignores lines not starting with "{", takes the final loss', async () => {
    const progress = Array.from({ length: 10 }, (_, step) => ({ step, loss: 10 - step }));
    const r = await runCommand(
      spec(say('starting', ...progress, 'done', { outcome: 'ok', step: 10, loss: 0.5 })),
    );
    expect(r).toMatchObject({
      outcome: 'ok',
      step: 10,
      loss: 0.5,
      curve: [10, 8, 6, 4, 2],
      backend: 'command',
    });
  });

  it("reports the process's own singular and diverged with their reasons", async () => {
    const singular = await runCommand(
      spec(say({ step: 0, loss: 1 }, { outcome: 'singular', step: 1, reason: 'pivot 2 = -1e-3' })),
    );
    expect(singular).toMatchObject({
      outcome: 'singular',
      step: 1,
      reason: 'pivot 2 = -1e-3',
      loss: 1,
      kind: 'unknown',
    });
    const diverged = await runCommand(
      spec(say({ outcome: 'diverged', step: 4, reason: 'loss inf', kind: 'non-finite-loss' })),
    );
    expect(diverged).toMatchObject({
      outcome: 'diverged',
      step: 4,
      reason: 'loss inf',
      kind: 'non-finite-loss',
    });
  });

  it.each([
    ['a "{" line that is not JSON', say('{oops'), /^stdout line 1 starts with "\{" but is not JSON: \{oops$/],
    ['an unknown outcome', say({ outcome: 'fine', step: 1 }), /^its final line has outcome "fine"; expected/],
    [
      'an unknown kind',
      say({ outcome: 'singular', step: 1, reason: 'r', kind: 'odd' }),
      /has kind "odd"; expected one of/,
    ],
    [
      'a failure without a reason',
      say({ outcome: 'singular', step: 1 }),
      /has outcome "singular" but no "reason"/,
    ],
    [
      'metrics that are not numbers',
      say({ outcome: 'ok', step: 1, metrics: { a: 'x' } }),
      /"metrics" that is not/,
    ],
    ['no final line', say({ step: 0, loss: 1 }), /exited without a final \{"outcome": \.\.\.\} line$/],
    [
      'a non-zero exit, with the stderr tail',
      'console.error("a\\nb\\nKeyError: lr"); process.exit(2)',
      /exited with code 2; stderr: \.\.\.a \| b \| KeyError: lr$/,
    ],
  ])('ends as error on %s', async (_what, script, reason) => {
    const r = await runCommand(spec(script));
    expect(r).toMatchObject({ outcome: 'error', kind: 'exception' });
    expect(r && 'reason' in r ? r.reason : '').toMatch(reason);
  });

  it('ends a run past its limit as timeout and kills its whole process group', async () => {
    // The child starts a grandchild that would outlive it, and prints its pid.
    const r = await runCommand(
      spec(
        `const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
         console.log(JSON.stringify({ step: 0, loss: c.pid }));
         setTimeout(() => {}, 60000);`,
        0.5,
      ),
    );
    expect(r).toMatchObject({ outcome: 'timeout', reason: 'time limit of 0.5 s reached', kind: 'timeout' });
    const grandchild = r!.loss;
    await new Promise((done) => setTimeout(done, 100));
    // Gone, or a zombie waiting for an init that does not reap (as in some containers).
    const stat = existsSync(`/proc/${grandchild}/stat`)
      ? readFileSync(`/proc/${grandchild}/stat`, 'utf8')
      : '';
    expect(stat.split(') ')[1]?.[0] ?? 'gone').toMatch(/^(gone|Z)$/);
  });

  it('gives no result when stopped, and kills the process', async () => {
    const stop = new AbortController();
    const pending = runCommand(spec('setTimeout(() => {}, 60000)'), { signal: stop.signal });
    setTimeout(() => stop.abort(), 200);
    expect(await pending).toBeUndefined();
  });
});
