import { expand, runSpec, settingAt, withSettings } from '../plan/expand.js';
import type { Experiment, FrontierSpec, RunConfig, RunResult, RunSpec } from '../types.js';
import { type Bracket, bracketOf, firstPoints, nextPoints, type Tested } from './search.js';

/** One search: a run of the sweep (a combination of the swept settings and a seed) and what it found. */
export interface SearchState {
  /** Position in the sweep's order. */
  index: number;
  /** The sweep's run, the frontier's setting at its fixed value: the other settings of every tested run. */
  base: RunConfig;
  bracket: Bracket;
  /** Every tested run so far, in order of value, with its result. */
  tested: RunResult[];
  /** Rounds whose every result is known. */
  rounds: number;
  done: boolean;
}

export interface FrontierState {
  searches: SearchState[];
  /** The runs the next round needs: every open search's next values not yet known, in search order. */
  wanted: RunSpec[];
}

/** The run testing `value` of the frontier's setting in the search from `base` (of `e`'s sweep). */
export function pointRun(e: Experiment, base: RunConfig, spec: FrontierSpec, value: number): RunSpec {
  const config = withSettings(base, [[spec.setting, value]]);
  return runSpec(e, config);
}

/**
 * Every search of `e` replayed against the results known so far: each search takes its rounds in
 * turn while their results are all known, and stops at the first round that lacks one. The search
 * is a function of its results alone, so replaying a results.jsonl gives back the brackets
 * exactly, a resumed session picks up where it stopped, and a run is trained only once.
 */
export function replay(
  e: Experiment & { frontier: FrontierSpec },
  known: ReadonlyMap<string, RunResult>,
): FrontierState {
  const spec = e.frontier;
  const searches: SearchState[] = [];
  const wanted: RunSpec[] = [];
  let index = 0;
  for (const { config: base } of expand(e)) {
    const tested: RunResult[] = [];
    const seen: Tested[] = [];
    let rounds = 0;
    let done = false;
    for (let values = firstPoints(spec); ; ) {
      const runs = values.map((v) => pointRun(e, base, spec, v));
      const missing = runs.filter((r) => !known.has(r.id));
      if (missing.length) {
        wanted.push(...missing);
        break;
      }
      rounds++;
      runs.forEach((r, i) => {
        const result = known.get(r.id)!;
        tested.push(result);
        seen.push({ value: values[i], outcome: result.outcome });
      });
      values = nextPoints(spec, bracketOf(seen));
      if (values.length === 0) {
        done = true;
        break;
      }
    }
    const value = (r: RunResult) => settingAt(r.config, spec.setting) as number;
    tested.sort((a, b) => value(a) - value(b));
    searches.push({ index: index++, base, bracket: bracketOf(seen), tested, rounds, done });
  }
  return { searches, wanted };
}

/** The run results as a map by id, for `replay`. */
export const byId = (results: Iterable<RunResult>) => new Map([...results].map((r) => [r.id, r]));
