import { resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const LIBRARY_INDEX = resolve('lib/index.ts');

/**
 * dist/agent.* import the library from dist/index.* instead of holding a copy of it, so that a process
 * loading both `ctrstat` and `ctrstat/agent` has one set of classes and one native addon binding.
 */
const agentImportsIndex: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'agent-imports-index',
  setup(build) {
    const target = build.initialOptions.format === 'cjs' ? './index.cjs' : './index.js';
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) => {
      if (!args.importer.includes('/lib/agent/') || resolve(args.resolveDir, '../index.ts') !== LIBRARY_INDEX)
        return undefined;
      return { path: target, external: true };
    });
  },
};

export default defineConfig({
  entry: { index: 'lib/index.ts', cli: 'lib/cli/main.ts', agent: 'lib/agent/index.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'lib/index.ts', agent: 'lib/agent/index.ts' } },
  // shims would build `new URL("file:" + __filename)` in CJS, which breaks on install paths with '#'.
  shims: false,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  external: ['node-gyp-build'],
  esbuildPlugins: [agentImportsIndex],
  esbuildOptions(options, { format }) {
    if (format === 'cjs') options.logOverride = { 'empty-import-meta': 'silent' };
  },
});
