import { CovsweepError } from '../ground/errors.js';
import type { RunSpec } from '../types.js';
import { shapeKey } from './pack.js';

/** Shard `index` (1-based, like vitest's and jest's `--shard`) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || count < 1 || index < 1 || index > count)
    throw new CovsweepError(
      'E_USAGE',
      `--shard must be i/n with 1 <= i <= n (shards count from 1: 1/4 ... 4/4), received "${text}"`,
    );
  return { index, count };
}

export const shardLabel = (s: Shard) => `${s.index}/${s.count}`;

/**
 * The runs of one shard. Runs are dealt round-robin in a fixed order (by
 * shape key, then id), so shards are disjoint, together hold every run, differ
 * in size by at most one, and get an equal share of every kind of batch (a
 * long 8-D group is split n ways, not given to one shard). The order depends
 * only on the ids and configs, so every machine computes the same split.
 */
export function shard(runs: readonly RunSpec[], s: Shard): RunSpec[] {
  const keyed = runs.map((r) => ({ r, key: shapeKey(r.config) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.r.id < b.r.id ? -1 : 1));
  return keyed.filter((_, k) => k % s.count === s.index - 1).map(({ r }) => r);
}
