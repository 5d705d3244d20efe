import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covsweepAsync, tempDir } from './cli.js';
import { tinyExperiment } from './tiny.js';

const tiny = (data?: string) => tinyExperiment('a', data);

/** A folder with `a.yaml` (the tiny experiment, on `data` if given). */
function folder(data?: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.yaml'), tiny(data));
  return dir;
}

describe.concurrent('covsweep reads only regular files of bounded size', () => {
  it.each([
    [
      '/dev/zero',
      /^covsweep: \/dev\/zero: cannot read the experiment file: it is a character device, not a regular file; give the path of a YAML file\n$/,
    ],
    ['no-such.yaml', /cannot read the experiment file: no such file \(ENOENT\)/],
    ['.', /^covsweep: \.: cannot read the experiment file: it is a directory, not a regular file/],
  ])('validate %s: exit 2, one line', async (file, message) => {
    const r = await covsweepAsync(['validate', file], folder());
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('refuses an experiment file over the limit, which the environment raises', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), `${tiny()}description: ${'x'.repeat(3000)}\n`);
    const low = await covsweepAsync(['validate', 'a.yaml'], dir, { COVSWEEP_MAX_EXPERIMENT_MB: '0.002' });
    expect(low.stderr).toMatch(
      /a\.yaml: cannot read the experiment file: it is 0\.00296 MB, more than the 0\.002 MB limit on experiment files; set COVSWEEP_MAX_EXPERIMENT_MB \(in MB\) to raise it/,
    );
    expect(low.code).toBe(2);
    expect((await covsweepAsync(['validate', 'a.yaml'], dir)).code).toBe(0);
  });

  it.each(['/dev/zero', 'fifo'])('refuses task.data %s at its line, exit 2', async (data) => {
    const dir = folder(data);
    if (data === 'fifo') execFileSync('mkfifo', [join(dir, 'fifo')]);
    const r = await covsweepAsync(['run', 'a.yaml', '--out', 'runs'], dir);
    expect(r.stderr).toMatch(
      /^covsweep: a\.yaml:4:9: cannot read the data file .*: it is a (character device|FIFO \(named pipe\)), not a regular file; check the path/,
    );
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('refuses an experiment file that is not UTF-8, at the byte', async () => {
    const dir = folder();
    writeFileSync(
      join(dir, 'a.yaml'),
      Buffer.concat([
        Buffer.from('name: a\ndescription: caf'),
        Buffer.from([0xe9]),
        Buffer.from(`\n${tiny().slice(8)}`),
      ]),
    );
    const r = await covsweepAsync(['validate', 'a.yaml'], dir);
    expect(r.stderr).toBe(
      'covsweep: a.yaml:2:17: the experiment file is not UTF-8 text (a byte here is not); save it as UTF-8\n',
    );
    expect(r.code).toBe(2);
  });
});

describe.concurrent('covsweep run bounds what it starts', () => {
  it('fails fast with exit 1 where --out cannot be made (/proc/x)', async () => {
    const r = await covsweepAsync(['run', 'a.yaml', '--out', '/proc/x'], folder());
    expect(r.stderr).toMatch(
      /^covsweep: cannot write a run folder in \/proc\/x\/a: ENOENT.*; choose a writable --out\n$/,
    );
    expect(r.code).toBe(1);
  });

  it('lowers --workers 1000 to two per core, with a note', async () => {
    const r = await covsweepAsync(['run', 'a.yaml', '--workers', '1000', '--out', 'runs'], folder());
    expect(r.stderr).toMatch(
      /covsweep: --workers 1000 is more than 2 per core; using \d+ \(this machine has \d+ cores\)/,
    );
    expect(r.code, r.stderr).toBe(0);
  });
});
