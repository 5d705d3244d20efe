import { join, relative, resolve, sep } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { copyName } from '../../src/data/table.js';
import { encodedName, isSegment, suiteName } from '../../src/ground/folder-name.js';

/** The names the issue found and their neighbours. */
const NAMED = [
  '.',
  '..',
  '...',
  '',
  '/',
  '../x',
  'a/b',
  '/etc',
  'a\0b',
  '\0',
  'x'.repeat(300),
  'é'.repeat(200),
];
NAMED.push(`${'../'.repeat(95)}x.cs`); // 287 characters

/** Random names over an alphabet of what breaks paths, of every length up to 400. */
function hostileNames(count: number): string[] {
  const rng = seedrandom('hostile names');
  const alphabet = ['.', '.', '/', '\\', '\0', 'a', 'Z', '0', '-', ' ', '%', 'é', '\u{1F600}', '\n', '~'];
  return Array.from({ length: count }, () => {
    const length = Math.floor(rng() ** 3 * 400);
    return Array.from({ length }, () => alphabet[Math.floor(rng() * alphabet.length)]).join('');
  });
}

const root = resolve('/tmp/out');
const staysInside = (segment: string) => {
  expect(isSegment(segment), JSON.stringify(segment)).toBe(true);
  const path = resolve(join(root, segment));
  expect(relative(root, path).split(sep), JSON.stringify(segment)).toEqual([segment]);
  expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(200);
};

describe('names made from user input stay inside --out', () => {
  const names = [...NAMED, ...hostileNames(2000)];

  it('a file of several experiments is named by one segment, whatever the file is called', () => {
    for (const n of names) {
      staysInside(suiteName(`${n}.yaml`));
      staysInside(suiteName(n));
    }
    expect(suiteName('/a/b/sweeps.yaml')).toBe('sweeps');
    expect(suiteName('/a/b/My Sweeps.yaml')).toBe('my-sweeps');
    expect(suiteName('...yaml')).toBe('experiments');
    expect(suiteName('..yaml')).toBe('experiments');
  });

  it('a data copy is one file name, distinct for distinct paths', () => {
    const made = new Map<string, string>();
    for (const n of names) {
      const name = copyName(n);
      staysInside(name);
      const other = made.get(name);
      if (other !== undefined) expect(other).toBe(n);
      made.set(name, n);
    }
    // Names that were fine keep the spelling run folders already use.
    expect(copyName('../data/points.csv')).toBe('..%2Fdata%2Fpoints.csv');
    expect(encodedName('..')).toMatch(/^-[0-9a-f]{12}$/);
  });

  it('isSegment refuses what would leave the folder', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0', 'x'.repeat(201)])
      expect(isSegment(bad)).toBe(false);
  });
});
