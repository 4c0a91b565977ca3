// Docker's own ways to get the same numbers: the Engine API over the socket (node:http, dockerode,
// systeminformation), and the daemons' CPU time spent answering.
import http from 'node:http';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { PREFIX, daemonCpuSnapshot, daemonCpuDelta, median, nowMs, repoDir, sleep } from './util.mjs';

const run = promisify(execFile);
export const SOCKET = '/var/run/docker.sock';
export const IMAGE = 'bb:local';
export const CONTAINER_PREFIX = `${PREFIX}-`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function dockerRequest(path, { method = 'GET', timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: SOCKET, path, method, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 400)
          return reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          resolve(body.length && res.headers['content-type']?.includes('json') ? JSON.parse(body) : body);
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Why Docker cannot be used, or null when the daemon answers. */
export async function dockerUnavailable() {
  if (!existsSync(SOCKET)) return `${SOCKET} does not exist (dockerd not running)`;
  try {
    await dockerRequest('/_ping', { timeoutMs: 5000 });
    return null;
  } catch (err) {
    return `dockerd does not answer on ${SOCKET}: ${err.message}`;
  }
}

export async function dockerVersion() {
  try {
    const v = await dockerRequest('/version', { timeoutMs: 5000 });
    return { version: v.Version, apiVersion: v.ApiVersion };
  } catch {
    return null;
  }
}

async function ensureImage() {
  try {
    await run('docker', ['image', 'inspect', IMAGE]);
  } catch {
    await run('bash', [join(repoDir, 'scripts/docker-test-image.sh'), IMAGE], { timeout: 120_000 });
  }
}

/** Starts n busybox containers named <prefix>-bench-<i> (default bridge network: lo + a veth eth0). */
export async function startContainers(n) {
  await ensureImage();
  const ids = [];
  for (let i = 0; i < n; i++) {
    const { stdout } = await run(
      'docker',
      ['run', '-d', '--name', `${CONTAINER_PREFIX}bench-${i}`, '--label', 'ctb.bench=1', IMAGE, 'sleep', '3600'],
      {
        timeout: 60_000,
      },
    );
    ids.push(stdout.trim());
  }
  return ids;
}

/** Removes every container whose name starts with <prefix>- (this run's and leftovers). Returns how many. */
export async function removeContainers() {
  let names;
  try {
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `name=^/${CONTAINER_PREFIX}`], {
      timeout: 30_000,
    });
    names = stdout.split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  if (names.length) await run('docker', ['rm', '-f', ...names], { timeout: 120_000 }).catch(() => {});
  return names.length;
}

/**
 * The ways to get one container's stats from Docker. Each returns a check that the answer has the
 * numbers (memory and CPU), so a failed call is not timed as a fast one.
 */
export async function dockerMethods() {
  const methods = [
    {
      key: 'httpStreamFalse',
      label: 'Engine API `stats?stream=false` (node:http)',
      one: async (id) => check(await dockerRequest(`/containers/${id}/stats?stream=false`)),
    },
    {
      key: 'httpOneShot',
      label: 'Engine API `stats?stream=false&one-shot=true` (node:http)',
      one: async (id) => check(await dockerRequest(`/containers/${id}/stats?stream=false&one-shot=true`)),
    },
  ];
  try {
    const { default: Docker } = await import('dockerode');
    const docker = new Docker({ socketPath: SOCKET });
    methods.push({
      key: 'dockerode',
      label: 'dockerode `container.stats({ stream: false })`',
      one: async (id) => check(await docker.getContainer(id).stats({ stream: false })),
    });
  } catch (err) {
    methods.push({ key: 'dockerode', label: 'dockerode', unavailable: `cannot import dockerode: ${err.message}` });
  }
  try {
    const si = (await import('systeminformation')).default;
    methods.push({
      key: 'systeminformation',
      label: 'systeminformation `dockerContainerStats(ids)`',
      one: async (id) => checkSi(await si.dockerContainerStats(id)),
      all: async (ids) => checkSi(await si.dockerContainerStats(ids.join(','))),
    });
  } catch (err) {
    methods.push({
      key: 'systeminformation',
      label: 'systeminformation',
      unavailable: `cannot import systeminformation: ${err.message}`,
    });
  }
  return methods;
}

function check(stats) {
  if (!stats || typeof stats !== 'object' || !stats.memory_stats || !stats.cpu_stats?.cpu_usage) {
    throw new Error(`unexpected stats answer: ${JSON.stringify(stats).slice(0, 200)}`);
  }
  return stats;
}

function checkSi(list) {
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => !s || !s.memUsage)) {
    throw new Error(`systeminformation returned no stats: ${JSON.stringify(list).slice(0, 200)}`);
  }
  return list;
}

/** dockerd + containerd + shims CPU ms per second while nobody asks them anything. */
export async function daemonIdleRate(windowMs) {
  const before = daemonCpuSnapshot();
  const t0 = nowMs();
  await sleep(windowMs);
  return daemonCpuDelta(before, daemonCpuSnapshot()) / ((nowMs() - t0) / 1000);
}

/**
 * Latency of one container's stats (each container in turn, `rounds` times) and of all containers
 * at once (concurrent requests, or the library's own batch call), plus the daemons' CPU time during
 * the sequential part, per container-sample.
 */
export async function measureDockerMethod(method, ids, rounds, idleRateMsPerS) {
  if (method.unavailable) return { key: method.key, label: method.label, unavailable: method.unavailable };
  const single = [];
  const all = [];
  const result = { key: method.key, label: method.label };
  try {
    // Warm-up: connection, first-call costs inside the daemon.
    await method.one(ids[0]);
    const before = daemonCpuSnapshot();
    const t0 = nowMs();
    for (let r = 0; r < rounds; r++) {
      for (const id of ids) {
        const start = nowMs();
        await method.one(id);
        single.push(nowMs() - start);
      }
    }
    const elapsedMs = nowMs() - t0;
    const rawCpuMs = daemonCpuDelta(before, daemonCpuSnapshot());
    const samples = rounds * ids.length;
    result.singleMs = median(single);
    result.singleSamples = single.length;
    result.daemonCpuMsPerSample = rawCpuMs / samples;
    result.daemonCpuMsPerSampleNet = Math.max(0, rawCpuMs - idleRateMsPerS * (elapsedMs / 1000)) / samples;
    result.daemonCpuWindowMs = elapsedMs;
    for (let r = 0; r < rounds; r++) {
      const start = nowMs();
      if (method.all) await method.all(ids);
      else await Promise.all(ids.map((id) => method.one(id)));
      all.push(nowMs() - start);
    }
    result.allMs = median(all);
    result.allPerContainerMs = result.allMs / ids.length;
  } catch (err) {
    result.error = err.message;
  }
  return result;
}
