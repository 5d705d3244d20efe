import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type Options } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCached } from '../../src/config/compiled-schema.js';
import { tempDir } from '../cli/cli.js';

const OPTIONS: Options = { allErrors: true, verbose: true, code: { source: true } };
const schema = {
  type: 'object',
  properties: { dim: { type: 'integer', minimum: 1 }, name: { enum: ['a', 'b'] } },
  required: ['dim'],
  additionalProperties: false,
};
const bad = { dim: 0, name: 'c', extra: true };

let dir: string;
let compiles = 0;
const ajv = () => {
  compiles++;
  return new Ajv(OPTIONS);
};
beforeEach(() => {
  dir = tempDir('covsweep-cache-');
  process.env.COVSWEEP_CACHE = dir;
  compiles = 0;
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('the compiled-schema cache', () => {
  it('compiles once; later calls load the code, which reports the same errors', () => {
    const fresh = compileCached(ajv, OPTIONS, schema);
    expect(readdirSync(dir)).toHaveLength(1);
    const cached = compileCached(ajv, OPTIONS, schema);
    expect(compiles).toBe(1);
    expect(cached).not.toBe(fresh);
    expect(cached({ dim: 3, name: 'a' })).toBe(true);
    expect(fresh(bad)).toBe(false);
    expect(cached(bad)).toBe(false);
    expect(cached.errors).toEqual(fresh.errors);
    expect(cached.errors?.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'enum', 'minimum']);
  });

  it('compiles afresh for another schema or other options', () => {
    compileCached(ajv, OPTIONS, schema);
    compileCached(ajv, OPTIONS, { ...schema, required: [] });
    compileCached(ajv, { ...OPTIONS, allErrors: false }, schema);
    expect(compiles).toBe(3);
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('compiles again over a file that does not load, and works without a writable cache', () => {
    compileCached(ajv, OPTIONS, schema);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file), 'this is not javascript {');
    expect(compileCached(ajv, OPTIONS, schema)(bad)).toBe(false);
    expect(compiles).toBe(2);
    // A cache folder that cannot be made: under a file.
    process.env.COVSWEEP_CACHE = join(dir, file, 'cache');
    expect(compileCached(ajv, OPTIONS, schema)({ dim: 1 })).toBe(true);
    expect(compiles).toBe(3);
  });

  it("keeps V8's compiled code beside the validator after its first call, and loads past a bad one", () => {
    compileCached(ajv, OPTIONS, schema);
    const loaded = compileCached(ajv, OPTIONS, schema);
    expect(readdirSync(dir).filter((f) => f.endsWith('.v8'))).toEqual([]);
    expect(loaded(bad)).toBe(false);
    const [v8] = readdirSync(dir).filter((f) => f.endsWith('.v8'));
    expect(v8).toBeDefined();
    const again = compileCached(ajv, OPTIONS, schema);
    expect(again(bad)).toBe(false);
    expect(again.errors).toEqual(loaded.errors);
    writeFileSync(join(dir, v8), 'not code');
    const past = compileCached(ajv, OPTIONS, schema);
    expect([past(bad), past({ dim: 2 })]).toEqual([false, true]);
    expect(past.errors).toBeNull();
    expect(compiles).toBe(1);
  });
});
