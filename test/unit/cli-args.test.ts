import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../lib/cli/args.js';
import { UsageError } from '../../lib/cli/usage.js';

describe('parseCommandLine', () => {
  it('has docker-stats-like defaults', () => {
    expect(parseCommandLine([])).toEqual({
      kind: 'run',
      options: {
        refs: [],
        cgroup: null,
        sort: 'name',
        stream: true,
        json: false,
        intervalSeconds: 1,
        includeSandboxes: false,
        network: true,
        host: {
          procRoot: undefined,
          sysRoot: undefined,
          dockerRoot: undefined,
          containerdRoots: undefined,
          podmanRoots: undefined,
        },
      },
    });
  });

  it('reads every option', () => {
    const command = parseCommandLine([
      'web',
      'db',
      '--sort',
      'cpu',
      '--no-stream',
      '--json',
      '--interval',
      '0.5',
      '--all',
      '--no-network',
      '--proc-root',
      '/host/proc',
      '--sys-root',
      '/host/sys',
      '--docker-root',
      '/host/var/lib/docker',
      '--containerd-root',
      '/host/run/containerd/io.containerd.runtime.v2.task',
      '--containerd-root',
      '/host/run/docker/containerd/daemon/io.containerd.runtime.v2.task',
      '--podman-root',
      '/host/var/lib/containers/storage',
    ]);
    expect(command).toEqual({
      kind: 'run',
      options: {
        refs: ['web', 'db'],
        cgroup: null,
        sort: 'cpu',
        stream: false,
        json: true,
        intervalSeconds: 0.5,
        includeSandboxes: true,
        network: false,
        host: {
          procRoot: '/host/proc',
          sysRoot: '/host/sys',
          dockerRoot: '/host/var/lib/docker',
          containerdRoots: [
            '/host/run/containerd/io.containerd.runtime.v2.task',
            '/host/run/docker/containerd/daemon/io.containerd.runtime.v2.task',
          ],
          podmanRoots: ['/host/var/lib/containers/storage'],
        },
      },
    });
  });

  it('help and version win', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h', 'web'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });

  it('takes --cgroup alone, normalized as a { cgroup } reference is', () => {
    const command = parseCommandLine(['--cgroup', '/system.slice']);
    expect(command.kind === 'run' && command.options.cgroup).toBe('/system.slice');
    const untidy = parseCommandLine(['--cgroup', '//system.slice/./docker.service/']);
    expect(untidy.kind === 'run' && untidy.options.cgroup).toBe('/system.slice/docker.service');
  });

  it.each([
    [['--bogus'], /bogus/],
    [['--sort', 'size'], /--sort must be one of cpu, mem, net, io, pids, name/],
    [['--interval', '0'], /--interval must be a positive number/],
    [['--interval', 'soon'], /--interval/],
    [['--interval', ''], /--interval/],
    [['--interval'], /interval/],
    [['--cgroup', 'system.slice'], /absolute cgroup path/],
    [['--cgroup', '/system.slice/../etc'], /may not contain "\.\." segments/],
    [['--cgroup', '/a\x01b'], /control characters/],
    [['--cgroup', '/system.slice', 'web'], /no CONTAINER arguments/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
