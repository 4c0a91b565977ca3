// The monitor against real Docker containers: CPU percentages of known loads, bytes moved between two
// containers against the rates, a restart and a removal under a running monitor, and the event loop.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitor,
  type Monitor,
  type MonitorOptions,
  type MonitorSample,
  type MonitorSweep,
} from '../../lib/monitor/monitor.js';
import { readContainerStats } from '../../lib/stats.js';
import type { ContainerInfo } from '../../lib/types.js';
import { ensureTestImage, statsOneShot, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireDocker, requireRoot } from '../helpers/env.js';
import { waitFor } from '../helpers/wait.js';

const execFileAsync = promisify(execFile);
const ready = requireRoot() && requireDocker();
const NETWORK = 'ctm-mon-net';
const MiB = 2 ** 20;
const BURN = ['sh', '-c', 'while :; do :; done'];

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resolves with the first sweep that satisfies `done`, after feeding every sweep to it. */
function sweepUntil(
  monitor: Monitor,
  done: (sweep: MonitorSweep) => boolean,
  timeoutMs = 20_000,
): Promise<MonitorSweep> {
  return new Promise((resolve, reject) => {
    let last: MonitorSweep | undefined;
    const timer = setTimeout(() => {
      monitor.off('sweep', onSweep);
      const seen = last && { samples: last.samples.map((s) => s.stats.name), errors: last.errors.map(String) };
      reject(new Error(`no matching sweep within ${timeoutMs} ms; the last: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const onSweep = (sweep: MonitorSweep) => {
      last = sweep;
      if (!done(sweep)) return;
      clearTimeout(timer);
      monitor.off('sweep', onSweep);
      resolve(sweep);
    };
    monitor.on('sweep', onSweep);
  });
}

/** Records every sample of every sweep, per container id. */
function recordSamples(monitor: Monitor): Map<string, MonitorSample[]> {
  const byId = new Map<string, MonitorSample[]>();
  monitor.on('sample', (sample) => {
    const list = byId.get(sample.stats.id) ?? [];
    list.push(sample);
    byId.set(sample.stats.id, list);
  });
  return byId;
}

/** Cumulative CPU time of containers as the engine reports it, and the monotonic clock after the read. */
async function engineCpuNs(ids: string[]): Promise<{ wallNs: number; usage: Map<string, number> }> {
  const answers = await Promise.all(ids.map((id) => statsOneShot(id)));
  const wallNs = Number(process.hrtime.bigint());
  return { wallNs, usage: new Map(answers.map((stats, i) => [ids[i]!, stats.cpu_stats.cpu_usage.total_usage])) };
}

/** CPU time over monotonic time, first to last sample, as % of one core. */
function wallClockPercent(samples: MonitorSample[]): number {
  const first = samples[0]!.stats,
    last = samples.at(-1)!.stats;
  return ((last.cpu.usageNs - first.cpu.usageNs) / (last.monotonicNs - first.monotonicNs)) * 100;
}

/** Interval-weighted mean CPU % over the samples that have one. */
function meanCpuPercent(samples: MonitorSample[]): number {
  let weighted = 0,
    total = 0;
  for (const { usage } of samples) {
    if (usage.cpu.percent === null || usage.intervalNs === null) continue;
    weighted += usage.cpu.percent * usage.intervalNs;
    total += usage.intervalNs;
  }
  return weighted / total;
}

function expectSaneRates(sample: MonitorSample): void {
  const { usage, stats } = sample;
  const ceiling = stats.host.onlineCpus * 100 + 10;
  const rates = [
    usage.cpu.percent,
    usage.cpu.userPercent,
    usage.cpu.systemPercent,
    usage.network?.rxBytesPerSec,
    usage.network?.txBytesPerSec,
    usage.network?.rxPacketsPerSec,
    usage.network?.txPacketsPerSec,
    usage.blkio.readBytesPerSec,
    usage.blkio.writeBytesPerSec,
    usage.blkio.readOpsPerSec,
    usage.blkio.writeOpsPerSec,
  ];
  for (const rate of rates) if (rate != null) expect(rate).toBeGreaterThanOrEqual(0);
  if (usage.cpu.percent !== null) expect(usage.cpu.percent).toBeLessThanOrEqual(ceiling);
}

describe.skipIf(!ready)('monitor on Docker containers', () => {
  const containers = withContainers('ctm-mon-');
  const monitors: Monitor[] = [];

  function start(options: MonitorOptions): Monitor {
    const monitor = createMonitor(options);
    monitors.push(monitor);
    return monitor;
  }

  beforeAll(async () => {
    await ensureTestImage();
    await containers.removeAll();
    await execFileAsync('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
  });

  // Containers go with their test: busy loops left behind would starve the tests that follow.
  afterEach(async () => {
    await Promise.all(monitors.splice(0).map((monitor) => monitor.close()));
    await containers.removeAll();
    await execFileAsync('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
  });

  afterAll(() => containers.removeAll());

  it('reads one busy core as 100 %, half a core under --cpus 0.5 as 50 %, an idle container near 0', async () => {
    const [busy, half, idle] = await Promise.all([
      containers.run(['--name', containers.name('busy'), TEST_IMAGE, ...BURN]),
      containers.run(['--name', containers.name('half'), '--cpus', '0.5', TEST_IMAGE, ...BURN]),
      containers.run(['--name', containers.name('idle'), TEST_IMAGE, 'sleep', '3600']),
    ]);
    const monitor = start({ interval: 250, containers: [busy, half, idle].map(({ id }) => ({ id })) });
    const samples = recordSamples(monitor);
    const errors: Error[] = [];
    monitor.on('error', (err) => errors.push(err));
    // A baseline, then about three seconds of sweeps.
    let sweeps = 0;
    await sweepUntil(monitor, () => ++sweeps === 13);
    // The monitor goes on sampling while the engine is asked: compare with the samples taken before.
    await monitor.close();
    const lastBefore = new Map([busy, half].map(({ id }) => [id, samples.get(id)!.at(-1)!.stats]));
    const engine = await engineCpuNs([busy.id, half.id]);

    for (const { id } of [busy, half]) {
      // The counter read is the engine's (read a moment later, so at most one core × that moment more).
      const last = lastBefore.get(id)!;
      const ahead = engine.usage.get(id)! - last.cpu.usageNs;
      expect(ahead).toBeGreaterThanOrEqual(0);
      expect(ahead).toBeLessThanOrEqual(engine.wallNs - last.monotonicNs + 20e6);
    }
    // Made by a constructor, as the stats and usage it holds are (see lib/cgroup/stats-objects.ts).
    const sample = samples.get(busy.id)!.at(-1)!;
    expect(Object.getPrototypeOf(sample)).not.toBe(Object.prototype);
    expect(Object.keys(sample)).toEqual(['stats', 'usage']);
    const busyMean = meanCpuPercent(samples.get(busy.id)!);
    const halfMean = meanCpuPercent(samples.get(half.id)!);
    const idleMean = meanCpuPercent(samples.get(idle.id)!);
    // Docker's formula (host CPU time from /proc/stat) agrees with CPU time over the wall clock.
    expect(Math.abs(busyMean - wallClockPercent(samples.get(busy.id)!))).toBeLessThan(10);
    expect(Math.abs(halfMean - wallClockPercent(samples.get(half.id)!))).toBeLessThan(10);
    expect(busyMean).toBeLessThan(110);
    expect(halfMean).toBeLessThan(60);
    expect(idleMean).toBeLessThan(5);
    // Other work on the machine can keep the loops from the CPU they ask for: then the absolute figures
    // are not what the container got, and only the agreement with the kernel's counters above holds.
    const busyGot = wallClockPercent(samples.get(busy.id)!);
    const halfGot = wallClockPercent(samples.get(half.id)!);
    if (busyGot >= 90) expect(busyMean).toBeGreaterThan(90);
    else console.warn(`CPU contention: the busy loop got ${busyGot.toFixed(1)} % of a core; 100 % ± 10 not checked`);
    if (halfGot >= 45) expect(halfMean).toBeGreaterThan(40);
    else
      console.warn(`CPU contention: the half-core loop got ${halfGot.toFixed(1)} % of a core; 50 % ± 10 not checked`);
    expect(errors).toEqual([]);

    const halfLast = samples.get(half.id)!.at(-1)!;
    expect(halfLast.usage.cpu.capacityCores).toBeCloseTo(0.5, 6);
    expect(halfLast.usage.cpu.percentOfLimit).toBeCloseTo(halfLast.usage.cpu.percent! / 0.5, 6);
    for (const list of samples.values()) {
      expect(list[0]!.usage.cpu.percent).toBeNull();
      list.forEach(expectSaneRates);
    }
  });

  it('Σ rate × interval equals the bytes moved between two containers', async () => {
    await execFileAsync('docker', ['network', 'create', NETWORK]);
    const receiver = await containers.run([
      '--name',
      containers.name('recv'),
      '--network',
      NETWORK,
      TEST_IMAGE,
      // nc stops reading at the end of its own stdin: give it one that stays open.
      'sh',
      '-c',
      'sleep 3600 | nc -l -p 9000 > /dev/null',
    ]);
    const sender = await containers.run([
      '--name',
      containers.name('send'),
      '--network',
      NETWORK,
      TEST_IMAGE,
      'sleep',
      '3600',
    ]);
    const { stdout } = await execFileAsync('docker', [
      'inspect',
      '-f',
      `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`,
      receiver.id,
    ]);
    const address = stdout.trim();
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const monitor = start({ interval: 200, containers: [{ id: receiver.id }, { id: sender.id }] });
    const samples = recordSamples(monitor);
    await sweepUntil(monitor, (sweep) => sweep.samples.length === 2);
    const before = new Map([...samples].map(([id, list]) => [id, list.length]));

    const kib = 4096;
    await execFileAsync('docker', [
      'exec',
      sender.id,
      'sh',
      '-c',
      `dd if=/dev/zero bs=1k count=${kib} 2>/dev/null | nc ${address} 9000`,
    ]);
    let after = 0;
    await sweepUntil(monitor, () => ++after === 3);

    const moved = (id: string, field: 'rxBytes' | 'txBytes', rate: 'rxBytesPerSec' | 'txBytesPerSec') => {
      const list = samples.get(id)!;
      const first = list[before.get(id)! - 1]!;
      const later = list.slice(before.get(id));
      const counted = later.at(-1)!.stats.network![field]! - first.stats.network![field]!;
      const integrated = later.reduce((sum, { usage }) => sum + usage.network![rate]! * (usage.intervalNs! / 1e9), 0);
      return { counted, integrated };
    };
    const payload = kib * 1024;
    const received = moved(receiver.id, 'rxBytes', 'rxBytesPerSec');
    const sent = moved(sender.id, 'txBytes', 'txBytesPerSec');
    for (const { counted, integrated } of [received, sent]) {
      // The rates integrate back to the counters exactly (floating point aside)...
      expect(Math.abs(integrated - counted)).toBeLessThan(1e-6 * counted + 1e-3);
      // ...and the counters carry the payload plus TCP/IP headers, handshake and ARP.
      expect(counted).toBeGreaterThanOrEqual(payload);
      expect(counted).toBeLessThan(payload * 1.15 + 16_384);
    }
    for (const list of samples.values()) list.forEach(expectSaneRates);
  });

  it('a restart under a running monitor: removed then added, and no negative or absurd rates', async () => {
    const target = await containers.run(['--name', containers.name('restart'), TEST_IMAGE, ...BURN]);
    const monitor = start({ interval: 250, containers: [{ id: target.id }] });
    const samples = recordSamples(monitor);
    const events: Array<[string, ContainerInfo]> = [];
    monitor.on('added', (info) => events.push(['added', info]));
    monitor.on('removed', (info) => events.push(['removed', info]));
    const errors: Error[] = [];
    monitor.on('error', (err) => errors.push(err));
    await sweepUntil(monitor, () => (samples.get(target.id)?.length ?? 0) >= 3);
    const inodeBefore = samples.get(target.id)!.at(-1)!.stats.cgroup.inode;

    await execFileAsync('docker', ['restart', '-t', '0', target.id]);
    // Wait for three samples of the new cgroup.
    await sweepUntil(
      monitor,
      () => samples.get(target.id)!.filter((s) => s.stats.cgroup.inode !== inodeBefore).length >= 3,
    );

    const list = samples.get(target.id)!;
    list.forEach(expectSaneRates);
    const firstAfter = list.findIndex((s) => s.stats.cgroup.inode !== inodeBefore);
    // The first sample of the new cgroup has no baseline: either a reset or a fresh start.
    expect(list[firstAfter]!.usage.cpu.percent).toBeNull();
    expect(list[firstAfter + 1]!.usage.cpu.percent).not.toBeNull();
    expect(events.map(([kind, info]) => `${kind} ${info.id}`)).toEqual([
      `added ${target.id}`,
      `removed ${target.id}`,
      `added ${target.id}`,
    ]);
    expect(errors).toEqual([]);
  });

  it('a restart read without kept descriptors: the new cgroup comes with the new process, not the old PID', async () => {
    // Nothing kept and no network: no failing descriptor or namespace tells of the restart, only the
    // cgroup's new inode does.
    const target = await containers.run(['--name', containers.name('restart-plain'), TEST_IMAGE, 'sleep', '3600']);
    const monitor = start({ interval: 200, containers: [{ id: target.id }], keepFds: false, network: false });
    const samples = recordSamples(monitor);
    const events: string[] = [];
    monitor.on('added', () => events.push('added'));
    monitor.on('removed', () => events.push('removed'));
    await sweepUntil(monitor, () => (samples.get(target.id)?.length ?? 0) >= 2);
    const before = samples.get(target.id)!.at(-1)!.stats;
    expect(before.pid).toBe(target.pid);

    await execFileAsync('docker', ['restart', '-t', '0', target.id]);
    const { stdout } = await execFileAsync('docker', ['inspect', '-f', '{{.State.Pid}}', target.id]);
    const newPid = Number(stdout.trim());
    expect(newPid).not.toBe(target.pid);
    await sweepUntil(
      monitor,
      () => samples.get(target.id)!.filter((s) => s.stats.cgroup.inode !== before.cgroup.inode).length >= 2,
    );
    const after = samples.get(target.id)!.filter((s) => s.stats.cgroup.inode !== before.cgroup.inode);
    expect(after.map((s) => s.stats.pid)).toEqual(after.map(() => newPid));
    expect(after[0]!.usage.cpu.percent).toBeNull();
    expect(events).toEqual(['added', 'removed', 'added']);
  });

  it('a wrong reference is an error of every sweep and keeps no other container from being watched', async () => {
    const base = await containers.run(['--name', containers.name('ref-base'), TEST_IMAGE, 'sleep', '3600']);
    const monitor = start({
      interval: 200,
      containers: [{ id: base.id }, '../etc', { name: containers.name('ref-absent') }],
    });
    const sweeps: MonitorSweep[] = [];
    await sweepUntil(monitor, (sweep) => sweeps.push(sweep) === 3);
    for (const sweep of sweeps) {
      expect(sweep.samples.map((s) => s.stats.id)).toEqual([base.id]);
      // The absent container is simply not watched; the malformed reference is reported.
      expect(sweep.errors.map((e) => (e as { code?: string }).code)).toEqual(['ERR_INVALID_REFERENCE']);
    }
  });

  it('a removed container is `removed`, not an error, and its kept descriptors are closed', async () => {
    const base = await containers.run(['--name', containers.name('fd-base'), TEST_IMAGE, 'sleep', '3600']);
    const goneName = containers.name('fd-gone');
    const monitor = start({ interval: 200, containers: [{ id: base.id }, { name: goneName }] });
    const errors: Error[] = [];
    monitor.on('error', (err) => errors.push(err));
    const removed: ContainerInfo[] = [];
    monitor.on('removed', (info) => removed.push(info));
    let settle = 0;
    await sweepUntil(monitor, (sweep) => sweep.samples.length === 1 && ++settle === 3);
    const fdsBefore = openFds();

    const gone = await containers.run(['--name', goneName, TEST_IMAGE, 'sleep', '3600']);
    let seen = 0;
    await sweepUntil(monitor, (sweep) => sweep.samples.some((s) => s.stats.id === gone.id) && ++seen === 2);
    const fdsWhileWatched = openFds();
    expect(fdsWhileWatched).toBeGreaterThan(fdsBefore);

    // Waiting starts before the removal: the monitor may see it go before docker returns.
    const removal = sweepUntil(monitor, (sweep) => sweep.removed.some((info) => info.id === gone.id));
    await execFileAsync('docker', ['rm', '-f', gone.id]);
    await removal;
    await sweepUntil(monitor, () => true);
    expect(removed.map((info) => info.id)).toEqual([gone.id]);
    expect(errors).toEqual([]);
    expect(openFds()).toBeLessThanOrEqual(fdsBefore);
    expect(monitor.containers().map((info) => info.id)).toEqual([base.id]);
  });

  it('containers that start and stop under a fast monitor: added and removed once each, no sample of a half-started or half-removed one', async () => {
    const prefix = containers.name('churn-');
    const monitor = start({ interval: 50 });
    // Everything of these containers is recorded from the start (by name: Docker writes it before it starts them).
    const ours = (name: string | null) => name?.startsWith(prefix) === true;
    const events = new Map<string, string[]>();
    const bad: string[] = [];
    const errors: Error[] = [];
    const record = (kind: string) => (info: ContainerInfo) => {
      if (ours(info.name)) events.set(info.id, [...(events.get(info.id) ?? []), kind]);
    };
    monitor.on('added', record('added'));
    monitor.on('removed', record('removed'));
    monitor.on('error', (err) => errors.push(err));
    monitor.on('sample', ({ stats }) => {
      if (!ours(stats.name)) return;
      if (
        stats.pid === null ||
        stats.network === null ||
        stats.network.mode !== 'private' ||
        stats.pids.current === 0
      ) {
        bad.push(`${stats.name}: pid ${stats.pid}, network ${stats.network?.mode ?? null}, pids ${stats.pids.current}`);
      }
    });
    await sweepUntil(monitor, () => true);
    for (let round = 0; round < 4; round++) {
      const started = await Promise.all(
        [0, 1].map((n) => containers.run(['--name', `${prefix}${round}-${n}`, TEST_IMAGE, 'sleep', '3600'])),
      );
      await sweepUntil(monitor, (sweep) =>
        started.every(({ id }) => sweep.samples.some((sample) => sample.stats.id === id)),
      );
      const gone = sweepUntil(monitor, () => started.every(({ id }) => events.get(id)?.includes('removed') === true));
      await execFileAsync('docker', ['rm', '-f', ...started.map(({ id }) => id)]);
      await gone;
    }
    expect(bad).toEqual([]);
    expect(errors.map(String)).toEqual([]);
    expect(events.size).toBe(8);
    for (const [id, kinds] of events) expect(kinds, id).toEqual(['added', 'removed']);
  });

  it('reads limits on their own cadence: a changed limit shows at once with configRefreshMs 0, not before the refresh otherwise', async () => {
    const target = await containers.run([
      '--name',
      containers.name('limits'),
      '--memory',
      '64m',
      '--memory-swap',
      '128m',
      TEST_IMAGE,
      'sleep',
      '3600',
    ]);
    const slow = start({ interval: 100, configRefreshMs: 600_000, containers: [{ id: target.id }] });
    const eager = start({ interval: 100, configRefreshMs: 0, containers: [{ id: target.id }] });
    const first = await Promise.all(
      [slow, eager].map((monitor) => sweepUntil(monitor, (sweep) => sweep.samples.length === 1)),
    );
    // A new container's limits come with its first sample.
    for (const sweep of first) expect(sweep.samples[0]!.stats.memory.limit).toBe(64 * MiB);
    await execFileAsync('docker', ['update', '--memory', '80m', '--memory-swap', '160m', target.id]);
    const updated = await sweepUntil(eager, (sweep) => sweep.samples[0]?.stats.memory.limit === 80 * MiB);
    expect(updated.samples[0]!.stats.memory.swap.limit).toBe(80 * MiB);
    // The slow one's next sweeps, all taken after the change, still report the limit it read first.
    let after = 0;
    const later = await sweepUntil(slow, (sweep) => sweep.timestamp > updated.timestamp && ++after === 3);
    expect(later.samples[0]!.stats.memory.limit).toBe(64 * MiB);
    expect((await readContainerStats(target.id, { network: false })).memory.limit).toBe(80 * MiB);
  });

  it('several monitors in one process are independent', async () => {
    const target = await containers.run(['--name', containers.name('pair'), TEST_IMAGE, 'sleep', '3600']);
    const first = start({ interval: 100, containers: [{ id: target.id }] });
    const second = start({ interval: 150, containers: [{ id: target.id }] });
    await Promise.all([first, second].map((monitor) => sweepUntil(monitor, (sweep) => sweep.samples.length === 1)));
    await first.close();
    let after = 0;
    const sweep = await sweepUntil(second, () => ++after === 3);
    expect(sweep.samples.map((sample) => sample.stats.id)).toEqual([target.id]);
    expect(sweep.errors).toEqual([]);
    expect(sweep.samples[0]!.usage.cpu.percent).not.toBeNull();
  });

  it('runs in worker threads (the ESM and CJS builds, next to a monitor in this thread), and a worker ending mid-sweep leaks nothing', async () => {
    const target = await containers.run(['--name', containers.name('worker'), TEST_IMAGE, 'sleep', '3600']);
    const here = start({ interval: 100, containers: [{ id: target.id }] });
    // Its descriptors are open after its first sweep.
    await sweepUntil(here, (s) => s.samples.length === 1);
    const fdsBefore = openFds();
    const script = (entry: string) => `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const lib = ${entry.endsWith('.cjs') ? `require(${JSON.stringify(entry)})` : `await import(${JSON.stringify(entry)})`};
        const monitor = lib.createMonitor({ interval: 50, containers: [{ id: workerData.id }] });
        let sweeps = 0;
        monitor.on('sweep', async (sweep) => {
          if (++sweeps < 3) return;
          await monitor.close();
          const one = await lib.readContainerStats(workerData.id);
          parentPort.postMessage({ ids: sweep.samples.map((s) => s.stats.id), errors: sweep.errors.map(String), percent: sweep.samples[0]?.usage.cpu.percent ?? null, mode: one.network.mode });
        });
      })();`;
    const dist = join(import.meta.dirname, '../../dist');
    for (const entry of [join(dist, 'index.cjs'), join(dist, 'index.js')]) {
      const worker = new Worker(script(entry), { eval: true, workerData: { id: target.id } });
      const answer = await new Promise<{ ids: string[]; errors: string[]; percent: number | null; mode: string }>(
        (resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        },
      );
      await worker.terminate();
      expect(answer).toMatchObject({ ids: [target.id], errors: [], mode: 'private' });
      expect(answer.percent).not.toBeNull();
    }
    // A worker terminated while its monitor sweeps.
    for (let i = 0; i < 5; i++) {
      const worker = new Worker(
        `
        const lib = require(${JSON.stringify(join(dist, 'index.cjs'))});
        const monitor = lib.createMonitor({ interval: 1, containers: [{ id: ${JSON.stringify(target.id)} }] });
        monitor.once('sweep', () => require('node:worker_threads').parentPort.postMessage('sweeping'));`,
        { eval: true },
      );
      await new Promise((resolve) => worker.once('message', resolve));
      await worker.terminate();
    }
    const sweep = await sweepUntil(here, (s) => s.samples.length === 1);
    expect(sweep.errors).toEqual([]);
    // The workers' descriptors go with them (terminate() returns before the last ones are closed).
    await waitFor(() => openFds() <= fdsBefore, `the descriptors to be back to ${fdsBefore}`, 10_000);
  });

  it('close() ends iterators and stops sweeping', async () => {
    const target = await containers.run(['--name', containers.name('iter'), TEST_IMAGE, 'sleep', '3600']);
    const monitor = start({ interval: 100, containers: [{ id: target.id }] });
    const seen: MonitorSweep[] = [];
    for await (const sweep of monitor) {
      seen.push(sweep);
      if (seen.length === 3) break;
    }
    expect(seen.map((sweep) => sweep.samples.length)).toEqual([1, 1, 1]);
    expect(seen[0]!.added.map((info) => info.id)).toEqual([target.id]);
    expect(seen[2]!.samples[0]!.usage.intervalNs).not.toBeNull();

    const iterator = monitor[Symbol.asyncIterator]();
    const pending = iterator.next();
    await monitor.close();
    // Either the sweep already queued or the end; then the end.
    const first = await pending;
    if (!first.done) expect((await iterator.next()).done).toBe(true);
    let late = 0;
    monitor.on('sweep', () => late++);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(late).toBe(0);
  });
});
