import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
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
    const script = compiled(file, code);
    (script.runInThisContext() as (...args: unknown[]) => void)(module, module.exports, require);
    const validate = module.exports.default;
    if (typeof validate !== 'function') return undefined;
    return script.cachedDataRejected === false ? validate : withCodeCache(validate, script, file);
  } catch {
    return undefined;
  }
}

/** V8's compiled code of a cached validator, kept beside it: compiling its megabyte of code costs more than running it. */
const codeCacheOf = (file: string) => `${file}.v8`;

function compiled(file: string, code: string): Script {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCacheOf(file));
  } catch {
    // None yet: the first validation writes it.
  }
  return new Script(`(function (module, exports, require) {${code}\n})`, { filename: file, cachedData });
}

/**
 * The validator, writing V8's code cache after its first call: V8 compiles a function when it
 * first runs, so only then does the cache hold the validator's code, not just its outline.
 */
function withCodeCache(validate: ValidateFunction, script: Script, file: string): ValidateFunction {
  let written = false;
  const wrapped = ((data: unknown, ...rest: unknown[]) => {
    const valid = (validate as (...args: unknown[]) => boolean)(data, ...rest);
    wrapped.errors = validate.errors;
    if (!written) {
      written = true;
      try {
        const partial = `${codeCacheOf(file)}.${process.pid}.tmp`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, codeCacheOf(file));
      } catch {
        // No code cache here: the next process compiles the code again.
      }
    }
    return valid;
  }) as ValidateFunction;
  return Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}
