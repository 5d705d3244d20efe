// The host kernels compiled to WebAssembly (scripts/build-wasm.mjs); loaded by
// src/engine/ops/wasm.ts. Every export takes offsets into linear memory.
export { choleskyBackward, choleskyForward } from './cholesky';
export { classifierBackward, classifierForward } from './classifier';
export { scoreMatchingLane } from './score-matching';
export { spdDirection, spdRetract } from './spd-riemannian';
export { expmFrechet, expmFromEigen } from './expm-eigen';
export { symmetricEigen } from './symmetric-eigen';
export { extremeEigen, extremeEigenOfFactor } from './extreme-eigen';
export { choleskyInto64 } from './cholesky64';
export { classifierLanesBackward, classifierLanesForward } from './classifier-lanes';
export { adamLanes, rmspropLanes, sgdLanes } from './optim';
export { conditionClear, conditionDrift, conditionDrift32, conditionMasks, conditionMoves, conditionShift, conditionRows, conditionShifts, conditionShiftsClear, conditionSince } from './condition';
export { fdlibmMap } from './fdlibm';
export { classifierLanesHead } from './classifier-head';
export { mahalanobisBlocks } from './log-densities';
export { epochOrder } from './epoch-order';
export { shortestJson } from './shortest-json';
