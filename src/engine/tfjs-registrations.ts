/**
 * What the umbrella @tensorflow/tfjs package registered on top of tfjs-core, without its 237 MB:
 * the gradient of every op, and the chained ops (`x.mul(y)`). tfjs-core publishes both only as ES
 * modules with extensionless imports, which Node cannot load as they are (vitest transforms them
 * itself), so the build replaces this module with an esbuild bundle (scripts/bundle-registrations.mjs).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
