import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');

const BIN = join(ROOT, 'bin', 'covsweep.js');

/** Run the built CLI as a user would; CI=true so progress is plain lines. */
export function covsweep(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The built CLI in the background: for tests that signal it, and for long runs, which
 * must not block the test process (vitest's own messages time out meanwhile).
 */
export function startCovsweep(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** The folders `tempDir` made in this test file, removed after its tests (a suite run made about 150). */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system's temporary folder, removed once the test file's tests end. */
export function tempDir(prefix = 'covsweep-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** `covsweep` without blocking: resolves with the exit code and output. */
export const covsweepAsync = (args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) =>
  startCovsweep(args, cwd, env).done;

/**
 * `covsweep` in this process: the CLI's own `main` (dispatch, error formatting, exit code) without
 * spawning node, for checks that need no second process. Resolves as `covsweepAsync` does.
 */
export async function covsweepInProcess(args: string[]) {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
