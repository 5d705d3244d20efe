import { mle } from './mle.js';
import { mvnClassifier } from './mvn-classifier.js';
import { scoreMatching } from './score-matching.js';
import { addedTask } from './specs.js';
import type { Task } from './types.js';

export type { ParamGroup, Task, TaskInstance, TaskSpec } from './types.js';

/**
 * Every task by name. Adding one: its spec in a module that loads no tfjs (`*-spec.ts`, a line in
 * specs.ts), and the task itself, the spec and its lane batch, in a file beside this one and a line here.
 */
export const tasks: ReadonlyMap<string, Task> = new Map(
  [mvnClassifier, scoreMatching, mle].map((t) => [t.name, t]),
);

/** A built-in task, or one a loaded plugin module gave (see engine/plugins). */
export function task(name: string): Task {
  const t = tasks.get(name) ?? addedTask(name);
  if (!t) throw new RangeError(`unknown task "${name}"`);
  return t;
}
