import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, tempDir } from './cli.js';
import { runFolders, timeless } from './folders.js';

describe('covsweep run --timeout S', () => {
  it('records runs past the limit as timeout, keeping their configs (and ids) as planned', async () => {
    const out = tempDir();
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--timeout', '1e-6', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/covsweep 12\/12 runs \| failed: 12 timeout/);
    const [dir] = runFolders(out);
    for (const result of timeless(dir)) {
      expect(result).toMatchObject({
        outcome: 'timeout',
        step: 0,
        reason: 'time limit of 0.000001 s reached at step 0',
      });
      expect(result.config.timeout).toBe(0);
    }
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).timeout).toBe(1e-6);
  });

  it('must be a number > 0', async () => {
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--timeout', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('covsweep: --timeout must be a number > 0, received "0"\n');
  });
});
