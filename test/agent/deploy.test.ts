// deploy/: the Kubernetes DaemonSet and the Prometheus scrape configurations stay valid YAML with the
// shape they are documented with; the plain scrape configuration passes promtool.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseServeCommandLine } from '../../lib/cli/serve-args.js';
import type { HostOptions } from '../../lib/types.js';
import { execFileAsync } from '../helpers/agent.js';
import { requireCommand } from '../helpers/env.js';

const deploy = join(import.meta.dirname, '../../deploy');

function documents(file: string): unknown[] {
  const parsed = parseAllDocuments(readFileSync(join(deploy, file), 'utf8'));
  for (const doc of parsed) expect(doc.errors, file).toEqual([]);
  return parsed.map((doc) => doc.toJS() as unknown);
}

interface DaemonSet {
  kind: string;
  spec: {
    template: {
      spec: {
        containers: Array<{
          command: string[];
          args: string[];
          env: Array<{ name: string }>;
          volumeMounts: Array<{ name: string; mountPath: string; readOnly: boolean }>;
        }>;
        volumes: Array<{ name: string; hostPath: { path: string } }>;
      };
    };
  };
}

describe('deploy/', () => {
  it("the DaemonSet runs `ctrstat serve` with the host's /proc and /sys read-only and a token", () => {
    const daemonSet = documents('kubernetes-daemonset.yaml').find(
      (doc) => (doc as DaemonSet).kind === 'DaemonSet',
    ) as DaemonSet;
    const container = daemonSet.spec.template.spec.containers[0]!;
    expect(container.command.at(-1)).toBe('serve');
    // The arguments are ones the command takes.
    const parsed = parseServeCommandLine(container.args);
    expect(parsed).toMatchObject({
      kind: 'serve',
      options: { host: { procRoot: '/host/proc', sysRoot: '/host/sys' }, listen: '0.0.0.0:4244' },
    });
    expect(container.env.map((e) => e.name)).toContain('CTRSTAT_TOKEN');
    const hostPaths = Object.fromEntries(daemonSet.spec.template.spec.volumes.map((v) => [v.hostPath.path, v.name]));
    expect(hostPaths).toMatchObject({ '/proc': 'proc', '/sys': 'sys' });
    for (const mount of container.volumeMounts) expect(mount.readOnly, mount.mountPath).toBe(true);
    // Every root given is the host's own directory, mounted at /host + its path: names come from the
    // kubelet's containerd and from CRI-O as well as from Docker.
    const { host } = (parsed as { options: { host: HostOptions } }).options;
    expect(host.containerdRoots).toContain('/host/run/containerd/io.containerd.runtime.v2.task');
    expect(host.podmanRoots).toContain('/host/run/containers/storage');
    const roots = [
      host.procRoot,
      host.sysRoot,
      host.dockerRoot,
      ...(host.containerdRoots ?? []),
      ...(host.podmanRoots ?? []),
    ];
    const hostPathOf = new Map(daemonSet.spec.template.spec.volumes.map((v) => [v.name, v.hostPath.path]));
    for (const root of roots) {
      const mount = container.volumeMounts.find((m) => root === m.mountPath || root!.startsWith(`${m.mountPath}/`));
      expect(mount, `${root} is mounted`).toBeDefined();
      expect(`/host${hostPathOf.get(mount!.name)}`, root).toBe(mount!.mountPath);
    }
  });

  it('the Kubernetes scrape job is valid YAML with a bearer token file', () => {
    const [config] = documents('prometheus-kubernetes.yml') as Array<{
      scrape_configs: Array<{ authorization: { credentials_file: string } }>;
    }>;
    expect(config!.scrape_configs[0]!.authorization.credentials_file).toMatch(/^\//);
  });

  it.skipIf(!requireCommand('promtool'))('the scrape configuration passes promtool check config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctrstat-deploy-'));
    try {
      // promtool checks that the token file exists: point it at one.
      const token = join(dir, 'token');
      writeFileSync(token, 'x'.repeat(32));
      const config = readFileSync(join(deploy, 'prometheus.yml'), 'utf8').replace(
        /credentials_file: .*/g,
        `credentials_file: ${token}`,
      );
      writeFileSync(join(dir, 'prometheus.yml'), config);
      await execFileAsync('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
