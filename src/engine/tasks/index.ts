import { mle } from './mle.js';
import { mvnClassifier } from './mvn-classifier.js';
import { scoreMatching } from './score-matching.js';
import type { Task } from './types.js';

export type { ParamGroup, Task, TaskInstance } from './types.js';

/** Every task by name. Adding one: a file beside this one and a line here. */
export const tasks: ReadonlyMap<string, Task> = new Map(
  [mvnClassifier, scoreMatching, mle].map((t) => [t.name, t]),
);

export function task(name: string): Task {
  const t = tasks.get(name);
  if (!t) throw new RangeError(`unknown task "${name}"`);
  return t;
}
