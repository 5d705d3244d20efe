import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './cli.js';
import { tinyExperiment } from './tiny.js';

const HOOK = join(ROOT, 'test', 'fixtures', 'hooks', 'log-imports.mjs');

/** What a CLI command loads: packages by their node_modules folder names, and our built files under dist/. */
function modulesLoaded(args: string[], status = 0, atLeast = 10, cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--import', HOOK, join(ROOT, 'bin', 'covsweep.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status).toBe(status);
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('imported '));
  // The hook logs every module, so a command that loads anything at all shows many.
  expect(urls.length).toBeGreaterThan(atLeast);
  return {
    packages: new Set(urls.flatMap((l) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(l)?.[1] ?? [])),
    built: new Set(urls.flatMap((l) => /\/(dist\/.*)$/.exec(l)?.[1] ?? [])),
  };
}

const packagesLoaded = (...a: Parameters<typeof modulesLoaded>) => modulesLoaded(...a).packages;

/** What only training, benchmarks or pictures need: seconds of loading that checking a file must not pay. */
const HEAVY = [
  'd3-scale',
  'd3-format',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-node',
  'tinybench',
  'piscina',
];

describe('commands that train nothing load nothing that trains or draws', () => {
  // The task and parameterization specs (engine/tasks/specs.ts, engine/parameterizations/specs.ts)
  // give the config and the planner what they need of the engine without its tfjs code.
  it.each([['validate'], ['plan']])('%s, not even tfjs-core', (command) => {
    // yaml is bundled into the CLI (scripts/bundle-entries.mjs): these load no package of their own.
    const loaded = packagesLoaded([command, join('experiments', 'lr-sweep.yaml')]);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
    expect(loaded.has('@tensorflow/tfjs-core')).toBe(false);
  });

  it('nor does help, which comes from the option table (src/cli/commands.ts)', () => {
    const loaded = packagesLoaded(['run', '--help'], 0, 3);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
    expect(loaded.has('@tensorflow/tfjs-core')).toBe(false);
  });

  it('nor does run refusing a file: the engine loads in the workers (and for a failed run to retrace)', () => {
    const loaded = packagesLoaded(['run', join('no', 'such.yaml')], 2);
    expect(loaded.has('@tensorflow/tfjs-core')).toBe(false);
  });

  it('nor do workers whose batches train on the native step, nor the report retracing such a run', () => {
    const dir = tempDir();
    // Seed 000's task with tril at a learning rate that fails: a failed run for the report to retrace.
    writeFileSync(join(dir, 'tiny.yaml'), `${tinyExperiment()}lr:\n  cov: 10\n`);
    const loaded = packagesLoaded(['run', 'tiny.yaml', '--workers', '1', '--out', dir], 0, 10, dir);
    expect(loaded.has('piscina')).toBe(true);
    expect(loaded.has('@tensorflow/tfjs-core')).toBe(false);
    const [folder] = readdirSync(join(dir, 'a'));
    expect(readFileSync(join(dir, 'a', folder, 'report.html'), 'utf8')).toContain('retraced alone');
  });
});

describe('the CLI and the workers load bundles (scripts/bundle-entries.mjs), not the modules one by one', () => {
  it("validate loads the CLI bundle's files in dist/cli, and nothing else of ours", () => {
    const { built } = modulesLoaded(['validate', join('experiments', 'lr-sweep.yaml')]);
    expect(built.has('dist/cli/main.js')).toBe(true);
    expect([...built].filter((f) => !f.startsWith('dist/cli/'))).toEqual([]);
  });

  it("a worker thread's module imports only node's modules, tfjs's backends (on demand) and the registrations bundle", () => {
    const worker = readFileSync(join(ROOT, 'dist', 'pool', 'worker.js'), 'utf8');
    const imported = [...worker.matchAll(/^import .*from "([^"]+)";$|import\("([^"]+)"\)/gm)].map(
      (m) => m[1] ?? m[2],
    );
    expect(new Set(imported.filter((s) => !s.startsWith('node:')))).toEqual(
      new Set([
        '../engine/tfjs-registrations.js',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-wasm',
      ]),
    );
  });
});
