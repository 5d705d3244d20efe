import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/jsonl.js';
import { covsweepAsync, tempDir } from './cli.js';
import { runFolders } from './folders.js';

describe('an experiment on user data, end to end', () => {
  it('trains on the CSV, keeps a copy in the run folder, and the folder alone reports and reproduces', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'points'));
    const rows = ['x1,x2,label'];
    for (let i = 0; i < 40; i++) {
      const [cx, cy] = i % 2 === 0 ? [-0.5, 0.25] : [-0.25, -0.6];
      rows.push(`${cx + 0.1 * Math.sin(i)},${cy + 0.1 * Math.cos(3 * i)},${i % 2}`);
    }
    writeFileSync(join(dir, 'points', 'two.csv'), `${rows.join('\n')}\n`);
    mkdirSync(join(dir, 'exp'));
    const file = join(dir, 'exp', 'data.yaml');
    writeFileSync(
      file,
      [
        'name: data',
        'task:',
        '  name: mvn-classifier',
        '  data: ../points/two.csv',
        '  shuffle: false',
        '  epochs: 2',
        'parameterization: tril',
        'sweep: {seed: 2}',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'runs');
    const r = await covsweepAsync(['run', file, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const [folder] = runFolders(out, 'data');
    expect(existsSync(join(folder, 'data', encodeURIComponent('../points/two.csv')))).toBe(true);
    const { results } = readResults(join(folder, 'results.jsonl'));
    expect(results).toHaveLength(2);
    // 40 points, 2 epochs; with shuffle off the seeds differ in nothing the task draws.
    for (const run of results) {
      expect(run.outcome).toBe('ok');
      expect(run.curve).toEqual(results[0].curve);
    }
    expect((await covsweepAsync(['report', folder])).code).toBe(0);
    const again = await covsweepAsync(['repro', folder, results[0].id]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('same outcome and step as recorded');
  });
});
