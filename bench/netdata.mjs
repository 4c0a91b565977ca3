// A real peer side by side: netdata's cgroups collector (Debian's `netdata`, run in the foreground with its own
// configuration: only the cgroups collector and /proc/net/dev, 1 s updates) and ctrstat's createMonitor at
// 1 Hz on the same idle Docker containers, over the same window, both running at once.
//
// The containers are started under their own cgroup parent (/<prefix>-docker/<id>), so that netdata charts
// these and no other container on the machine. CPU comes from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat
// (utime + stime, clock ticks) for netdata, and from process.cpuUsage() less this process's idle rate for
// ctrstat. The files each reads per sweep are counted with `strace -c` over a short window after the CPU
// window (strace slows what it traces, so it never overlaps the CPU window).
//
// Run alone: node bench/netdata.mjs [--sizes 20,100] [--window 60]
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CONTAINER_PREFIX, IMAGE } from './docker.mjs';
import { PREFIX, clockTickMs, nowMs, processCpuMs, sleep, workDir } from './util.mjs';

const run = promisify(execFile);
const NETDATA = '/usr/sbin/netdata';
const PORT = 19_999 + 17;
const CGROUP_PARENT = `/${PREFIX}-docker`;
const CGROUP_ROOT = '/sys/fs/cgroup';

let child = null;

/** Why netdata cannot be measured here, or null. */
export async function netdataUnavailable() {
  if (!existsSync(NETDATA)) return 'netdata is not installed (scripts/setup-machine.sh installs it)';
  try {
    await run('strace', ['-V']);
  } catch {
    return 'strace is not installed (scripts/setup-machine.sh installs it)';
  }
  return null;
}

export async function netdataVersion() {
  try {
    const { stdout } = await run(NETDATA, ['-v']);
    return stdout.trim().replace(/^netdata\s+/, '');
  } catch {
    return null;
  }
}

function config(dir) {
  return `[global]
	run as user = root
	hostname = ${PREFIX}-ndbench
	process scheduling policy = keep
	OOM score = keep
[db]
	update every = 1
	mode = ram
	retention = 600
[directories]
	cache = ${dir}/cache
	lib = ${dir}/lib
	log = ${dir}/log
	lock = ${dir}/lock
	registry = ${dir}/reg
[logs]
	debug log = none
	error log = ${dir}/log/error.log
	access log = none
	health log = none
[health]
	enabled = no
[registry]
	enabled = no
[ml]
	enabled = no
[web]
	bind to = 127.0.0.1:${PORT}
	web server threads = 1
[statsd]
	enabled = no
[plugins]
	timex = no
	idlejitter = no
	tc = no
	diskspace = no
	proc = yes
	cgroups = yes
	apps = no
	python.d = no
	go.d = no
	charts.d = no
	node.d = no
	fping = no
	ioping = no
	perf = no
	slabinfo = no
	nfacct = no
	cups = no
	ebpf = no
	freeipmi = no
	statsd = no
	netdata monitoring = no
	enable running new plugins = no
	check for new plugins every = 600
[plugin:cgroups]
	update every = 1
	check for new cgroups every = 1
	enable by default cgroups matching = ${CGROUP_PARENT}/* !*
	run script to rename cgroups matching = ${CGROUP_PARENT}/* !*
	script to get cgroup names = ${dir}/cgroup-name.sh
	use unified cgroups = no
[plugin:proc]
	/proc/net/dev = yes
${[
  '/proc/pagetypeinfo',
  '/proc/stat',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/sys/kernel/random/entropy_avail',
  '/proc/pressure',
  '/proc/interrupts',
  '/proc/softirqs',
  '/proc/vmstat',
  '/proc/meminfo',
  '/sys/kernel/mm/ksm',
  '/sys/block/zram',
  '/sys/devices/system/edac/mc',
  '/sys/devices/system/node',
  '/proc/net/wireless',
  '/proc/net/sockstat',
  '/proc/net/sockstat6',
  '/proc/net/netstat',
  '/proc/net/sctp/snmp',
  '/proc/net/softnet_stat',
  '/proc/net/ip_vs/stats',
  '/sys/class/infiniband',
  '/proc/net/stat/conntrack',
  '/proc/net/stat/synproxy',
  '/proc/diskstats',
  '/proc/mdstat',
  '/proc/net/rpc/nfsd',
  '/proc/net/rpc/nfs',
  '/proc/spl/kstat/zfs/arcstats',
  '/proc/spl/kstat/zfs/pool/state',
  '/sys/fs/btrfs',
  'ipc',
  '/sys/class/power_supply',
]
  .map((key) => `\t${key} = no`)
  .join('\n')}
`;
}

/** utime + stime in ms of a /proc stat line. */
function statMs(path) {
  const text = readFileSync(path, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * clockTickMs;
}

/** netdata's threads: tid, name and CPU ms. */
function threads(pid) {
  const out = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.push({ tid: Number(tid), comm, ms: statMs(`/proc/${pid}/task/${tid}/stat`) });
    } catch {
      // the thread ended
    }
  }
  return out;
}

function getJson(path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: PORT, path, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** How many containers netdata charts CPU for (cgroup_<name>.cpu). */
async function chartedContainers() {
  try {
    const answer = await getJson('/api/v1/charts');
    return Object.keys(answer.charts ?? {}).filter((id) => /^cgroup_.+\.cpu$/.test(id)).length;
  } catch {
    return 0;
  }
}

/** Starts n idle containers <prefix>-nd-<i> under the cgroup parent, a few at a time. Returns their ids. */
async function startPeerContainers(n) {
  const ids = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const { stdout } = await run(
        'docker',
        [
          'run',
          '-d',
          '--name',
          `${CONTAINER_PREFIX}nd-${i}`,
          '--label',
          'ctb.bench=1',
          '--cgroup-parent',
          CGROUP_PARENT,
          IMAGE,
          'sleep',
          '3600',
        ],
        { timeout: 120_000 },
      );
      ids[i] = stdout.trim();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return ids;
}

/**
 * netdata's own cgroup-name.sh names a Docker container with a `docker inspect` per new cgroup (seconds
 * each on a loaded 2-core machine); this one takes the name from the list of the containers the run
 * started. It runs once per container, before the window, so only the wait gets shorter.
 */
function nameScript(dir, names) {
  writeFileSync(join(dir, 'names'), [...names].map(([id, name]) => `${id} ${name}`).join('\n') + '\n');
  const script = join(dir, 'cgroup-name.sh');
  writeFileSync(
    script,
    `#!/bin/sh
# $1: the cgroup's path (${CGROUP_PARENT}/<id>); $2: netdata's name for it, the answer when the id is not listed
name=$(grep "^\${1##*/} " '${dir}/names' | cut -d ' ' -f 2)
echo "\${name:-$2}"
`,
    { mode: 0o755 },
  );
}

async function startNetdata(dir, names) {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['cache', 'lib', 'log', 'lock', 'reg']) mkdirSync(join(dir, sub), { recursive: true });
  nameScript(dir, names);
  writeFileSync(join(dir, 'netdata.conf'), config(dir));
  child = spawn(NETDATA, ['-c', join(dir, 'netdata.conf'), '-D'], { stdio: 'ignore' });
  child.on('error', () => {});
  return child.pid;
}

/** Stops the netdata this module started (SIGTERM, then SIGKILL after 10 s). */
export async function stopNetdata() {
  if (!child) return;
  const c = child;
  child = null;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    c.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}

/** strace -c over one window: calls of each syscall, by the threads of pid. */
async function straceCounts(pid, seconds, syscalls) {
  const outFile = join(workDir, `strace-${pid}.txt`);
  await run(
    'timeout',
    ['-s', 'INT', String(seconds), 'strace', '-f', '-c', '-o', outFile, '-e', `trace=${syscalls}`, '-p', String(pid)],
    {
      timeout: (seconds + 30) * 1000,
    },
  ).catch(() => {});
  const counts = {};
  try {
    for (const line of readFileSync(outFile, 'utf8').split('\n')) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$/.exec(line);
      if (m && m[3] !== 'total') counts[m[3]] = { calls: Number(m[1]), errors: Number(m[2] ?? 0) };
    }
  } finally {
    rmSync(outFile, { force: true });
  }
  return counts;
}

/**
 * netdata and a ctrstat monitor on the same n containers for each size; per container-sample CPU of
 * netdata's cgroups collect thread, its cgroups threads, its whole process and ctrstat's process.
 */
export async function measureNetdata(lib, { sizes, windowS, straceS = 5, log = () => {} }) {
  const out = { version: await netdataVersion(), windowS, straceS, sizes: [] };
  for (const n of sizes) {
    const row = { containers: n };
    out.sizes.push(row);
    let monitor = null;
    try {
      const t0 = nowMs();
      const ids = await startPeerContainers(n);
      row.startMs = nowMs() - t0;
      log(`netdata ${n}: ${n} containers under ${CGROUP_PARENT} in ${(row.startMs / 1000).toFixed(1)} s`);
      const pid = await startNetdata(
        join(workDir, 'netdata'),
        ids.map((id, i) => [id, `${CONTAINER_PREFIX}nd-${i}`]),
      );
      // netdata names every new container with one `docker inspect`; wait until it charts them all.
      const t1 = nowMs();
      let charted = 0;
      while ((charted = await chartedContainers()) < n) {
        if (nowMs() - t1 > 60_000 + n * 2000) throw new Error(`netdata charted ${charted} of ${n} containers`);
        if (child === null || child.exitCode !== null) throw new Error('netdata exited');
        await sleep(1000);
      }
      row.netdataDiscoveryMs = nowMs() - t1;
      row.netdataCharted = charted;
      log(`netdata ${n}: all charted after ${(row.netdataDiscoveryMs / 1000).toFixed(1)} s`);

      // This process's idle rate, netdata running, before the monitor starts: the lowest of three 1 s slices, as work
      // left over from before (a garbage collection, a compilation on V8's threads) can fill one of them.
      const idleRates = [];
      for (let slice = 0; slice < 3; slice++) {
        const idle0 = processCpuMs();
        const it0 = nowMs();
        await sleep(1000);
        idleRates.push((processCpuMs() - idle0) / ((nowMs() - it0) / 1000));
      }
      row.ctrstatIdleCpuMsPerS = Math.min(...idleRates);

      let sweeps = 0;
      let errors = 0;
      monitor = lib.createMonitor({ interval: 1000, network: true, containers: ids.map((id) => ({ id })) });
      monitor.on('sweep', (sweep) => {
        sweeps++;
        errors += sweep.errors.length;
      });
      while (sweeps < 3) await sleep(100);

      // The window: both at 1 Hz, at once.
      const threads0 = threads(pid);
      const proc0 = statMs(`/proc/${pid}/stat`);
      const cpu0 = processCpuMs();
      const sweeps0 = sweeps;
      const w0 = nowMs();
      await sleep(windowS * 1000);
      const seconds = (nowMs() - w0) / 1000;
      const threads1 = threads(pid);
      const proc1 = statMs(`/proc/${pid}/stat`);
      const ctrstatMs = processCpuMs() - cpu0 - row.ctrstatIdleCpuMsPerS * seconds;
      const windowSweeps = sweeps - sweeps0;
      if (errors > 0) throw new Error(`the monitor had ${errors} errors`);

      const before = new Map(threads0.map((t) => [t.tid, t.ms]));
      const delta = threads1.map((t) => ({ ...t, ms: t.ms - (before.get(t.tid) ?? 0) }));
      // Both cgroups threads are named PLUGIN[cgroups]; the collector starts the discovery thread, so it
      // is the older (lower tid) of the two.
      const cgroupThreads = delta.filter((t) => t.comm.startsWith('PLUGIN[cgroups')).sort((a, b) => a.tid - b.tid);
      const netdev = delta.filter((t) => t.comm.startsWith('PLUGIN[proc')).reduce((sum, t) => sum + t.ms, 0);
      const samples = n * seconds; // netdata updates every second
      const us = (ms, count) => (ms * 1000) / count;
      row.windowS = seconds;
      row.netdata = {
        pid,
        collectThreadUsPerSample: cgroupThreads.length ? us(cgroupThreads[0].ms, samples) : null,
        cgroupsThreadsUsPerSample: us(
          cgroupThreads.reduce((sum, t) => sum + t.ms, 0),
          samples,
        ),
        netdevThreadUsPerSample: us(netdev, samples),
        processUsPerSample: us(proc1 - proc0, samples),
        processCpuPercent: ((proc1 - proc0) / (seconds * 1000)) * 100,
        threads: delta.filter((t) => t.ms > 0).map((t) => ({ comm: t.comm, ms: t.ms })),
      };
      row.ctrstat = {
        sweeps: windowSweeps,
        usPerSample: us(ctrstatMs, n * windowSweeps),
        cpuPercent: (ctrstatMs / (seconds * 1000)) * 100,
      };
      row.netdataCgroupsCpuVsCtrstat = row.netdata.collectThreadUsPerSample / row.ctrstat.usPerSample;
      row.netdataProcessCpuVsCtrstat = row.netdata.processUsPerSample / row.ctrstat.usPerSample;
      log(
        `netdata ${n}: per container-sample netdata collect thread ${row.netdata.collectThreadUsPerSample.toFixed(0)} µs, process ${row.netdata.processUsPerSample.toFixed(0)} µs; ctrstat ${row.ctrstat.usPerSample.toFixed(0)} µs (${windowSweeps} sweeps in ${seconds.toFixed(1)} s)`,
      );

      // Files per sweep: netdata opens, reads and closes each file every second; ctrstat keeps its
      // descriptors and preads them. Counted over a short window of both, after the CPU window.
      const syscalls = 'openat,read,pread64';
      const [nd, cs] = await Promise.all([
        straceCounts(pid, straceS, syscalls),
        straceCounts(process.pid, straceS, syscalls),
      ]);
      const perSweep = (counts, key) => (counts[key]?.calls ?? 0) / straceS;
      row.syscallsPerSecond = {
        netdata: { openat: perSweep(nd, 'openat'), read: perSweep(nd, 'read'), pread64: perSweep(nd, 'pread64') },
        ctrstat: { openat: perSweep(cs, 'openat'), read: perSweep(cs, 'read'), pread64: perSweep(cs, 'pread64') },
      };
      // A file read per sweep is one open (netdata) or one pread (ctrstat, kept descriptors).
      row.netdataFilesPerContainerSweep = row.syscallsPerSecond.netdata.openat / n;
      row.ctrstatFilesPerContainerSweep =
        (row.syscallsPerSecond.ctrstat.pread64 + row.syscallsPerSecond.ctrstat.openat) / n;
      log(
        `netdata ${n}: files per container per sweep: netdata ${row.netdataFilesPerContainerSweep.toFixed(1)} (openat), ctrstat ${row.ctrstatFilesPerContainerSweep.toFixed(1)} (pread64 + openat)`,
      );
    } catch (err) {
      row.error = err.message;
      log(`netdata ${n} failed: ${err.message}`);
    } finally {
      await monitor?.close().catch(() => {});
      await stopNetdata();
      await removePeerContainers();
    }
  }
  const ok = out.sizes.filter((r) => !r.error);
  if (ok.length) {
    out.netdataCgroupsCpuVsCtrstat = Math.min(...ok.map((r) => r.netdataCgroupsCpuVsCtrstat));
    out.netdataProcessCpuVsCtrstat = Math.min(...ok.map((r) => r.netdataProcessCpuVsCtrstat));
  }
  return out;
}

/** Removes the peer's containers (<prefix>-nd-<i>) and their cgroup parent. */
export async function removePeerContainers() {
  try {
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `name=^/${CONTAINER_PREFIX}nd-`]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length) await run('docker', ['rm', '-f', ...ids], { timeout: 300_000 });
  } catch {
    // removeContainers at the end of the run catches what is left
  }
  // Docker makes the cgroup parent in every hierarchy and leaves it there.
  for (const hierarchy of readdirSync(CGROUP_ROOT)) {
    try {
      rmdirSync(join(CGROUP_ROOT, hierarchy, CGROUP_PARENT));
    } catch {
      // not there, or not empty yet
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const option = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const why = await netdataUnavailable();
  if (why) {
    console.error(why);
    process.exit(2);
  }
  const { loadLibrary } = await import('./ctrstat.mjs');
  const { lib, error } = await loadLibrary({ log: (m) => console.error(m) });
  if (error) throw new Error(error);
  mkdirSync(workDir, { recursive: true });
  const stop = () =>
    stopNetdata()
      .then(removePeerContainers)
      .finally(() => process.exit(130));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const result = await measureNetdata(lib, {
      sizes: (option('--sizes') ?? '20').split(',').map(Number),
      windowS: Number(option('--window') ?? 20),
      log: (m) => console.error(m),
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await stopNetdata();
    await removePeerContainers();
  }
  process.exit(0);
}
