import { isCommand, type RunConfig } from '../../types.js';
import { mle } from './mle.js';
import { mvnClassifier } from './mvn-classifier.js';
import { scoreMatching } from './score-matching.js';
import type { Task } from './types.js';

export type { ParamGroup, Task, TaskInstance } from './types.js';

/** Every task by name. Adding one: a file beside this one and a line here. */
export const tasks: ReadonlyMap<string, Task> = new Map(
  [mvnClassifier, scoreMatching, mle].map((t) => [t.name, t]),
);

/** Tasks loaded plugin modules gave; engine/plugins/registry.ts checks their names first. */
const added = new Map<string, Task>();

/** Makes a plugin's task findable by `task(name)`. */
export function addTask(t: Task): void {
  added.set(t.name, t);
}

/** A built-in task, or one a loaded plugin module gave (see engine/plugins). */
export function task(name: string): Task {
  const t = tasks.get(name) ?? added.get(name);
  if (!t) throw new RangeError(`unknown task "${name}"`);
  return t;
}

/**
 * Steps of a run: its task's count, or for a command task (`task.command`, which runs as a process
 * and has no engine task) the `task.steps` its experiment declares.
 */
export function runSteps(c: RunConfig): number {
  return isCommand(c) ? Number(c.task.steps) : task(c.task.name).steps(c);
}
