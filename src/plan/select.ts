import { CovsweepError } from '../ground/errors.js';
import type { RunSpec } from '../types.js';
import { type Shard, shard, shardLabel } from './shard.js';

/** Which of an experiment's runs a folder holds: a shard, chosen ids, or (neither) all. */
export interface Selection {
  shard?: Shard;
  only?: string[];
}

export function describeSelection(s: Selection): string {
  if (s.only) return `--only ${s.only.join(',')}`;
  return s.shard ? `--shard ${shardLabel(s.shard)}` : 'all runs';
}

/** The selected runs, in plan order; `E_USAGE` for an `--only` id the experiment does not plan. */
export function select(runs: RunSpec[], s: Selection): RunSpec[] {
  if (s.only) {
    const planned = new Set(runs.map((r) => r.id));
    const missing = s.only.filter((id) => !planned.has(id));
    if (missing.length)
      throw new CovsweepError(
        'E_USAGE',
        `--only: the experiment has no run ${missing.join(', ')}; run ids are in results.csv, or see "covsweep plan FILE"`,
      );
    const wanted = new Set(s.only);
    return runs.filter((r) => wanted.has(r.id));
  }
  return s.shard ? shard(runs, s.shard) : runs;
}
