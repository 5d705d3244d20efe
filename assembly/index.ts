// The host kernels compiled to WebAssembly (scripts/build-wasm.mjs); loaded by
// src/engine/ops/wasm.ts. Every export takes offsets into linear memory.
export { choleskyForward } from './cholesky';
