import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, ROOT, tempDir } from './cli.js';
import { runFolders, timeless } from './folders.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugins');
const fixture = (name: string) => join(FIXTURES, name);
/** What a message calls a fixture: the path as given on the command line. */
const rel = (name: string) => join('test', 'fixtures', 'plugins', name);

describe('plugin tasks and parameterizations', () => {
  it('train on the lane engine: runs end ok, singular and diverged, a plugin parameterization beside built-ins', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', fixture('outcomes.yaml'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const [dir] = runFolders(out, 'plugin-outcomes');
    const results = timeless(dir);
    const outcome = (p: string, lr: number) =>
      results.find((x) => x.config.parameterization === p && x.config.lr.cov === lr);
    expect(outcome('log-cholesky', 1)).toMatchObject({ outcome: 'ok', step: 60 });
    expect(outcome('softplus-variance', 1)).toMatchObject({ outcome: 'ok', step: 60 });
    expect(outcome('full', 1)).toMatchObject({
      outcome: 'singular',
      reason: expect.stringMatching(/^cholesky failed at step \d+: pivot 1 = NaN$/),
    });
    expect(outcome('log-cholesky', 300)).toMatchObject({
      outcome: 'diverged',
      reason: 'parameters non-finite or beyond 20 at step 1',
    });
    // The float32 lane loss against the task's float64 reference at the final parameters.
    for (const x of results.filter((y) => y.outcome === 'ok')) {
      expect(Math.abs(x.loss - x.metrics.nll)).toBeLessThan(1e-5 * Math.max(1, Math.abs(x.metrics.nll)));
      expect(x.metrics.noise_error).toBeLessThan(0.5);
    }
    // Module hashes are part of the configs, so of the ids; the folder keeps copies of the modules.
    const config = results[0].config;
    expect(config.task.module).toEqual({
      file: '../../../examples/gp-regression/gp-regression.mjs',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(config.parameterization_modules).toHaveLength(1);
    expect(
      existsSync(join(dir, 'data', encodeURIComponent('../../../examples/gp-regression/gp-regression.mjs'))),
    ).toBe(true);
    // The folder alone is enough to report on: its copies of the modules load.
    const report = await covsweepAsync(['report', dir, '--only', 'markdown']);
    expect(report.code, report.stderr).toBe(0);
    // --resume reads the folder's copies beside the originals (the same plugin, the same bytes).
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'results.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    const resumed = await covsweepAsync(['run', fixture('outcomes.yaml'), '--resume', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/covsweep 3\/3 runs/);
    expect(timeless(dir).map((x) => [x.id, x.outcome])).toEqual(results.map((x) => [x.id, x.outcome]));
  });

  it('finds with the frontier where K + sigma^2 I stops being factorizable, and that jitter moves it', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', fixture('gp-frontier.yaml'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const summary = readFileSync(join(runFolders(out, 'gp-frontier')[0], 'summary.md'), 'utf8');
    // No jitter: a learning rate inside the range takes sigma^2 so low that a pivot of
    // K + sigma^2 I is 0 in float32; with 1e-4 on the diagonal no learning rate of the range does.
    expect(summary).toMatch(/\| 0 \| \d[\d.]* \| [^|]+ \| 1 \| singular 1 \|/);
    expect(summary).toMatch(/\| 1e-4 \| >= 100 \| [^|]+ \| 1 \| none failed \|/);
    expect(summary).toMatch(/factor diagonal not positive at step \d+: L\[\d+,\d+\] = 0/);
  });

  it("records an exception inside a plugin's code as those runs' error; the other runs end ok", async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', fixture('throws.yaml'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const results = timeless(runFolders(out, 'plugin-throws')[0]);
    expect(results.map((x) => [x.config.seed, x.outcome])).toEqual([
      [0, 'ok'],
      [1, 'error'],
      [2, 'ok'],
    ]);
    expect(results[1]).toMatchObject({ reason: 'boom: seed 1 is cursed' });
  });

  it('rejects modules that do not fit at validate, each at the line naming it, with what is missing', async () => {
    const r = await covsweepAsync(['validate', rel('broken.yaml')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      new RegExp(
        `^covsweep: ${rel('broken.yaml')}:3:11: the module .*wrong-shape.mjs does not fit the task contract: task.defaults is missing .*; task.lr is wrong \\(expected \\{ cov, mean, weights \\} numbers\\); task.momentum is missing .*; task.steps is wrong .*; task.create is missing`,
      ),
    );
    expect(lines[1]).toMatch(/broken.yaml:4:28: the module .*no-default.mjs has no default export function/);
    expect(lines[2]).toMatch(
      /broken.yaml:4:46: the module .*throws-at-load.mjs throws when called with the kit: cannot find my weights/,
    );
    expect(lines[3]).toMatch(/broken.yaml:4:68: cannot read the module .*missing.mjs \(ENOENT\)/);
    expect(lines[4]).toMatch(
      /broken.yaml:4:83: the module .*bad-schema.mjs declares options whose JSON Schema is not valid: bad-schema: options.schema.width \(schema is invalid: data\/type must be equal to one of the allowed values/,
    );
    for (const line of lines) expect(line).toMatch(/; see "Your own model" in the README$/);
  });

  it("checks a plugin task's options against its schema, at file:line:col", async () => {
    const r = await covsweepAsync(['validate', rel('bad-option.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `covsweep: ${rel('bad-option.yaml')}:4:13: "task.n_points" must be an integer >= 2 and <= 1000, received 1`,
        `covsweep: ${rel('bad-option.yaml')}:5:3: unknown key "lenghtscale" for task "gp-regression"; did you mean "lengthscale"?`,
        '',
      ].join('\n'),
    );
  });
});
