import type { CatalogTask } from '../engine/catalog.js';
import type { JsonSchema } from '../ground/json-schema.js';

/** The name a command task's runs carry (`task.name`), whatever the command. */
export const COMMAND_TASK = 'command';

/** What a value written in the task map says its option is: a command's options are the script's own. */
function inferred(key: string, value: unknown): JsonSchema {
  const description = `Option "${key}" of the command, passed to it in its config.`;
  if (typeof value === 'number') return { type: 'number', description };
  if (typeof value === 'string') return { type: 'string', description };
  if (typeof value === 'boolean') return { type: 'boolean', description };
  if (Array.isArray(value)) return { type: 'array', description };
  return { type: ['object', 'null'], description };
}

/**
 * The catalog entry of `task: { command: [...], ... }`: a task that runs one process per run (see
 * src/pool/command.ts for the protocol). Its options are `command`, `steps` and whatever else the
 * file's task map sets, each typed by the value written there, so that a sweep over `task.<key>`
 * varies an option the script reads. Learning rates and momentum default as the torch seeds'.
 */
export function commandTask(written: Record<string, unknown>): CatalogTask {
  const options: Record<string, JsonSchema> = {};
  for (const [key, value] of Object.entries(written)) {
    if (key !== 'name' && key !== 'command' && key !== 'steps') options[key] = inferred(key, value);
  }
  return {
    name: COMMAND_TASK,
    options: {
      command: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1 },
        description:
          "The program and its arguments, run in the experiment file's folder; the first argument naming a file there is hashed into the run id.",
      },
      steps: {
        type: 'integer',
        minimum: 1,
        description: 'Steps a run reports at most (its progress and learning-curve spacing).',
      },
      ...options,
    },
    defaults: { steps: 100 },
    lr: { cov: 1e-3, mean: 1e-3, weights: 1e-3 },
    momentum: 0,
  };
}
