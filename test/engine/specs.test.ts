import { describe, expect, it } from 'vitest';
import { parameterization, parameterizations } from '../../src/engine/parameterizations/index.js';
import { parameterizationSpecs } from '../../src/engine/parameterizations/specs.js';
import { task, tasks } from '../../src/engine/tasks/index.js';
import { runSteps, taskSpec, taskSpecs } from '../../src/engine/tasks/specs.js';
import { classifierConfig, mleConfig, scoreMatchingConfig } from './configs.js';

// What the config and the planner see of the engine (the specs, which load no tfjs) must be what
// the workers train: the same names in the same order, raw shapes, option schemas and step counts.
describe('the tfjs-free specs match the engine', () => {
  it('parameterizations: names in order, raw block shapes, option schemas', () => {
    expect([...parameterizationSpecs.keys()]).toEqual([...parameterizations.keys()]);
    for (const [name, p] of parameterizations) {
      const spec = parameterizationSpecs.get(name)!;
      for (let d = 1; d <= 6; d++) expect(spec.rawShape(d), `${name} d=${d}`).toEqual(p.rawShape(d));
      expect(spec.options?.schema, name).toBe(p.options?.schema);
      // With its options' defaults, the parameterization is the registered one.
      expect(parameterization(name).rawShape(5), name).toEqual(spec.rawShape(5));
    }
  });

  it('tasks: the task is its spec plus its lane batch', () => {
    expect([...taskSpecs.keys()]).toEqual([...tasks.keys()]);
    for (const [name, t] of tasks) {
      const { create, ...rest } = t;
      expect(typeof create).toBe('function');
      expect(rest).toEqual(taskSpec(name));
    }
  });

  it('step counts come from the spec without the engine', () => {
    const c = classifierConfig({ epochs: 2 });
    expect(runSteps(c)).toBe(task('mvn-classifier').steps(c));
    // Trial by trial: 2 epochs of 2 units x 200 points.
    expect(runSteps(c)).toBe(2 * 2 * 200);
    for (const g of [scoreMatchingConfig({ iterations: 33 }), mleConfig({ iterations: 44 })])
      expect([runSteps(g), task(g.task.name).steps(g)]).toEqual([g.task.iterations, g.task.iterations]);
  });
});
