import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, tempDir } from './cli.js';
import { tinyExperiment } from './tiny.js';

/** Every file under `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

const tiny = tinyExperiment;

describe.concurrent('covsweep run writes only inside --out', () => {
  it('refuses an empty --out', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), tiny('a'));
    const r = await covsweepAsync(['run', 'a.yaml', '--out', ''], dir);
    expect(r.stderr).toBe('covsweep: --out must name a folder; received an empty string\n');
    expect(r.code).toBe(2);
    expect(files(dir)).toEqual(['a.yaml']);
  });

  // A file of several experiments is named after the file: "...yaml" once wrote to the parent
  // of --out (with the default --out, the folder covsweep ran in), "..yaml" straight into --out.
  it.each(['...yaml', '..yaml'])('names the folder of a two-document %s by the name rule', async (name) => {
    const dir = tempDir();
    mkdirSync(join(dir, 'exp'));
    writeFileSync(join(dir, 'exp', name), `${tiny('a')}---\n${tiny('b')}`);
    const r = await covsweepAsync(['run', name], join(dir, 'exp'));
    expect(r.code, r.stderr).toBe(0);
    const written = files(dir).filter((f) => f !== join('exp', name));
    expect(written.length).toBeGreaterThan(0);
    for (const f of written) expect(f).toMatch(/^exp\/runs\/experiments\/[0-9TZ-]+\//);
  });

  it('copies data named by a 287-character ../ path into the run folder', async () => {
    const dir = tempDir();
    const rows = ['x1,x2,label', ...Array.from({ length: 8 }, (_, i) => `${i % 3},${(i * 7) % 5},${i % 2}`)];
    writeFileSync(join(dir, 'p.csv'), `${rows.join('\n')}\n`);
    // Enough ../ to climb to / from anywhere, then down to the file: the path as a user may write it.
    const up = `${'../'.repeat(90)}${relative('/', dir)}/p.csv`;
    writeFileSync(join(dir, 'a.yaml'), tiny('a', up));
    const r = await covsweepAsync(['run', 'a.yaml', '--out', 'runs'], dir);
    expect(r.code, r.stderr).toBe(0);
    const copies = files(dir).filter((f) => f.includes('/data/'));
    expect(copies).toEqual([expect.stringMatching(/^runs\/a\/[0-9TZ-]+\/data\/[^/]{1,200}$/)]);
  });
});
