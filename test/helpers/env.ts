// Checks for what a test needs from the machine (root, a Docker engine, a command on PATH, a cgroup v1 host).
//
// Each check returns true when the dependency is there, so it reads naturally in a skip condition:
//
//   import { requireDocker, requireRoot, requireCommand } from '../helpers/env.js';
//
//   it.skipIf(!requireDocker())('reads a running container', async () => { ... });
//   describe.skipIf(!requireRoot() || !requireCommand('ip'))('netns', () => { ... });
//
// Outside CI a missing dependency skips the test. Under CI=true it throws instead: the check runs
// while vitest collects the file, so the whole file fails, because a CI machine that lacks a
// dependency must not report green with tests quietly skipped.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const isCI = process.env.CI === 'true';

export class MissingDependencyError extends Error {
  constructor(what: string, hint: string) {
    super(`${what} is required when CI=true: ${hint}`);
    this.name = 'MissingDependencyError';
  }
}

function required(present: boolean, what: string, hint: string): boolean {
  if (!present && isCI) throw new MissingDependencyError(what, hint);
  return present;
}

/** A property of the machine itself (a kernel feature, a permission): same rule as the checks below. */
export function requireHost(present: boolean, what: string, hint = 'the CI machine provides it'): boolean {
  return required(present, what, hint);
}

/** The v1 hierarchies ctrstat reads on a v1 or hybrid host (the CI machine is a hybrid host). */
export function requireCgroupV1(): boolean {
  return requireHost(
    existsSync('/sys/fs/cgroup/memory/memory.stat') && existsSync('/sys/fs/cgroup/cpuacct'),
    'a cgroup v1 (or hybrid) host',
    'no v1 memory and cpuacct hierarchies under /sys/fs/cgroup; cgroup v2 runs in npm run test:cgroup2',
  );
}

export function requireRoot(): boolean {
  return required(process.getuid?.() === 0, 'root', 'run the tests as uid 0');
}

// `docker info` costs a few hundred milliseconds; the engine does not come and go during a run.
let dockerAnswer: { up: boolean; detail: string } | undefined;

export function requireDocker(): boolean {
  if (dockerAnswer === undefined) {
    try {
      const version = execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
        encoding: 'utf8',
        timeout: 15_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
      dockerAnswer = { up: version !== '', detail: version };
    } catch (err) {
      dockerAnswer = { up: false, detail: (err as Error).message.split('\n')[0] ?? '' };
    }
  }
  return required(
    dockerAnswer.up,
    'a running Docker engine',
    `docker info failed (${dockerAnswer.detail}); run scripts/setup-machine.sh (or scripts/start-dockerd.sh)`,
  );
}

/** The absolute path of an executable on PATH, or null. */
export function findCommand(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export function requireCommand(name: string): boolean {
  return required(findCommand(name) !== null, `the command "${name}"`, 'install it (see .ci/run for the package list)');
}
