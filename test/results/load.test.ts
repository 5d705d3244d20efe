import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CovsweepError } from '../../src/ground/errors.js';
import { loadRunFolder, readResultsWarning } from '../../src/results/load.js';
import { mergeFolders } from '../../src/results/merge.js';
import { type Manifest, RunFolder } from '../../src/results/store.js';
import type { RunResult } from '../../src/types.js';
import { ROOT, tempDir } from '../cli/cli.js';
import { classifierConfig } from '../engine/configs.js';

const file = join(ROOT, 'experiments', 'smoke.yaml');
const experiment = { name: 'smoke', file, source: readFileSync(file, 'utf8') };
const manifest: Manifest = {
  covsweep: '0',
  experiment: 'smoke',
  file,
  backend: 'none',
  node: 'v',
  workers: 1,
  runs: 12,
  started: '2026-01-02T03:04:05.678Z',
};

const result = (id: string): RunResult => ({
  id,
  config: classifierConfig(),
  outcome: 'ok',
  step: 3,
  loss: 0.5,
  metrics: {},
  curve: [],
  seconds: 1,
});

/** A run folder of runs a and b whose results.jsonl ends in half a line, as a killed writer leaves it. */
function cutShort(): RunFolder {
  const folder = RunFolder.create(tempDir(), experiment, manifest);
  folder.append([result('a'), result('b')]);
  appendFileSync(folder.results, '{"id":"c","config":{');
  return folder;
}

describe('the one results reader and run-folder loader', () => {
  it('leaves a last line cut short out, with a note naming its line, as --resume does', () => {
    const folder = cutShort();
    const loaded = loadRunFolder(folder.dir);
    expect(loaded.results.map((r) => r.id)).toEqual(['a', 'b']);
    expect(loaded.notes).toEqual([
      `${folder.results}:3: the last line was cut short (the sweep was stopped mid-write); ignoring it`,
    ]);
    expect(loaded.suite.name).toBe('smoke');
    expect(readResultsWarning(folder.results)).toEqual({ results: loaded.results, notes: loaded.notes });
    // Reading never writes: the fragment stays for --resume to cut.
    expect(readFileSync(folder.results, 'utf8')).toMatch(/"config":\{$/);
  });

  it('merges folders with a cut-short line, noting it', () => {
    const m = mergeFolders([cutShort().dir, cutShort().dir], '0');
    expect(m.results.map((r) => r.id)).toEqual(['a', 'b']);
    expect(m.notes.filter((n) => n.includes('cut short'))).toHaveLength(2);
  });

  it('fails on a broken line that is not the last, naming it, as bad input', () => {
    const folder = RunFolder.create(tempDir(), experiment, manifest);
    folder.append([result('a')]);
    appendFileSync(folder.results, 'garbage\n');
    folder.append([result('b')]);
    const err = (() => {
      try {
        loadRunFolder(folder.dir);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CovsweepError);
    expect((err as CovsweepError).code).toBe('E_INPUT');
    expect((err as CovsweepError).message).toMatch(`${folder.results}:2: not a run result`);
  });

  it.skipIf(process.getuid?.() === 0)(
    'calls a results file it cannot read bad input (exit 2), for every command',
    () => {
      const folder = RunFolder.create(tempDir(), experiment, manifest);
      chmodSync(folder.results, 0o000);
      for (const read of [() => readResultsWarning(folder.results), () => loadRunFolder(folder.dir)])
        expect(read).toThrow(
          expect.objectContaining({ code: 'E_INPUT', message: expect.stringContaining('EACCES') }),
        );
    },
  );

  it('refuses to merge a folder without a manifest', () => {
    const bare = tempDir();
    writeFileSync(join(bare, 'results.jsonl'), '');
    writeFileSync(join(bare, 'smoke.yaml'), experiment.source);
    expect(() => mergeFolders([bare], '0')).toThrow(/no manifest\.json/);
  });
});
