import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { cacheDir, keepCode, keepFile, lacksCode, readKept, scriptWithCode } from '../ground/disk-cache.js';
import type { JsonSchema } from '../ground/json-schema.js';

const require = createRequire(import.meta.url);

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
  keepFile(file, standalone(compiler, validate));
  return validate;
}

/** The validator a cache file holds, or undefined when there is none (or it does not load). */
function load(file: string): ValidateFunction | undefined {
  const code = readKept(file);
  if (code === undefined) return undefined;
  try {
    // ajv's standalone code is a CommonJS module that requires ajv's runtime helpers, resolved
    // from here wherever the cache is.
    const module = { exports: {} as { default?: ValidateFunction } };
    const script = scriptWithCode(
      `(function (module, exports, require) {${code}\n})`,
      file,
      codeCacheOf(file),
    );
    (script.runInThisContext() as (...args: unknown[]) => void)(module, module.exports, require);
    const validate = module.exports.default;
    if (typeof validate !== 'function') return undefined;
    return lacksCode(script) ? withCodeCache(validate, () => keepCode(script, codeCacheOf(file))) : validate;
  } catch {
    return undefined;
  }
}

/** V8's compiled code of a cached validator, kept beside it: compiling its megabyte of code costs more than running it. */
const codeCacheOf = (file: string) => `${file}.v8`;

/** The validator, calling `keep` (which writes V8's code cache) after its first call. */
function withCodeCache(validate: ValidateFunction, keep: () => void): ValidateFunction {
  let written = false;
  const wrapped = ((data: unknown, ...rest: unknown[]) => {
    const valid = (validate as (...args: unknown[]) => boolean)(data, ...rest);
    wrapped.errors = validate.errors;
    if (!written) {
      written = true;
      keep();
    }
    return valid;
  }) as ValidateFunction;
  return Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}
