// containerd for tests, through its own command line (ctr, which ships with containerd): Docker's containerd
// unless a standalone one answers. Containers run the locally built busybox image, imported from Docker.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_IMAGE } from './docker.js';

const execFileAsync = promisify(execFile);

/** The image as containerd names it after the import. */
export const CTR_IMAGE = 'docker.io/library/bb:local';

export function containerdSocket(): string {
  if (process.env.CTRSTAT_CONTAINERD_SOCKET) return process.env.CTRSTAT_CONTAINERD_SOCKET;
  return existsSync('/run/containerd/containerd.sock')
    ? '/run/containerd/containerd.sock'
    : '/var/run/docker/containerd/containerd.sock';
}

export async function ctr(namespace: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ctr', ['-a', containerdSocket(), '-n', namespace, ...args], {
    timeout: 60_000,
  });
  return stdout.trim();
}

/** Imports the Docker test image into a containerd namespace (a no-op when it is there). */
export async function importTestImage(namespace: string): Promise<void> {
  if ((await ctr(namespace, ['images', 'ls', '-q'])).split('\n').includes(CTR_IMAGE)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ctr-image-'));
  try {
    const tar = join(dir, 'image.tar');
    await execFileAsync('docker', ['save', '-o', tar, TEST_IMAGE], { timeout: 60_000 });
    await ctr(namespace, ['images', 'import', '--base-name', 'docker.io/library/bb', tar]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PID of a task, once it runs. */
export async function taskPid(namespace: string, id: string): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const line = (await ctr(namespace, ['tasks', 'ls'])).split('\n').find((row) => row.split(/\s+/)[0] === id);
    const [, pid, status] = line?.split(/\s+/) ?? [];
    if (status === 'RUNNING' && Number(pid) > 0) return Number(pid);
    if (Date.now() > deadline) throw new Error(`task ${namespace}/${id} is not running: ${line ?? 'not listed'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills and deletes a task and its container; fine when they are gone already. */
export async function removeContainer(namespace: string, id: string): Promise<void> {
  await ctr(namespace, ['tasks', 'kill', '-s', 'SIGKILL', id]).catch(() => {});
  // The task is deleted once it has exited.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      await ctr(namespace, ['tasks', 'delete', id]);
      break;
    } catch (err) {
      if (/not found/.test(String((err as { stderr?: string }).stderr ?? err))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await ctr(namespace, ['containers', 'delete', id]).catch(() => {});
}
