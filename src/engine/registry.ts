import type { Catalog } from './catalog.js';
import { parameterizationOptions, parameterizations } from './parameterizations/index.js';
import { tasks } from './tasks/index.js';
import { optimizers } from './train/optim.js';

/** The engine's own registries: a task or parameterization exists for experiment files once it is registered there. */
export const defaultCatalog: Catalog = {
  tasks: [...tasks.values()],
  optimizers: [...optimizers.values()],
  parameterizations: [...parameterizations.keys()],
  parameterizationOptions: parameterizationOptions(),
};
