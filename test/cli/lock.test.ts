import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, tempDir } from './cli.js';
import { runFolders } from './folders.js';

const TINY =
  'name: a\ntask: {name: mvn-classifier, n_per_class: 4, epochs: 1}\nparameterization: tril\nsweep: {seed: 2}\n';

describe('one writer per run folder', () => {
  it('refuses a second writer while the first lives, and takes over the lock of a dead one', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), TINY);
    const first = await covsweepAsync(['run', 'a.yaml', '--out', 'runs'], dir);
    expect(first.code, first.stderr).toBe(0);
    const [folder] = runFolders(join(dir, 'runs'), 'a');
    // The lock is gone once a run ends.
    expect(existsSync(join(folder, 'lock'))).toBe(false);
    const results = readFileSync(join(folder, 'results.jsonl'), 'utf8');

    // This test's process stands for a covsweep still writing the folder.
    writeFileSync(join(folder, 'lock'), `${process.pid}\n`);
    const second = await covsweepAsync(['run', 'a.yaml', '--resume', '--out', 'runs'], dir);
    expect(second.stderr).toBe(
      `covsweep: runs/a/${folder.split('/').pop()} is being written by another covsweep (pid ${process.pid}); wait for it to end, or if none is running, delete ${join('runs', 'a', folder.split('/').pop()!, 'lock')}\n`,
    );
    expect(second.code).toBe(2);
    expect(readFileSync(join(folder, 'results.jsonl'), 'utf8')).toBe(results);

    // A writer killed with its lock in place: its pid no longer exists.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(folder, 'lock'), `${dead}\n`);
    const third = await covsweepAsync(['run', 'a.yaml', '--resume', '--out', 'runs'], dir);
    expect(third.code, third.stderr).toBe(0);
    expect(existsSync(join(folder, 'lock'))).toBe(false);
  });
});
