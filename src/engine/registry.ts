import type { Catalog } from './catalog.js';
import { parameterizationOptions, parameterizationSpecs } from './parameterizations/specs.js';
import { taskSpecs } from './tasks/specs.js';
import { optimizers } from './train/optim.js';

/**
 * The engine's own registries as experiment files see them: a task or parameterization exists for
 * them once it is registered there. Built from the specs, which load no tfjs, so that checking or
 * planning a file loads none.
 */
export const defaultCatalog: Catalog = {
  tasks: [...taskSpecs.values()],
  optimizers: [...optimizers.values()],
  parameterizations: [...parameterizationSpecs.keys()],
  parameterizationOptions: parameterizationOptions(),
};
