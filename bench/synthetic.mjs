// Synthetic containers for the scale runs: cgroups <controller>/ctb-bench/ctb-<i> with one sleeping
// process each in its own network namespace, made and removed by bench/spawn.c. They are handed to
// the sampler as ResolvedContainer objects built here (runtime "cgroup"), so discovery never lists
// them as containers of any runtime.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PREFIX, compileC, nowMs, sleep } from './util.mjs';

export const CGROUP_ROOT = '/sys/fs/cgroup';
export const GROUP = `${PREFIX}-bench`;
const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids', 'cpuset'];

/** The controllers to make cgroups in on this host, keyed as CgroupDirs, or why it cannot be done. */
export function syntheticLayout() {
  if (existsSync(`${CGROUP_ROOT}/cgroup.controllers`)) {
    return { version: 2, mounts: { unified: CGROUP_ROOT } };
  }
  const mounts = {};
  for (const controller of V1_CONTROLLERS) {
    if (existsSync(`${CGROUP_ROOT}/${controller}/cgroup.procs`)) mounts[controller] = `${CGROUP_ROOT}/${controller}`;
  }
  for (const required of ['memory', 'cpu', 'cpuacct', 'blkio', 'pids']) {
    if (!mounts[required]) return { error: `no v1 ${required} hierarchy at ${CGROUP_ROOT}/${required}` };
  }
  if (existsSync(`${CGROUP_ROOT}/unified/cgroup.procs`)) mounts.unified = `${CGROUP_ROOT}/unified`;
  return { version: 1, mounts };
}

export class SyntheticContainers {
  #child = null;
  #lines = null;
  #waiters = [];
  #pending = [];
  pids = [];
  setupMs = 0;
  teardownMs = null;

  constructor(layout) {
    this.layout = layout;
  }

  start() {
    const binary = compileC('spawn');
    // Controllers named relative to the cgroup root: "memory", ..., "unified"; on v2 "." is the root.
    const controllers = Object.keys(this.layout.mounts).map((k) => (this.layout.version === 2 ? '.' : k));
    this.#child = spawn(binary, [CGROUP_ROOT, GROUP, ...controllers], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child.on('error', () => {});
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => {
      if (line.startsWith('pid ')) {
        const [, index, pid] = line.split(' ');
        this.pids[Number(index)] = Number(pid);
        return;
      }
      const waiter = this.#waiters.shift();
      if (waiter) waiter(line);
      else this.#pending.push(line);
    });
  }

  #next() {
    if (this.#pending.length) return Promise.resolve(this.#pending.shift());
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Grows to n containers; resolves with the ms it took. */
  async up(n) {
    const t0 = nowMs();
    this.#child.stdin.write(`up ${n}\n`);
    const line = await this.#next();
    if (!line.startsWith('up ')) throw new Error(`synthetic containers: ${line}`);
    const ms = nowMs() - t0;
    this.setupMs += ms;
    return ms;
  }

  async down() {
    if (!this.#child) return;
    const child = this.#child;
    this.#child = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) {
      child.stdin.end('down\n');
      const line = await Promise.race([this.#next(), sleep(120_000).then(() => 'timeout')]);
      const match = /^down ([\d.]+) (\d+)/.exec(line);
      if (match) this.teardownMs = Number(match[1]);
    }
    await Promise.race([exited, sleep(5000)]);
  }

  /** ResolvedContainer objects (lib/discovery/types.ts) for the first n. */
  targets(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const rel = `/${GROUP}/ctb-${i}`;
      const dir = (key) => (this.layout.mounts[key] ? `${this.layout.mounts[key]}${rel}` : null);
      const dirs =
        this.layout.version === 2
          ? {
              memory: dir('unified'),
              cpu: dir('unified'),
              cpuacct: dir('unified'),
              blkio: dir('unified'),
              pids: dir('unified'),
              cpuset: dir('unified'),
              unified: dir('unified'),
            }
          : {
              memory: dir('memory'),
              cpu: dir('cpu'),
              cpuacct: dir('cpuacct'),
              blkio: dir('blkio'),
              pids: dir('pids'),
              cpuset: dir('cpuset'),
              unified: dir('unified'),
            };
      out.push({
        id: rel,
        name: `ctb-${i}`,
        runtime: 'cgroup',
        cgroup: { version: this.layout.version, path: rel },
        pid: this.pids[i] ?? null,
        netnsInode: null,
        sandbox: false,
        podUid: null,
        version: this.layout.version,
        dirs,
      });
    }
    return out;
  }
}

/**
 * Removes leftovers of an interrupted run: kills the processes in ctb-bench cgroups and removes the
 * directories. Returns how many processes and directories were found.
 */
export async function cleanupSynthetic() {
  const roots = [];
  if (existsSync(`${CGROUP_ROOT}/cgroup.controllers`)) roots.push(`${CGROUP_ROOT}/${GROUP}`);
  else {
    for (const entry of readdirSync(CGROUP_ROOT)) roots.push(`${CGROUP_ROOT}/${entry}/${GROUP}`);
  }
  const present = roots.filter((r) => existsSync(r));
  let killed = 0;
  let dirs = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    let alive = 0;
    for (const root of present) {
      if (!existsSync(root)) continue;
      for (const entry of readdirSync(root, { withFileTypes: true })) {
        if (!entry.isDirectory() || !entry.name.startsWith('ctb-')) continue;
        let procs = [];
        try {
          procs = readFileSync(`${root}/${entry.name}/cgroup.procs`, 'utf8').split('\n').filter(Boolean);
        } catch {
          // removed meanwhile
        }
        for (const pid of procs) {
          alive++;
          try {
            process.kill(Number(pid), 'SIGKILL');
            if (attempt === 0) killed++;
          } catch {
            // already gone
          }
        }
      }
    }
    if (alive === 0) break;
    await sleep(100);
  }
  for (const root of present) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || !entry.name.startsWith('ctb-')) continue;
      try {
        rmdirSync(`${root}/${entry.name}`);
        dirs++;
      } catch {
        // still busy; reported by the caller through a second cleanup
      }
    }
    try {
      rmdirSync(root);
      dirs++;
    } catch {
      // not empty
    }
  }
  return { processes: killed, directories: dirs };
}
