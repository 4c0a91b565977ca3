// A small Docker Engine client for tests: the HTTP API over the unix socket (node:http, no
// dependency) for reading, the docker CLI for `run`, whose flag parsing the tests rely on.
//
//   const containers = withContainers('ctrstat-net-');
//   afterAll(() => containers.removeAll());
//   await ensureTestImage();
//   const { id, pid } = await containers.run(['--name', containers.name('a'), 'bb:local', 'sleep', '300']);
//   const reference = await statsOneShot(id);
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const TEST_IMAGE = 'bb:local';

function socketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

export class DockerApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(`Docker API ${method} ${path}: HTTP ${status} ${detail}`);
    this.name = 'DockerApiError';
  }
}

/** One Engine API call; the JSON answer parsed, or undefined for an empty body (204). */
export function dockerApi<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = request(
      {
        socketPath: socketPath(),
        method,
        path,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            let message = text.trim();
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
              /* plain text */
            }
            reject(new DockerApiError(method, path, status, message));
            return;
          }
          try {
            resolve((text === '' ? undefined : JSON.parse(text)) as T);
          } catch (err) {
            reject(
              new Error(`Docker API ${method} ${path}: answer is not JSON: ${text.slice(0, 200)}`, { cause: err }),
            );
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The parts of GET /containers/{id}/json the tests use; the rest is still there, untyped. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Pid: number; StartedAt: string };
  HostConfig: { NetworkMode: string; CgroupParent: string; Memory: number; NanoCpus: number; [key: string]: unknown };
  [key: string]: unknown;
}

export function inspect(id: string): Promise<ContainerInspect> {
  return dockerApi<ContainerInspect>('GET', `/containers/${encodeURIComponent(id)}/json`);
}

/** GET /containers/{id}/stats, as the engine computes it (field set differs between cgroup v1 and v2). */
export interface DockerStats {
  read: string;
  preread: string;
  id: string;
  name: string;
  cpu_stats: {
    cpu_usage: { total_usage: number; usage_in_kernelmode: number; usage_in_usermode: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
    throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
  };
  precpu_stats: DockerStats['cpu_stats'];
  memory_stats: {
    usage?: number;
    max_usage?: number;
    limit?: number;
    failcnt?: number;
    stats?: Record<string, number>;
  };
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<string, Array<{ major: number; minor: number; op: string; value: number }> | null>;
  networks?: Record<string, Record<string, number>>;
  [key: string]: unknown;
}

/** One sample without the engine's second read: precpu_stats is empty, answers fast. */
export function statsOneShot(id: string): Promise<DockerStats> {
  return dockerApi<DockerStats>('GET', `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`);
}

/** One sample with precpu_stats filled: the engine reads twice about a second apart (what `docker stats` shows). */
export function statsStreamFalse(id: string): Promise<DockerStats> {
  return dockerApi<DockerStats>('GET', `/containers/${encodeURIComponent(id)}/stats?stream=false`);
}

export interface RunningContainer {
  id: string;
  /** The container's init process in the host PID namespace. */
  pid: number;
}

/** `docker run -d <args>`; resolves once the container runs. */
export async function runContainer(args: string[]): Promise<RunningContainer> {
  const { stdout } = await execFileAsync('docker', ['run', '-d', ...args], { timeout: 60_000 });
  const id = stdout.trim().split('\n').pop() ?? '';
  const state = (await inspect(id)).State;
  if (!state.Running || state.Pid <= 0) throw new Error(`container ${id} is not running (status ${state.Status})`);
  return { id, pid: state.Pid };
}

/** Force-removes every container whose name starts with prefix (with its anonymous volumes). */
export async function removeContainers(prefix: string): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ name: [prefix] }));
  // The name filter matches anywhere in the name; keep only true prefixes.
  const listed = await dockerApi<Array<{ Id: string; Names: string[] }>>(
    'GET',
    `/containers/json?all=1&filters=${filters}`,
  );
  const owned = listed.filter((c) => c.Names.some((name) => name.replace(/^\//, '').startsWith(prefix)));
  await Promise.all(owned.map((c) => removeContainer(c.Id)));
}

async function removeContainer(id: string): Promise<void> {
  try {
    await dockerApi('DELETE', `/containers/${encodeURIComponent(id)}?force=1&v=1`);
  } catch (err) {
    // Already gone (removed by the test itself, or --rm).
    if (!(err instanceof DockerApiError && err.status === 404)) throw err;
  }
}

/** Builds the busybox image the tests run locally (nothing downloaded); a no-op when it exists. */
export async function ensureTestImage(tag: string = TEST_IMAGE): Promise<string> {
  const script = fileURLToPath(new URL('../../scripts/docker-test-image.sh', import.meta.url));
  await execFileAsync('bash', [script, tag], { timeout: 120_000 });
  return tag;
}

export interface ContainerSet {
  /** A container name under the set's prefix and run token ("ctm-cli-" -> "ctm-cli-3f9a-small"). */
  name(suffix: string): string;
  /** Runs a container and remembers it for removeAll. */
  run(args: string[]): Promise<RunningContainer>;
  /** Force-removes one container this set started. */
  remove(id: string): Promise<void>;
  /** Removes what run started, and anything else named under prefix and token (a run that failed half-way). */
  removeAll(): Promise<void>;
}

export function withContainers(prefix: string): ContainerSet {
  // Two runs of the same file (two checkouts, one engine) must never remove each other's containers.
  const owned = `${prefix}${randomBytes(2).toString('hex')}-`;
  const started = new Set<string>();
  return {
    name: (suffix) => `${owned}${suffix}`,
    async run(args) {
      const container = await runContainer(args);
      started.add(container.id);
      return container;
    },
    async remove(id) {
      if (!started.has(id)) throw new Error(`container ${id} was not started by this set`);
      await removeContainer(id);
      started.delete(id);
    },
    async removeAll() {
      await Promise.all([...started].map(removeContainer));
      started.clear();
      await removeContainers(owned);
    },
  };
}
