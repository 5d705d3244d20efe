import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { CovsweepError } from '../../src/ground/errors.js';

/** Writes `text` as an experiment file in a fresh folder that is removed after the test. */
export function writeExperiment(text: string, name = 'experiment.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'covsweep-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Lines joined with newlines, so a test shows the line numbers its assertions refer to. */
export const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** The config error loading `text` throws, with `file` for building expected `file:line:col` prefixes. */
export function loadError(text: string): { error: CovsweepError; file: string } {
  const file = writeExperiment(text);
  try {
    loadExperiment(file);
  } catch (error) {
    expect(error).toBeInstanceOf(CovsweepError);
    expect((error as CovsweepError).code).toBe('E_CONFIG');
    return { error: error as CovsweepError, file };
  }
  throw new Error('expected the experiment to be rejected');
}

/** Asserts that one of the problems is at line:col and matches `pattern`. */
export function expectProblem(text: string, line: number, col: number, pattern: RegExp): CovsweepError {
  const { error, file } = loadError(text);
  const prefix = `${file}:${line}:${col}: `;
  const problem = error.problems.find((p) => p.startsWith(prefix) && pattern.test(p));
  expect(
    problem,
    `no problem at ${line}:${col} matching ${pattern} in:\n${error.problems.join('\n')}`,
  ).toBeDefined();
  return error;
}

/** Asserts that the error's message (its first problem) is at line:col and matches `pattern`. */
export function expectFirst(text: string, line: number, col: number, pattern: RegExp): CovsweepError {
  const { error, file } = loadError(text);
  expect(error.message.startsWith(`${file}:${line}:${col}: `), error.message).toBe(true);
  expect(error.message).toMatch(pattern);
  expect(error.message).not.toContain('\n');
  return error;
}

/** The smallest valid experiment, to which tests add what they check. */
export const MINIMAL = ['name: t', 'task:', '  name: mvn-classifier'];
