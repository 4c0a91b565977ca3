#!/usr/bin/env node
// Lints the package as npm publishes it: publint (--strict: warnings fail too) and arethetypeswrong (every
// `exports` entry under node10, node16 from CJS, node16 from ESM and bundler resolution) on the packed tarball.
//
//   node scripts/lint-package.mjs               packs the package (npm pack builds dist/ first) and lints it
//   node scripts/lint-package.mjs FILE.tgz      lints that tarball (the package test passes the one it installs)
//
// Both tools always run, so one report shows every problem; the exit code is 1 if either found one.
// Neither needs the network: arethetypeswrong reads only the tarball (--no-definitely-typed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

function fail(message) {
  console.error(`lint-package: ${message}`);
  process.exit(1);
}

for (const tool of ['publint', 'attw']) {
  if (!existsSync(bin(tool)))
    fail(`${bin(tool)} is missing: run npm ci (publint and @arethetypeswrong/cli are devDependencies)`);
}

let tarball = process.argv[2] ? resolve(process.argv[2]) : null;
let packDir = null;
if (tarball === null) {
  packDir = mkdtempSync(join(tmpdir(), 'ctrstat-lint-package-'));
  const packed = spawnSync('npm', ['pack', '--pack-destination', packDir, '--silent'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (packed.status !== 0) fail(`npm pack failed (exit ${packed.status})`);
  const files = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  if (files.length !== 1) fail(`npm pack wrote ${files.length} tarballs to ${packDir}`);
  tarball = join(packDir, files[0]);
} else if (!existsSync(tarball)) {
  fail(`${tarball} does not exist`);
}

const checks = [
  ['publint', [bin('publint'), 'run', tarball, '--strict']],
  [
    'arethetypeswrong',
    [bin('attw'), tarball, '--profile', 'strict', '--no-definitely-typed', '--format', 'table', '--no-color'],
  ],
];
const failed = [];
try {
  for (const [name, [command, ...args]] of checks) {
    const { status, error } = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
    if (status !== 0) failed.push(`${name} (${error ? error.message : `exit ${status}`})`);
  }
} finally {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
}
if (failed.length > 0) fail(`failed: ${failed.join(', ')}`);
console.log('lint-package: publint and arethetypeswrong found no problems');
