// Replaces tsc's dist/engine/tfjs-registrations.js with an esbuild bundle of what it imports.
//
// The gradients of tfjs-core's ops (and its chained ops, x.mul(y)) are registered by ES modules of
// @tensorflow/tfjs-core/dist whose imports have no file extensions ('./gradients/Abs_grad'), which
// Node's ESM loader refuses; the umbrella @tensorflow/tfjs package (237 MB with webgl, layers,
// converter, data) was the only other way to get them. Bundled, the imports are resolved at build time. The bundle holds its
// own copy of the core modules the gradients use, which is harmless: tfjs-core keeps its engine, kernel
// and gradient registries on the global object, so both copies register into and run on one engine
// (test/engine/registrations.test.ts checks the built bundle's gradients on cpu and wasm).
import { build } from 'esbuild';
import { NODE_BUNDLE } from './esbuild-node.mjs';

await build({
  ...NODE_BUNDLE,
  entryPoints: ['src/engine/tfjs-registrations.ts'],
  outfile: 'dist/engine/tfjs-registrations.js',
});
