// Workloads the live cgroup v2 tests observe: plain cgroups driven by hand, Docker containers and
// a Podman container, each under load (CPU throttling, memory over memory.high with swap in use,
// direct I/O, a pid limit, network traffic). global-setup.ts starts them once per VM boot and
// hands their descriptions to the test files; nothing here depends on lib/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import {
  cgroupDir,
  cgroupProcs,
  dockerInspect,
  majorMinorOf,
  MiB,
  procCgroup,
  readIoStat,
  readValue,
  readFlat,
  run,
  waitFor,
} from './helpers.js';

export type Driver = 'cgroupfs' | 'systemd';

export interface PlainScenario {
  kind: 'cgroup';
  /** Cgroup path relative to the hierarchy root, "/ctrstat-v2.slice/cpu". */
  cgroup: string;
  dir: string;
}

export interface ContainerScenario {
  kind: 'docker' | 'podman';
  name: string;
  id: string;
  pid: number;
  cgroup: string;
  dir: string;
}

/** Either the started scenario or why it did not start: tests that need it fail with the reason. */
export type Started<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Scenarios {
  driver: Driver;
  /** Set when the VM has dockerd / podman. */
  docker: boolean;
  podman: boolean;
  scratch: { path: string; major: number; minor: number };
  plain: {
    cpu: Started<PlainScenario>;
    memory: Started<PlainScenario>;
    io: Started<PlainScenario>;
    pids: Started<PlainScenario>;
  };
  containers: {
    cpu: Started<ContainerScenario>;
    memory: Started<ContainerScenario>;
    io: Started<ContainerScenario>;
    pids: Started<ContainerScenario>;
    netServer: Started<ContainerScenario>;
    netClient: Started<ContainerScenario>;
    podman: Started<ContainerScenario>;
  };
  /** Seconds each group took to become ready, for the report. */
  timings: Record<string, number>;
}

export const PLAIN_PARENT = '/ctrstat-v2.slice';
export const IMAGE = 'bb:local';
export const PODMAN_IMAGE = 'localhost/bb:local';
export const NAME_PREFIX = 'ctrstat-v2-';
export const NETWORK = 'ctrstat-v2-net';
export const VOLUME = 'ctrstat-v2-io';
const SHM_FILL = '/dev/shm/ctrstat-v2-memory.fill';

/** Limits the scenarios set, which the tests compare with. */
export const LIMITS = {
  plainCpuMax: '50000 100000',
  plainMemoryMax: 64 * MiB,
  plainMemoryHigh: 48 * MiB,
  plainSwapMax: 256 * MiB,
  plainFill: 96 * MiB,
  plainPidsMax: 16,
  plainPidsProcs: 4,
  plainIoWrite: 32 * MiB,
  plainIoRead: 16 * MiB,
  dockerCpus: 0.5,
  dockerMemory: 64 * MiB,
  dockerMemorySwap: 128 * MiB,
  dockerFill: 96 * MiB,
  dockerIoBytes: 32 * MiB,
  dockerPidsLimit: 32,
  dockerPidsProcs: 4,
  podmanMemory: 64 * MiB,
  podmanPidsLimit: 20,
} as const;

export function driverFromEnv(): Driver {
  const driver = process.env.CTRSTAT_V2_DRIVER ?? 'cgroupfs';
  if (driver !== 'cgroupfs' && driver !== 'systemd')
    throw new Error(`CTRSTAT_V2_DRIVER must be cgroupfs or systemd, not ${driver}`);
  return driver;
}

/** podman with the VM's storage (vfs under the default roots) and the boot's cgroup manager. */
export function podmanArgs(driver: Driver, ...args: string[]): string[] {
  return [
    '--storage-driver',
    'vfs',
    '--root',
    '/var/lib/containers/storage',
    '--runroot',
    '/run/containers/storage',
    '--cgroup-manager',
    driver,
    '--events-backend',
    'file',
    ...args,
  ];
}

export const podman = (driver: Driver, ...args: string[]) => run('podman', podmanArgs(driver, ...args));

async function attempt<T>(what: string, start: () => Promise<T>): Promise<Started<T>> {
  try {
    return { ok: true, value: await start() };
  } catch (error) {
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`[scenarios] ${message}`);
    return { ok: false, error: message };
  }
}

// ---------- plain cgroups ----------

/** Starts `sh -c script` detached, moved into dir before it runs anything else. */
function spawnInCgroup(dir: string, script: string): void {
  const child = spawn(
    '/bin/sh',
    ['-c', `echo $$ > ${dir}/cgroup.procs && exec /bin/sh -c '${script.replaceAll("'", "'\\''")}'`],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
}

function makeCgroup(name: string, settings: Record<string, string>): PlainScenario {
  const parent = cgroupDir(PLAIN_PARENT);
  if (!existsSync(parent)) {
    mkdirSync(parent);
    writeFileSync(`${parent}/cgroup.subtree_control`, '+cpuset +cpu +memory +io +pids');
  }
  const cgroup = `${PLAIN_PARENT}/${name}`;
  const dir = cgroupDir(cgroup);
  mkdirSync(dir);
  for (const [file, value] of Object.entries(settings)) writeFileSync(`${dir}/${file}`, value);
  return { kind: 'cgroup', cgroup, dir };
}

async function startPlainCpu(): Promise<PlainScenario> {
  const s = makeCgroup('cpu', { 'cpu.max': LIMITS.plainCpuMax });
  spawnInCgroup(s.dir, 'while :; do :; done');
  await waitFor('plain cpu cgroup throttled', () => (readFlat(s.dir, 'cpu.stat').nr_throttled ?? 0) > 2);
  return s;
}

async function startPlainMemory(): Promise<PlainScenario> {
  const s = makeCgroup('memory', {
    'memory.max': String(LIMITS.plainMemoryMax),
    'memory.high': String(LIMITS.plainMemoryHigh),
    'memory.swap.max': String(LIMITS.plainSwapMax),
  });
  // tmpfs pages are charged to the writer's cgroup and can only leave RAM through swap.
  spawnInCgroup(s.dir, `head -c ${LIMITS.plainFill} /dev/zero > ${SHM_FILL}; exec sleep 100000`);
  await waitFor('plain memory cgroup swapping and settled', () => {
    const swap = readValue(s.dir, 'memory.swap.current') ?? 0;
    return (
      swap >= LIMITS.plainFill - LIMITS.plainMemoryMax &&
      cgroupProcs(s.dir).length === 1 &&
      readIoStat(s.dir).length > 0
    );
  });
  return s;
}

async function startPlainIo(scratch: string): Promise<PlainScenario> {
  const s = makeCgroup('io', {});
  spawnInCgroup(
    s.dir,
    `dd if=/dev/zero of=${scratch} bs=1M count=${LIMITS.plainIoWrite / MiB} oflag=direct 2>/dev/null && ` +
      `dd if=${scratch} of=/dev/null bs=1M count=${LIMITS.plainIoRead / MiB} iflag=direct 2>/dev/null; exec sleep 100000`,
  );
  const { major, minor } = majorMinorOf(scratch);
  await waitFor('plain io cgroup done with its direct I/O', () => {
    const line = readIoStat(s.dir).find((l) => l.major === major && l.minor === minor);
    return (
      line && line.wbytes >= LIMITS.plainIoWrite && line.rbytes >= LIMITS.plainIoRead && cgroupProcs(s.dir).length === 1
    );
  });
  return s;
}

async function startPlainPids(): Promise<PlainScenario> {
  const s = makeCgroup('pids', { 'pids.max': String(LIMITS.plainPidsMax) });
  spawnInCgroup(s.dir, 'sleep 100000 & sleep 100000 & sleep 100000 & exec sleep 100000');
  await waitFor('plain pids cgroup populated', () => readValue(s.dir, 'pids.current') === LIMITS.plainPidsProcs);
  return s;
}

// ---------- containers ----------

async function describeDocker(name: string): Promise<ContainerScenario> {
  const info = await dockerInspect(name);
  if (!info.State.Running) throw new Error(`container ${name} is not running`);
  const cgroup = procCgroup(info.State.Pid);
  return { kind: 'docker', name, id: info.Id, pid: info.State.Pid, cgroup, dir: cgroupDir(cgroup) };
}

async function dockerRun(name: string, args: string[], script: string): Promise<ContainerScenario> {
  await run('docker', ['run', '-d', '--name', name, ...args, IMAGE, 'sh', '-c', script]);
  return describeDocker(name);
}

async function startDockerCpu(): Promise<ContainerScenario> {
  const c = await dockerRun(
    `${NAME_PREFIX}cpu`,
    ['--network', 'none', '--cpus', String(LIMITS.dockerCpus)],
    'while :; do :; done',
  );
  await waitFor('docker cpu container throttled', () => (readFlat(c.dir, 'cpu.stat').nr_throttled ?? 0) > 2);
  return c;
}

async function startDockerMemory(): Promise<ContainerScenario> {
  const c = await dockerRun(
    `${NAME_PREFIX}memory`,
    [
      '--network',
      'none',
      '--memory',
      `${LIMITS.dockerMemory}`,
      '--memory-swap',
      `${LIMITS.dockerMemorySwap}`,
      '--tmpfs',
      '/fill:size=120m',
    ],
    `dd if=/dev/zero of=/fill/blob bs=1M count=${LIMITS.dockerFill / MiB} 2>/dev/null; exec sleep 100000`,
  );
  await waitFor('docker memory container swapping and settled', () => {
    const swap = readValue(c.dir, 'memory.swap.current') ?? 0;
    return swap >= LIMITS.dockerFill - LIMITS.dockerMemory && cgroupProcs(c.dir).length === 1;
  });
  return c;
}

async function startDockerIo(): Promise<ContainerScenario> {
  const mb = LIMITS.dockerIoBytes / MiB;
  const c = await dockerRun(
    `${NAME_PREFIX}io`,
    ['--network', 'none', '-v', `${VOLUME}:/data`],
    `dd if=/dev/zero of=/data/blob bs=1M count=${mb} oflag=direct 2>/dev/null && dd if=/data/blob of=/dev/null bs=1M iflag=direct 2>/dev/null; exec sleep 100000`,
  );
  let previous = '';
  await waitFor(
    'docker io container done with its direct I/O',
    () => {
      const lines = readIoStat(c.dir);
      const written = lines.reduce((sum, l) => sum + l.wbytes, 0);
      const read = lines.reduce((sum, l) => sum + l.rbytes, 0);
      const now = JSON.stringify(lines);
      const stable = now === previous;
      previous = now;
      return (
        written >= LIMITS.dockerIoBytes && read >= LIMITS.dockerIoBytes && cgroupProcs(c.dir).length === 1 && stable
      );
    },
    90_000,
    1000,
  );
  return c;
}

async function startDockerPids(): Promise<ContainerScenario> {
  const c = await dockerRun(
    `${NAME_PREFIX}pids`,
    ['--network', 'none', '--pids-limit', String(LIMITS.dockerPidsLimit)],
    'sleep 100000 & sleep 100000 & sleep 100000 & exec sleep 100000',
  );
  await waitFor('docker pids container populated', () => readValue(c.dir, 'pids.current') === LIMITS.dockerPidsProcs);
  return c;
}

/** Two containers on a user-defined bridge network; the client sends a fixed amount of traffic, then idles. */
async function startNetwork(): Promise<[ContainerScenario, ContainerScenario]> {
  await run('docker', ['network', 'create', NETWORK]);
  const server = await dockerRun(`${NAME_PREFIX}net-server`, ['--network', NETWORK], 'exec sleep 100000');
  const client = await dockerRun(
    `${NAME_PREFIX}net-client`,
    ['--network', NETWORK],
    `ping -c 20 -i 0.1 -s 1000 ${NAME_PREFIX}net-server > /tmp/ping.log 2>&1; touch /tmp/done; exec sleep 100000`,
  );
  // The container's files are visible through its first process: no `docker exec` needed.
  await waitFor(
    'network traffic done',
    () => existsSync(`/proc/${client.pid}/root/tmp/done`) && cgroupProcs(client.dir).length === 1,
    90_000,
    500,
  );
  return [server, client];
}

async function startPodman(driver: Driver): Promise<ContainerScenario> {
  const name = `${NAME_PREFIX}podman`;
  const id = await podman(
    driver,
    'run',
    '-d',
    '--name',
    name,
    '--memory',
    String(LIMITS.podmanMemory),
    '--pids-limit',
    String(LIMITS.podmanPidsLimit),
    PODMAN_IMAGE,
    'sh',
    '-c',
    'sleep 100000 & exec sleep 100000',
  );
  const pid = Number(await podman(driver, 'inspect', '--format', '{{.State.Pid}}', name));
  const cgroup = procCgroup(pid);
  return { kind: 'podman', name, id: id.trim().split('\n').pop()!, pid, cgroup, dir: cgroupDir(cgroup) };
}

// ---------- all of it ----------

export async function startScenarios(): Promise<Scenarios> {
  const driver = driverFromEnv();
  const scratchPath = process.env.CTRSTAT_VM_SCRATCH_DEV;
  if (!scratchPath)
    throw new Error('CTRSTAT_VM_SCRATCH_DEV is not set: run this tier through scripts/cgroup2-vm/run-tests.sh');
  const docker = process.env.CTRSTAT_VM_DOCKER === '1';
  const podmanOn = process.env.CTRSTAT_VM_PODMAN === '1';
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, fn: () => Promise<T>) => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[label] = (Date.now() - t0) / 1000;
    }
  };
  const missing =
    (what: string) =>
    <T>(): Promise<Started<T>> =>
      Promise.resolve({ ok: false, error: `${what} is not available in this VM` });

  cleanupPlain();
  // Memory, I/O and pids first, alongside the container starts; the CPU burners last, as they
  // take a whole emulated CPU between them and slow everything else down.
  const plainMemory = timed('plain memory', () => attempt('plain memory cgroup', startPlainMemory));
  const plainIo = timed('plain io', () => attempt('plain io cgroup', () => startPlainIo(scratchPath)));
  const plainPids = timed('plain pids', () => attempt('plain pids cgroup', startPlainPids));

  const containers = timed('containers', async () => {
    if (!docker) {
      const no = missing('docker');
      return {
        memory: await no<ContainerScenario>(),
        io: await no<ContainerScenario>(),
        pids: await no<ContainerScenario>(),
        net: await no<[ContainerScenario, ContainerScenario]>(),
        podman: podmanOn ? await attempt('podman container', () => startPodman(driver)) : await no<ContainerScenario>(),
      };
    }
    const memory = attempt('docker memory container', startDockerMemory);
    const io = attempt('docker io container', startDockerIo);
    const pids = attempt('docker pids container', startDockerPids);
    const net = attempt('docker network pair', startNetwork);
    const pod = podmanOn
      ? attempt('podman container', () => startPodman(driver))
      : missing('podman')<ContainerScenario>();
    return { memory: await memory, io: await io, pids: await pids, net: await net, podman: await pod };
  });
  const [memory, io, pids, c] = [await plainMemory, await plainIo, await plainPids, await containers];

  const plainCpu = timed('plain cpu', () => attempt('plain cpu cgroup', startPlainCpu));
  const dockerCpu = docker
    ? timed('docker cpu', () => attempt('docker cpu container', startDockerCpu))
    : missing('docker')<ContainerScenario>();

  const net = c.net;
  return {
    driver,
    docker,
    podman: podmanOn,
    scratch: { path: scratchPath, ...majorMinorOf(scratchPath) },
    plain: { cpu: await plainCpu, memory, io, pids },
    containers: {
      cpu: await dockerCpu,
      memory: c.memory,
      io: c.io,
      pids: c.pids,
      netServer: net.ok ? { ok: true, value: net.value[0] } : net,
      netClient: net.ok ? { ok: true, value: net.value[1] } : net,
      podman: c.podman,
    },
    timings,
  };
}

function cleanupPlain(): void {
  const parent = cgroupDir(PLAIN_PARENT);
  if (existsSync(parent)) {
    for (const name of ['cpu', 'memory', 'io', 'pids']) {
      const dir = `${parent}/${name}`;
      if (!existsSync(dir)) continue;
      try {
        writeFileSync(`${dir}/cgroup.kill`, '1');
      } catch {
        // already gone
      }
    }
  }
  rmSync(SHM_FILL, { force: true });
}

/**
 * Stops the plain workloads. Containers, the network and the volume are left running: the VM is
 * thrown away right after the run, and removing them under emulation would take half a minute.
 */
export async function stopScenarios(): Promise<void> {
  cleanupPlain();
  const parent = cgroupDir(PLAIN_PARENT);
  for (const name of ['cpu', 'memory', 'io', 'pids']) {
    await waitFor(
      `${name} cgroup empty`,
      () => !existsSync(`${parent}/${name}`) || cgroupProcs(`${parent}/${name}`).length === 0,
      10_000,
    ).catch(() => {});
    try {
      rmdirSync(`${parent}/${name}`);
    } catch {
      // already gone
    }
  }
  try {
    rmdirSync(parent);
  } catch {
    // already gone
  }
}
