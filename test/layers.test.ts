import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layers of src/, bottom first, as README.md's architecture section draws them. A folder (or
 * top-level file) may import only from folders of lower rows; folders of one row are peers and
 * import neither each other nor anything above. Type imports count: a type import is still a
 * dependency a reader has to follow.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['ground'],
  ['types'],
  ['data'],
  ['engine', 'plan'],
  ['config'],
  ['frontier'],
  ['results'],
  ['report'],
  ['pool'],
  ['bench', 'session'],
  ['cli'],
  ['index'],
];

/**
 * The rooms of src/engine/, bottom first, under the same rule (README.md, "Inside src/engine").
 * Top-level files are rooms of their own.
 */
const ENGINE_LAYERS: readonly (readonly string[])[] = [
  ['tf', 'backend-choice'],
  ['ops', 'catalog', 'tfjs-registrations'],
  ['backend'],
  ['parameterizations'],
  ['tasks'],
  ['native'],
  ['train', 'plugins'],
  ['registry', 'auto-backend'],
];

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every relative import of src/, as [importing file, imported file], both relative to src/ and without extension. */
function importsOf(src: string): [string, string][] {
  const edges: [string, string][] = [];
  for (const file of sourceFiles(src)) {
    const from = relative(src, file).replace(/\.ts$/, '');
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = normalize(join(dirname(from), m[1])).replace(/\.js$/, '');
      edges.push([from, to]);
    }
  }
  return edges;
}

/** The folder a module lives in, or its own name for a top-level file (`types`, `index`). */
const roomOf = (module: string) => module.split(sep)[0];

/** Imports that break the layer order, and folders the order does not name, one line each. */
function layerViolations(edges: readonly [string, string][], layers = LAYERS, room = roomOf): string[] {
  const row = new Map(layers.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const problems = new Set<string>();
  for (const [from, to] of edges) {
    const [a, b] = [room(from), room(to)];
    for (const r of [a, b])
      if (!row.has(r)) problems.add(`${r}/ is not in the layer order; add it to LAYERS and the README`);
    if (a === b || !row.has(a) || !row.has(b)) continue;
    if (row.get(b)! >= row.get(a)!) problems.add(`${from} imports ${to}: ${b} is not below ${a}`);
  }
  return [...problems];
}

/** Modules that import themselves through others: each cycle once, as its sorted members. */
function importCycles(edges: readonly [string, string][]): string[][] {
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) next.set(a, [...(next.get(a) ?? []), b]);
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        members.push(w);
      } while (w !== v);
      if (members.length > 1) cycles.push(members.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('src/ layers', () => {
  const edges = importsOf(SRC);

  it('reads the imports of src/', () => {
    expect(edges.length).toBeGreaterThan(100);
  });

  it('imports only downward, in the order README.md draws', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it("keeps the engine's rooms in the order README.md draws", () => {
    const inEngine = edges.filter(([a, b]) => a.startsWith(`engine${sep}`) && b.startsWith(`engine${sep}`));
    const engineRoom = (module: string) => module.split(sep)[1];
    expect(inEngine.length).toBeGreaterThan(50);
    expect(layerViolations(inEngine, ENGINE_LAYERS, engineRoom)).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('catches an upward import, a peer import, an unlisted folder and a cycle', () => {
    const bad: [string, string][] = [
      ['engine/train', 'config/load'],
      ['plan/pack', 'engine/tasks/index'],
      ['extras/x', 'ground/errors'],
      ['report/a', 'report/b'],
      ['report/b', 'report/a'],
    ];
    expect(layerViolations(bad)).toEqual([
      'engine/train imports config/load: config is not below engine',
      'plan/pack imports engine/tasks/index: engine is not below plan',
      'extras/ is not in the layer order; add it to LAYERS and the README',
    ]);
    expect(importCycles(bad)).toEqual([['report/a', 'report/b']]);
  });
});
