// Replaces tsc's entry modules of the CLI (dist/cli/main.js) and of the worker threads
// (dist/pool/worker.js) with esbuild bundles of the modules they import.
//
// Node 20's ES module loader pays per file (resolve, stat, read, compile, link): `covsweep run`'s
// main thread loaded some 100 built modules and yaml's 72 CommonJS files before it read the
// experiment, and every worker thread ~95 modules before its first batch, tens of milliseconds
// each. A few files load in a fraction of that. (Node 20 has no compile cache for ES modules:
// module.enableCompileCache is Node 22's.) The library (dist/index.js) stays tsc's modules.
//
// The bundles are made from tsc's output, so they run exactly the code the rest of dist does, and
// they change nothing a module can observe:
// - packages stay imports of node_modules (tfjs, its backends, piscina, ajv, d3-scale), so a thread
//   shares one tfjs with plugin modules and loads each package when it did before; only yaml,
//   72 CommonJS files (35 ms) that every command loads, is bundled into the CLI: it holds no
//   state a plugin shares;
// - what a module imports on demand stays on demand: the CLI's commands and the modules they import
//   when asked for become chunks of their own (esbuild's code splitting), the worker's plugin kit
//   a lazy initialiser, and the registrations bundle stays its own file at its place in dist;
// - every bundled module keeps its own `import.meta.url` (the URL of its file in dist), so the paths
//   it resolves against it (dist/kernels.wasm, pool/worker.js, createRequire, the schema cache) are
//   the ones they were. This needs every output of a bundle in its entry's folder.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './esbuild-node.mjs';

const DIST = resolve('dist');

const BUNDLES = [
  { entry: 'pool/worker.js' },
  { entry: 'cli/main.js', splitting: true, inline: ['yaml'] },
];

/** Built modules imported on demand that stay files of their own (already a bundle, too big to parse in every thread). */
const SEPARATE = new Set([resolve(DIST, 'engine', 'tfjs-registrations.js')]);

/** Chunk files a code-split bundle writes beside its entry (`run-DRHYHCZZ.js`, `chunk-2J65EDX3.js`); tsc's names have no such hash. */
const CHUNK = /^[a-z0-9-]+-[A-Z0-9]{8}\.js(\.map)?$/;

/** A relative module specifier from the folder `dir` to `to`. */
const specifier = (dir, to) => {
  const path = relative(dir, to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
};

/** Keeps each bundled module's `import.meta.url` and the SEPARATE modules' places (see above). */
const inPlace = (outdir) => ({
  name: 'in-place',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      return SEPARATE.has(path) ? { path: specifier(outdir, path), external: true } : undefined;
    });
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(DIST)) return undefined;
      const own = `new URL(${JSON.stringify(specifier(outdir, args.path))}, import.meta.url).href`;
      const text = await readFile(args.path, 'utf8');
      // import.meta.dirname, filename or resolve would name the bundle's place, not the module's.
      const other = /\bimport\.meta\.(?!url\b)\w+/.exec(text);
      if (other)
        throw new Error(`${relative(DIST, args.path)} uses ${other[0]}: bundled modules keep only import.meta.url`);
      return {
        contents: text.replace(/\bimport\.meta\.url\b/g, own),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
});

/** Bare imports stay imports of node_modules, except the packages in `inline`. */
const packages = (inline) => ({
  name: 'packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      inline.some((p) => args.path === p || args.path.startsWith(`${p}/`))
        ? undefined
        : { path: args.path, external: true },
    );
  },
});

/** The first line of every file a bundle writes: the sign that tsc's module is gone. */
const MARK = '// esbuild bundle: scripts/bundle-entries.mjs';

for (const { entry, splitting = false, inline = [] } of BUNDLES) {
  const file = resolve(DIST, entry);
  const outdir = dirname(file);
  if (readFileSync(file, 'utf8').startsWith(MARK))
    throw new Error(`dist/${entry} is a bundle already: bundles are made from tsc's output (npm run build)`);
  // Chunks of an earlier build have other hashes: they would stay behind, unused.
  for (const name of readdirSync(outdir)) if (CHUNK.test(name)) rmSync(join(outdir, name));
  const { metafile } = await build({
    entryPoints: [file],
    ...NODE_BUNDLE,
    outdir,
    splitting,
    // Chained through tsc's maps to src/.
    sourcemap: true,
    metafile: true,
    // A CommonJS package bundled in (yaml) requires node builtins, which an ES module does through createRequire.
    banner: {
      js: inline.length
        ? `${MARK}\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);`
        : MARK,
    },
    plugins: [inPlace(outdir), packages(inline)],
  });
  const stray = Object.keys(metafile.outputs).filter((out) => dirname(resolve(out)) !== outdir);
  if (stray.length) throw new Error(`${entry}'s bundle wrote outside ${outdir}: ${stray.join(', ')}`);
}
