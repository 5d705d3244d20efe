/**
 * covsweep as a library: load an experiment file, plan it, run it into a run folder, report on a
 * run folder; and the contracts a plugin module implements, with the kit it is handed.
 */

export type { BackendChoice } from './engine/backend-choice.js';
export type { CatalogTask } from './engine/catalog.js';
export type {
  FactorOutput,
  Parameterization,
  ParameterizationOptions,
  ParameterUpdate,
} from './engine/parameterizations/types.js';
export { kit as pluginKit, type PluginKit, type PluginModule } from './engine/plugins/kit.js';
export type { Plugin } from './engine/plugins/registry.js';
export type { ParamGroup, StepOutput, Task, TaskInstance } from './engine/tasks/types.js';
export { CovsweepError, type ErrorCode } from './ground/errors.js';
export type { JsonSchema } from './ground/json-schema.js';
export type { Reports } from './report/reporters.js';
export {
  loadExperiment,
  type Plan,
  type PlanOptions,
  plan,
  type ReportOptions,
  type RunEvent,
  type RunOptions,
  report,
  run,
} from './session/api.js';
export type { RunSessionResult } from './session/run.js';
export type * from './types.js';
