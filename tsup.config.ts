import { copyFile } from 'node:fs/promises';
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

/** The agent's dashboard page: one script with uPlot bundled in and one stylesheet, for the browser. */
const dashboard: Options = {
  entry: { app: 'lib/dashboard/app.ts' },
  outDir: 'dist/dashboard',
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  tsconfig: 'lib/dashboard/tsconfig.json',
  minify: true,
  sourcemap: false,
  dts: false,
  clean: true,
  splitting: false,
  noExternal: [/./],
  async onSuccess() {
    await copyFile('lib/dashboard/index.html', 'dist/dashboard/index.html');
  },
};

const library: Options = {
  entry: { index: 'lib/index.ts', cli: 'lib/cli/main.ts', agent: 'lib/agent/index.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'lib/index.ts', agent: 'lib/agent/index.ts' } },
  // shims would build `new URL("file:" + __filename)` in CJS, which breaks on install paths with '#'.
  shims: false,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Everything but dist/dashboard/, which the other build writes at the same time.
  clean: ['!dashboard/**'],
  splitting: false,
  external: ['node-gyp-build'],
  esbuildPlugins: [agentImportsIndex],
  esbuildOptions(options, { format }) {
    if (format === 'cjs') options.logOverride = { 'empty-import-meta': 'silent' };
  },
};

export default defineConfig([library, dashboard]);
