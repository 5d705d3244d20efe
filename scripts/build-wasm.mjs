// Compiles the host kernels written in AssemblyScript (assembly/) to dist/kernels.wasm, the
// WebAssembly module that src/engine/ops/wasm.ts loads, and seedrandom's draws (assembly/arc4.ts)
// to dist/arc4.wasm, which src/data/arc4-wasm.ts loads (the data layer sits below the engine's
// kernels), and the Gaussian draws' transform (assembly/gaussian-rows.ts) to dist/gaussian-rows.wasm,
// which src/data/gaussian-rows-wasm.ts loads. Offline: the compiler is an npm devDependency
// (assemblyscript), no toolchain download.
//
// --runtime stub: the kernels allocate nothing (callers hand them offsets into linear memory),
// so no garbage collector is linked in. --noAssert: bounds are the callers' contract, checked by
// the tests against the JavaScript kernels. SIMD is a WebAssembly standard since 2021 (Node 16.4).
import { main } from 'assemblyscript/asc';

for (const [entry, outFile] of [
  ['assembly/index.ts', 'dist/kernels.wasm'],
  ['assembly/arc4.ts', 'dist/arc4.wasm'],
  ['assembly/gaussian-rows.ts', 'dist/gaussian-rows.wasm'],
]) {
  const { error, stderr } = await main([
    entry,
    '--outFile', outFile,
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--runtime', 'stub',
    '--noAssert',
    '--enable', 'simd',
    '--initialMemory', '1',
  ]);
  if (error) {
    process.stderr.write(stderr.toString());
    process.stderr.write(`build-wasm: ${error.message}\n`);
    process.exit(1);
  }
}
