import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../ground/json-schema.js';

const require = createRequire(import.meta.url);

/**
 * Where compiled validators are kept between processes: `COVSWEEP_CACHE`, else the package's
 * node_modules/.cache/covsweep (where build tools keep theirs).
 */
export const cacheDir = () =>
  process.env.COVSWEEP_CACHE ??
  fileURLToPath(new URL('../../node_modules/.cache/covsweep/', import.meta.url));

/**
 * `ajv.compile(schema)`, kept on disk as ajv's standalone code. The experiment schema takes ajv
 * most of a second to compile, longer than the rest of `validate` or `plan`; loading the code it
 * compiled to takes milliseconds. The file's name is a hash of the schema, the options and ajv's
 * version, so a changed schema (a new task or option) compiles afresh. A cache that cannot be
 * read or written (read-only install) only costs the compile.
 */
export function compileCached(ajv: () => Ajv, options: Options, schema: JsonSchema): ValidateFunction {
  const key = createHash('sha256')
    .update(JSON.stringify([require('ajv/package.json').version, options, schema]))
    .digest('hex')
    .slice(0, 24);
  const file = join(cacheDir(), `schema-${key}.cjs`);
  const cached = load(file);
  if (cached) return cached;
  const compiler = ajv();
  const validate = compiler.compile(schema);
  const { default: standalone } =
    require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js');
  try {
    mkdirSync(cacheDir(), { recursive: true });
    // Written whole, then renamed: a process reading at the same time sees all of it or none.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, standalone(compiler, validate));
    renameSync(partial, file);
  } catch {
    // No cache here: the next process compiles again.
  }
  return validate;
}

/** The validator a cache file holds, or undefined when there is none (or it does not load). */
function load(file: string): ValidateFunction | undefined {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    // ajv's standalone code is a CommonJS module that requires ajv's runtime helpers, resolved
    // from here wherever the cache is.
    const module = { exports: {} as { default?: ValidateFunction } };
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    return typeof module.exports.default === 'function' ? module.exports.default : undefined;
  } catch {
    return undefined;
  }
}
