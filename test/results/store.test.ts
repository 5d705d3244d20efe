import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CovsweepError } from '../../src/ground/errors.js';
import { parseResultLine, readResults, resultLine } from '../../src/results/jsonl.js';
import { type Manifest, RunFolder } from '../../src/results/store.js';
import type { RunResult } from '../../src/types.js';
import { tempDir } from '../cli/cli.js';
import { classifierConfig } from '../engine/configs.js';

const experiment = { name: 'x', file: '/somewhere/x.yaml', source: 'name: x\n' };

function manifest(started = '2026-01-02T03:04:05.678Z'): Manifest {
  return {
    covsweep: '0',
    experiment: 'x',
    file: experiment.file,
    backend: 'none',
    node: 'v',
    workers: 1,
    runs: 3,
    started,
  };
}

function result(id: string, outcome: 'ok' | 'diverged' = 'ok'): RunResult {
  const base = {
    id,
    config: classifierConfig(),
    step: 3,
    loss: Number.NaN,
    metrics: { a: Number.POSITIVE_INFINITY },
    curve: [],
    seconds: 1,
  };
  return outcome === 'ok'
    ? { ...base, outcome }
    : { ...base, outcome, kind: 'non-finite-loss', reason: 'loss non-finite at step 3: NaN' };
}

describe('RunFolder and results.jsonl', () => {
  it('creates <root>/<name>/<stamp>/ with the experiment copy, manifest and empty results', () => {
    const root = tempDir();
    const folder = RunFolder.create(root, experiment, manifest());
    expect(folder.dir).toBe(join(root, 'x', '2026-01-02T03-04-05Z'));
    expect(readdirSync(folder.dir).sort()).toEqual(['manifest.json', 'results.jsonl', 'x.yaml']);
    expect(readFileSync(join(folder.dir, 'x.yaml'), 'utf8')).toBe('name: x\n');
    expect(RunFolder.create(root, experiment, manifest()).dir).toBe(`${folder.dir}-2`);
    expect(RunFolder.latest(root, 'x')?.dir).toBe(`${folder.dir}-2`);
    expect(RunFolder.latest(root, 'y')).toBeUndefined();
  });

  it('appends whole lines and reads them back, non-finite numbers included', () => {
    const folder = RunFolder.create(tempDir(), experiment, manifest());
    folder.append([result('a'), result('b', 'diverged')]);
    folder.append([result('c')]);
    const { results, truncated } = folder.readResults();
    expect(truncated).toBeUndefined();
    expect(results.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(results[1]).toEqual(result('b', 'diverged'));
  });

  it('writes non-finite numbers as strings, wherever they are, and everything else as JSON does', () => {
    const replaced = (r: RunResult) =>
      JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    const finite = { ...result('a'), loss: 0.5, metrics: { a: 1 } };
    const deep = { ...finite, curve: [1, Number.NEGATIVE_INFINITY], params: { w: [[0, Number.NaN]] } };
    const nullText = { ...result('b', 'diverged'), loss: 1, metrics: {}, reason: 'null pivot' } as RunResult;
    for (const r of [finite, result('c'), deep, nullText]) expect(resultLine(r)).toBe(replaced(r));
    expect(resultLine(finite)).toBe(JSON.stringify(finite));
    expect(parseResultLine(resultLine(deep)).params).toEqual({ w: [[0, Number.NaN]] });
  });

  it('rewrites results in the order given, an appended result as the line it was appended as', () => {
    const folder = RunFolder.create(tempDir(), experiment, manifest());
    const [a, b] = [result('a'), result('b', 'diverged')];
    folder.append([a, b]);
    const appended = readFileSync(folder.results, 'utf8').split('\n');
    // Recorded results do not change; this one does only to show which line the rewrite writes.
    a.step = 99;
    const c = result('c');
    folder.rewriteResults([c, b, a]);
    const lines = readFileSync(folder.results, 'utf8').split('\n');
    expect(lines).toEqual([
      JSON.stringify({ ...c, loss: 'NaN', metrics: { a: 'Infinity' } }),
      appended[1],
      appended[0],
      '',
    ]);
    expect(folder.readResults().results.map((r) => r.step)).toEqual([3, 3, 3]);
  });

  it('keeps the lines it is given, and rewrites the file only when its order changes', () => {
    const folder = RunFolder.create(tempDir(), experiment, manifest());
    const [a, b, c] = [result('a'), result('b', 'diverged'), result('c')];
    // A worker's line is written as given (here one a resultLine of these results would not write).
    folder.append([a, b], ['{"id":"a","given":true}', undefined]);
    folder.append([c]);
    const inode = () => statSync(folder.results).ino;
    const before = inode();
    const text = readFileSync(folder.results, 'utf8');
    expect(text).toBe(`{"id":"a","given":true}\n${resultLine(b)}\n${resultLine(c)}\n`);
    // Already in this order: nothing is written (a rewrite goes through a new file).
    folder.rewriteResults([a, b, c]);
    expect(inode()).toBe(before);
    folder.rewriteResults([c, a, b]);
    expect(inode()).not.toBe(before);
    expect(readFileSync(folder.results, 'utf8')).toBe(
      `${resultLine(c)}\n{"id":"a","given":true}\n${resultLine(b)}\n`,
    );
    const after = inode();
    folder.rewriteResults([c, a, b]);
    expect(inode()).toBe(after);
    // A folder opened from disk does not know what its file holds: it writes.
    const opened = RunFolder.open(folder.dir);
    opened.rewriteResults([a]);
    expect(readFileSync(folder.results, 'utf8')).toBe(`${resultLine(a)}\n`);
  });

  it('reports a truncated last line, leaves it out, and cuts it before the next append', () => {
    const folder = RunFolder.create(tempDir(), experiment, manifest());
    folder.append([result('a'), result('b')]);
    appendFileSync(folder.results, '{"id":"c","config":{"ta');
    const file = folder.readResults();
    expect(file.results.map((r) => r.id)).toEqual(['a', 'b']);
    expect(file.truncated?.line).toBe(3);
    folder.dropTruncated(file);
    folder.append([result('d')]);
    const again = folder.readResults();
    expect(again.truncated).toBeUndefined();
    expect(again.results.map((r) => r.id)).toEqual(['a', 'b', 'd']);
  });

  it('refuses a damaged line that is not the last, naming file and line', () => {
    const dir = tempDir();
    const file = join(dir, 'results.jsonl');
    writeFileSync(
      file,
      `{"id":"a","outcome":"ok","config":{}}\nnot json\n{"id":"b","outcome":"ok","config":{}}\n`,
    );
    expect(() => readResults(file)).toThrow(`${file}:2: `);
    writeFileSync(file, `{"id":"a","outcome":"fine","config":{}}\n`);
    expect(() => readResults(file)).toThrow(`${file}:1: `);
  });

  it('fails with E_IO and leaves nothing behind when the root cannot be written', () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), '');
    const under = join(root, 'file', 'runs');
    const error = (() => {
      try {
        RunFolder.create(under, experiment, manifest());
      } catch (e) {
        return e as CovsweepError;
      }
    })();
    expect(error).toBeInstanceOf(CovsweepError);
    expect(error?.code).toBe('E_IO');
    expect(error?.message).toMatch(/cannot write a run folder in .*ENOTDIR/);
    expect(readdirSync(root)).toEqual(['file']);
  });

  it('opens only folders that are run folders', () => {
    const dir = tempDir();
    expect(() => RunFolder.open(dir)).toThrow(/not a covsweep run folder/);
    mkdirSync(join(dir, 'x'));
    const folder = RunFolder.create(dir, experiment, manifest());
    expect(RunFolder.open(folder.dir).manifest().experiment).toBe('x');
    expect(RunFolder.open(folder.dir).experimentCopy().text).toBe('name: x\n');
    expect(existsSync(join(folder.dir, 'results.jsonl'))).toBe(true);
  });
});
