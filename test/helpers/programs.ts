// Small static C programs the tests run inside busybox containers (test/helpers/programs/*.c), built here
// with the machine's gcc on first use and kept in .cache/programs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = fileURLToPath(new URL('./programs/', import.meta.url));
const CACHE = fileURLToPath(new URL('../../.cache/programs/', import.meta.url));

/** The directory holding the static binary of test/helpers/programs/<name>.c (built if missing or older than its source). */
export function programDir(name: string): string {
  const source = join(SOURCES, `${name}.c`);
  const binary = join(CACHE, name);
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('gcc', ['-static', '-O2', '-Wall', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return CACHE;
}
