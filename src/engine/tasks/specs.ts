import { isCommand, type RunConfig } from '../../types.js';
import { mleSpec } from './mle-spec.js';
import { mvnClassifierSpec } from './mvn-classifier-spec.js';
import { scoreMatchingSpec } from './score-matching-spec.js';
import type { Task, TaskSpec } from './types.js';

/**
 * Every built-in task's spec by name, in index.ts's order: what the config, the planner and the
 * reports look up, without the tfjs lane batches that only workers need (index.ts).
 */
export const taskSpecs: ReadonlyMap<string, TaskSpec> = new Map(
  [mvnClassifierSpec, scoreMatchingSpec, mleSpec].map((t) => [t.name, t]),
);

/** Tasks loaded plugin modules gave; engine/plugins/registry.ts checks their names first. */
const added = new Map<string, Task>();

/** Makes a plugin's task findable by `task(name)` and `taskSpec(name)`. */
export function addTask(t: Task): void {
  added.set(t.name, t);
}

/** The task a loaded plugin module gave under `name`, if any. */
export const addedTask = (name: string): Task | undefined => added.get(name);

/** A built-in task's spec, or a task a loaded plugin module gave (see engine/plugins). */
export function taskSpec(name: string): TaskSpec {
  const t = taskSpecs.get(name) ?? added.get(name);
  if (!t) throw new RangeError(`unknown task "${name}"`);
  return t;
}

/**
 * Steps of a run: its task's count, or for a command task (`task.command`, which runs as a process
 * and has no engine task) the `task.steps` its experiment declares.
 */
export function runSteps(c: RunConfig): number {
  return isCommand(c) ? Number(c.task.steps) : taskSpec(c.task.name).steps(c);
}
