// The ctrstat command run in this process (lib/cli/run.ts) against fake hosts: real v2 cgroup files
// (the docker-cgroupfs "lim" fixture) copied into a fake /sys, and a fake /proc.
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../lib/cli/run.js';
import { EXIT } from '../../lib/cli/usage.js';
import { FakeHost } from '../fixtures/discovery/fake-host.js';

// readdir as it is, except where a test makes it fail.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return { ...actual, readdir: vi.fn(actual.readdir) };
});

const FIXTURE = join(import.meta.dirname, '../fixtures/cgroup2/docker-cgroupfs/lim');

const hosts: FakeHost[] = [];
afterAll(() => {
  for (const host of hosts) host.cleanup();
});

/** A v2 fake host with /proc/stat and /proc/meminfo, which every sample reads beside the cgroup files. */
function fakeHost(): FakeHost {
  const host = new FakeHost('v2');
  hosts.push(host);
  writeFileSync(join(host.procRoot, 'stat'), 'cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 100 0 50 1000 0 0 0 0 0 0\n');
  writeFileSync(join(host.procRoot, 'meminfo'), 'MemTotal:        8000000 kB\nMemFree:         4000000 kB\n');
  return host;
}

/** The fixture's interface files (not its cgroup.procs) in the cgroup's directory of the fake host. */
function copyFixtureFiles(host: FakeHost, cgroupPath: string): void {
  for (const name of readdirSync(FIXTURE)) {
    if (name.startsWith('_') || name === 'cgroup.procs') continue;
    copyFileSync(join(FIXTURE, name), join(host.hierarchy(cgroupPath), name));
  }
}

/** Runs the command with stdout and stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function hostArgs(host: FakeHost): string[] {
  return ['--proc-root', host.procRoot, '--sys-root', host.sysRoot];
}

describe('ctrstat NAME for a machine whose id is its name (LXC)', () => {
  it('follows it through the sweeps and prints its stats', async () => {
    const host = fakeHost();
    host.addContainerProcess('/lxc.payload.web', 301);
    copyFixtureFiles(host, 'lxc.payload.web');
    const result = await run(['--json', '--no-stream', '--no-network', '--interval', '0.05', ...hostArgs(host), 'web']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.OK);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0].stats).toMatchObject({
      id: 'web',
      name: 'web',
      runtime: 'lxc',
      pid: 301,
      cgroup: { path: '/lxc.payload.web' },
    });
    expect(lines[0].stats.memory.usage).toBe(43520000);
  });
});

describe('ctrstat --containerd-root (an agent in a container, the host state mounted elsewhere)', () => {
  it('names a containerd container from the task state found there, and without it finds none by that name', async () => {
    const host = fakeHost();
    host.containerdTask('default', 'web1', {
      cgroupsPath: '/default/web1',
      annotations: { 'com.example.team': 'blue' },
    });
    host.addContainerProcess('/default/web1', 401);
    copyFixtureFiles(host, 'default/web1');
    const args = ['--json', '--no-stream', '--no-network', '--interval', '0.05', ...hostArgs(host)];
    const found = await run([...args, '--containerd-root', host.containerdRoot, 'web1']);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(EXIT.OK);
    expect(JSON.parse(found.stdout).stats).toMatchObject({
      id: 'web1',
      name: 'web1',
      runtime: 'containerd',
      containerdNamespace: 'default',
      labels: { 'com.example.team': 'blue' },
      pid: 401,
    });
    // The default roots are this machine's, where no such task is.
    const missed = await run([...args, 'web1']);
    expect(missed.code).toBe(EXIT.FAILURE);
    expect(missed.stderr).toMatch(/No such container: web1/);
  });
});

describe('ctrstat --cgroup PARENT', () => {
  afterEach(() => vi.mocked(readdir).mockReset());

  it('a parent removed between its resolution and its listing is not found, by name', async () => {
    const host = fakeHost();
    host.addCgroup('/parent');
    host.addCgroup('/parent/child');
    const parentDir = host.hierarchy('parent');
    const actual = await vi.importActual<typeof FsPromises>('node:fs/promises');
    vi.mocked(readdir).mockImplementation(((path: string, options: never) => {
      if (path !== parentDir) return actual.readdir(path, options);
      return Promise.reject(
        Object.assign(new Error(`ENOENT: no such file or directory, scandir '${path}'`), {
          code: 'ENOENT',
          errno: -2,
          syscall: 'scandir',
          path,
        }),
      );
    }) as typeof actual.readdir);
    const result = await run(['--no-stream', '--no-network', ...hostArgs(host), '--cgroup', '/parent']);
    expect(result.code).toBe(EXIT.FAILURE);
    expect(result.stderr).toBe('ctrstat: No such container: /parent (the cgroup was removed)\n');
  });
});
