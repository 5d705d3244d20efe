import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { CovsweepError } from '../../src/ground/errors.js';
import { expand } from '../../src/plan/expand.js';
import { shapeKey } from '../../src/plan/pack.js';
import { parseShard, shard } from '../../src/plan/shard.js';

const fixture = fileURLToPath(new URL('../fixtures/config/lr-sweep.yaml', import.meta.url));

describe('--shard i/n', () => {
  const runs = [...expand(loadExperiment(fixture))];

  it('splits runs into disjoint shards that together hold every run, sizes within one', () => {
    const shards = [1, 2, 3, 4, 5, 6, 7].map((index) => shard(runs, { index, count: 7 }));
    const ids = shards.flatMap((s) => s.map((r) => r.id));
    expect(ids.length).toBe(runs.length);
    expect(new Set(ids)).toEqual(new Set(runs.map((r) => r.id)));
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('gives every shard its share of each shape group', () => {
    const count = 4;
    const groups = new Map<string, number>();
    for (const r of runs) groups.set(shapeKey(r.config), (groups.get(shapeKey(r.config)) ?? 0) + 1);
    for (let index = 1; index <= count; index++) {
      const mine = new Map<string, number>();
      for (const r of shard(runs, { index, count }))
        mine.set(shapeKey(r.config), (mine.get(shapeKey(r.config)) ?? 0) + 1);
      for (const [key, n] of groups)
        expect(Math.abs((mine.get(key) ?? 0) - n / count)).toBeLessThanOrEqual(1);
    }
  });

  it('does not depend on the order runs come in', () => {
    const reversed = [...runs].reverse();
    expect(shard(reversed, { index: 2, count: 3 })).toEqual(shard(runs, { index: 2, count: 3 }));
  });

  it('parses i/n counting from 1 and rejects anything else as a usage error', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/2/3', ' 1/2'])
      expect(() => parseShard(bad), bad).toThrow(CovsweepError);
    expect(() => parseShard('0/4')).toThrow(/shards count from 1/);
  });
});
