import { describe, expect, it } from 'vitest';
import { parameterizations } from '../../src/engine/parameterizations/index.js';
import { parameterizationMisfits, taskMisfits } from '../../src/engine/plugins/contract.js';
import { tasks } from '../../src/engine/tasks/index.js';

describe('the plugin contracts', () => {
  it('are the ones the built-in tasks and parameterizations implement: each passes the check a plugin gets', () => {
    for (const t of tasks.values()) expect(taskMisfits(t), t.name).toEqual([]);
    for (const p of parameterizations.values()) expect(parameterizationMisfits(p), p.name).toEqual([]);
  });

  it('names each missing or wrong member', () => {
    const [score] = tasks.values();
    const { create: _c, ...noCreate } = score;
    expect(taskMisfits({ ...noCreate, momentum: '0.3' })).toEqual([
      'momentum is wrong (expected a number)',
      'create is missing (expected a function (configs, parameterization, dataFile?) => TaskInstance)',
    ]);
    const [full] = parameterizations.values();
    expect(parameterizationMisfits({ ...full, factorOf: 'cov' })).toEqual([
      'factorOf is wrong (expected "covariance" or "precision")',
    ]);
    expect(taskMisfits(() => {})).toEqual(['the task is not an object']);
  });
});
