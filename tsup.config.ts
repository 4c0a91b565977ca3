import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'lib/index.ts', cli: 'lib/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'lib/index.ts' } },
  // shims would build `new URL("file:" + __filename)` in CJS, which breaks on install paths with '#'.
  shims: false,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  external: ['node-gyp-build'],
  esbuildOptions(options, { format }) {
    if (format === 'cjs') options.logOverride = { 'empty-import-meta': 'silent' };
  },
});
