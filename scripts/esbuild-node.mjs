// The esbuild options every bundle of the build shares: one ES module for Node 20, written over
// the file tsc wrote there.
export const NODE_BUNDLE = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  allowOverwrite: true,
  legalComments: 'none',
  logLevel: 'warning',
};
