import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { covsweepAsync, ROOT, tempDir } from './cli.js';
import { runFolders, tables, timeless } from './folders.js';

let clean: string;
let shards: string[];
beforeAll(async () => {
  const out = tempDir();
  expect((await covsweepAsync(['run', 'experiments/smoke.yaml', '--out', out])).code).toBe(0);
  [clean] = runFolders(out);
  // As three machines would: one folder each.
  shards = [];
  for (const shard of ['1/3', '2/3', '3/3']) {
    const machine = tempDir();
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--shard', shard, '--out', machine]);
    expect(r.code, r.stderr).toBe(0);
    shards.push(runFolders(machine)[0]);
  }
});

describe('--shard i/n and covsweep merge', () => {
  it('runs a disjoint third of the runs on each shard', async () => {
    const ids = shards.map((dir) => timeless(dir).map((r) => r.id));
    expect(ids.map((s) => s.length)).toEqual([4, 4, 4]);
    expect(new Set(ids.flat()).size).toBe(12);
    expect(JSON.parse(readFileSync(join(shards[1], 'manifest.json'), 'utf8'))).toMatchObject({
      shard: '2/3',
      runs: 4,
    });
  });

  it('merges the shards into tables equal to those of the unsharded run', async () => {
    const merged = join(tempDir(), 'merged');
    const r = await covsweepAsync(['merge', ...shards, '--out', merged]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`merged 3 folders, 12 runs: ${merged}`);
    expect(timeless(merged)).toEqual(timeless(clean));
    expect(tables(merged)).toEqual(tables(clean));
    expect(JSON.parse(readFileSync(join(merged, 'manifest.json'), 'utf8'))).toMatchObject({
      runs: 12,
      merged: shards,
    });
  });

  it('says which shard is missing, and a resume of the merged folder runs what it lacks', async () => {
    const merged = join(tempDir(), 'merged');
    const r = await covsweepAsync(['merge', shards[0], shards[2], '--out', merged]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('covsweep: shard 2/3 is missing\n');
    expect(r.stderr).toContain("4 of the experiment's 12 runs are in none of the folders");
    const resumed = await covsweepAsync(['run', 'experiments/smoke.yaml', '--resume', merged]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/covsweep 4\/4 runs/);
    expect(tables(merged)).toEqual(tables(clean));
  });

  it('refuses folders of different experiments, saying what differs, and writes nothing', async () => {
    const other = tempDir();
    const file = join(other, 'smoke.yaml');
    writeFileSync(
      file,
      readFileSync(join(ROOT, 'experiments', 'smoke.yaml'), 'utf8').replace('epochs: 2', 'epochs: 1'),
    );
    expect((await covsweepAsync(['run', file, '--shard', '1/3', '--out', other])).code).toBe(0);
    const merged = join(tempDir(), 'merged');
    const r = await covsweepAsync(['merge', shards[1], runFolders(other)[0], '--out', merged]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ran another experiment than');
    expect(r.stderr).toContain('covsweep:   task.epochs: 2 -> 1\n');
    expect(runFolders(merged, '')).toEqual([]);
  });

  it('refuses an --out folder that is not empty', async () => {
    const r = await covsweepAsync(['merge', ...shards, '--out', shards[0]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`covsweep: ${shards[0]} is not empty; give a new folder\n`);
  });
});
