import { parseExperiment } from '../../src/config/load.js';
import { withSettings } from '../../src/plan/expand.js';
import { runId } from '../../src/plan/ids.js';
import type { Experiment, FailureKind, Outcome, RunResult } from '../../src/types.js';

/** A small sweep: parameterization x lr.cov x 4 seeds, as a resolved experiment. */
export function experiment(summary = 'summary: { rows: lr.cov, columns: parameterization }'): Experiment {
  const text = [
    'name: fixture',
    'task: { name: mvn-classifier, n_per_class: 5, epochs: 1 }',
    'sweep:',
    '  parameterization: [full, tril, log-cholesky]',
    '  lr.cov: [1.0e-4, 1.0e-2]',
    '  seed: 4',
    summary,
  ].join('\n');
  return parseExperiment(text, 'fixture.yaml');
}

export interface Made {
  parameterization?: string;
  lr?: number;
  seed?: number;
  outcome?: Outcome;
  step?: number;
  reason?: string;
  kind?: FailureKind;
  loss?: number;
  metrics?: Record<string, number>;
}

/** A run result of `experiment()`'s sweep with the given ending; the id is its real config hash. */
export function made(e: Experiment, m: Made): RunResult {
  const config = withSettings(e.base, [
    ['parameterization', m.parameterization ?? 'full'],
    ['lr.cov', m.lr ?? 1e-4],
    ['seed', m.seed ?? 0],
  ]);
  const base = {
    id: runId(config),
    config,
    step: m.step ?? 10,
    loss: m.loss ?? 0.1,
    metrics: m.metrics ?? {},
    curve: [0.7, 0.3, m.loss ?? 0.1],
    seconds: 0.01,
  };
  const outcome = m.outcome ?? 'ok';
  return outcome === 'ok'
    ? { ...base, outcome }
    : { ...base, outcome, kind: m.kind ?? 'unknown', reason: m.reason ?? 'broke at step 3' };
}
