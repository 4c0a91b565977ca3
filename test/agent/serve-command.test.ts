// The built `ctrstat serve` command: on the host (URL printed, clean exit on SIGTERM and SIGINT, the
// non-loopback refusal, a token file), and inside a container with the host's /proc and /sys mounted,
// the way agents are deployed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readContainerStats } from '../../lib/index.js';
import { execFileAsync, freePort, httpRequest, parseExposition, pollUntil, select } from '../helpers/agent.js';
import { ensureTestImage, inspect, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireDocker, requireRoot } from '../helpers/env.js';

const ready = requireRoot() && requireDocker();
const repo = join(import.meta.dirname, '../..');
const cli = join(repo, 'dist/cli.js');
const TOKEN = 'serve-command-token-0123456789';

interface Started {
  url: string;
  /** Every line printed on stdout so far. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `ctrstat serve`; resolves once it printed the URL it serves on. */
function serve(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return new Promise((resolve, reject) => {
    const printed: string[] = [];
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => printed.push(line));
    lines.once('line', (line) => {
      const url = /(http:\/\/\S+)/.exec(line)?.[1];
      if (url === undefined) reject(new Error(`unexpected first line: ${line}`));
      else resolve({ url, lines: printed, exited, kill: (signal) => child.kill(signal) });
    });
    void exited.then(({ code }) =>
      reject(new Error(`ctrstat serve exited with ${code} before printing a URL: ${stderr}`)),
    );
  });
}

async function healthy(url: string, headers?: Record<string, string>): Promise<void> {
  await pollUntil(
    async () => ((await httpRequest(`${url}healthz`, { headers })).status === 200 ? true : undefined),
    30_000,
    'healthz 200',
  );
}

describe.skipIf(!ready)('ctrstat serve', () => {
  const containers = withContainers('ctm-agent-serve-');
  let dir: string;

  beforeAll(async () => {
    await ensureTestImage();
    dir = mkdtempSync(join(tmpdir(), 'ctrstat-serve-'));
  });

  afterAll(async () => {
    await containers.removeAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL, serves, and exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const started = await serve(['--listen', '127.0.0.1:0', '--interval', '0.5']);
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      await healthy(started.url);
      expect(started.lines[1]).toBe(`Dashboard: ${started.url}`);
      started.kill(signal);
      const { code, signal: killedBy } = await started.exited;
      expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
    }
  });

  it('refuses a non-loopback address without a token in one line (exit 2); serves it with a token file', async () => {
    const env = { ...process.env };
    delete env.CTRSTAT_TOKEN;
    const refused = spawn(process.execPath, [cli, 'serve', '--listen', '0.0.0.0:0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    refused.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(
      /^ctrstat: Invalid option listen: refusing to serve on 0\.0\.0\.0.*without a token.*--insecure/,
    );

    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const started = await serve(['--listen', '0.0.0.0:0', '--token-file', tokenFile], env);
    const local = started.url.replace('0.0.0.0', '127.0.0.1');
    expect((await httpRequest(`${local}metrics`)).status).toBe(401);
    await healthy(local, { authorization: `Bearer ${TOKEN}` });
    // The way to open the dashboard, and never the token itself (it would end up in logs).
    expect(started.lines[1]).toMatch(/^Dashboard: http:\/\/0\.0\.0\.0:\d+\/\?token=<token> /);
    expect(started.lines.join('\n')).not.toContain(TOKEN);
    started.kill('SIGTERM');
    expect((await started.exited).code).toBe(0);

    // The environment variable works the same way.
    const fromEnv = await serve(['--listen', '0.0.0.0:0'], { ...env, CTRSTAT_TOKEN: TOKEN });
    await healthy(fromEnv.url.replace('0.0.0.0', '127.0.0.1'), { authorization: `Bearer ${TOKEN}` });
    fromEnv.kill('SIGTERM');
    expect((await fromEnv.exited).code).toBe(0);
  });

  it("runs in a container with the host's /proc and /sys mounted and sees the host's containers", async () => {
    const targetName = containers.name('target');
    const target = await containers.run(['--name', targetName, '--memory', '48m', TEST_IMAGE, 'sleep', '3600']);
    const stats = await readContainerStats(target.id);
    const port = await freePort();
    // Host network so that the test reaches it on loopback; its own cgroup and PID namespaces.
    const agent = await containers.run([
      '--name',
      containers.name('agent'),
      '--network',
      'host',
      '--cgroupns',
      'private',
      '--cap-add',
      'SYS_ADMIN',
      '--cap-add',
      'SYS_PTRACE',
      '--security-opt',
      'seccomp=unconfined',
      '-v',
      '/usr:/usr:ro',
      '-v',
      '/lib:/lib:ro',
      '-v',
      '/lib64:/lib64:ro',
      '-v',
      `${repo}:${repo}:ro`,
      '-v',
      '/proc:/host/proc:ro',
      '-v',
      '/sys:/host/sys:ro',
      '-v',
      '/var/lib/docker:/host/var/lib/docker:ro',
      TEST_IMAGE,
      '/usr/bin/node',
      cli,
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--interval',
      '0.5',
      '--proc-root',
      '/host/proc',
      '--sys-root',
      '/host/sys',
      '--docker-root',
      '/host/var/lib/docker',
    ]);
    const url = `http://127.0.0.1:${port}/`;
    try {
      await healthy(url);
      const listed = await pollUntil(
        async () => {
          const body = JSON.parse((await httpRequest(`${url}api/v1/containers`)).body) as {
            containers: Array<{ id: string; name: string; pid: number; cgroup: { path: string } }>;
          };
          return body.containers.find((c) => c.id === target.id);
        },
        20_000,
        'target listed by the agent in a container',
      );
      expect(listed).toMatchObject({ name: targetName, pid: target.pid, cgroup: { path: stats.cgroup.path } });
      const mem = JSON.parse((await httpRequest(`${url}containers/${targetName}/mem`)).body) as {
        memory_limit: number;
      };
      expect(mem.memory_limit).toBe(48 * 2 ** 20);
      const metrics = parseExposition((await httpRequest(`${url}metrics`)).body);
      expect(
        select(metrics, 'container_spec_memory_limit_bytes', { id: stats.cgroup.path, name: targetName })[0]?.value,
      ).toBe(48 * 2 ** 20);
      expect(
        select(metrics, 'container_network_receive_bytes_total', { name: targetName, interface: 'eth0' }),
      ).toHaveLength(1);
    } finally {
      // docker stop sends SIGTERM to the agent (PID 1 there): it must exit 0 on its own, before the kill.
      await execFileAsync('docker', ['stop', '--time', '20', agent.id], { timeout: 60_000 });
    }
    const state = (await inspect(agent.id)).State as { ExitCode?: number };
    expect(state.ExitCode).toBe(0);
  });
});
