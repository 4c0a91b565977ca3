// Turns two consecutive samples of one container into what a person reads off `docker stats`:
// CPU %, memory %, and per-second rates. Pure: no I/O, no clock; every rate is divided by the interval
// measured between the two reads (CLOCK_MONOTONIC), never by a nominal polling period.
import type { ContainerStats, NetworkMode, PidsStats } from './types.js';
import { PidsObject } from './cgroup/stats-objects.js';

/**
 * CPU use between two samples as docker stats shows it: `percent` counts one busy core as 100, `percentOfLimit`
 * is relative to the cores the container may use. The percentages are null without a baseline (a first sample,
 * a reset).
 */
export interface CpuUsage {
  /**
   * Docker's CPU %: Δcontainer CPU time / Δhost CPU time (/proc/stat) × online CPUs × 100, so one busy
   * core reads 100 and the maximum is onlineCpus × 100. null on a first sample or a reset.
   */
  percent: number | null;
  /** percent / capacityCores: 100 means the container uses all it may. null without a narrower capacity. */
  percentOfLimit: number | null;
  /**
   * The cores percentOfLimit is relative to: the smaller of the CFS quota (limitCores) and the cpuset size
   * when that is below the online CPUs; null when the container may use every CPU.
   */
  capacityCores: number | null;
  /** User and system shares of percent, same scale. */
  userPercent: number | null;
  systemPercent: number | null;
}

/** Memory use of the newer sample against its limit, as docker stats shows it (bytes, %); it needs no baseline. */
export interface MemoryUsage {
  /** Working set (usage minus inactive file cache), as docker stats shows. */
  usage: number;
  /** The cgroup limit capped at the host's MemTotal; MemTotal when unlimited (as Docker does). */
  limit: number;
  /** usage / limit × 100; null only when the host reports no memory. */
  percent: number | null;
}

/**
 * Bytes and packets per second received and transmitted, summed over every interface but loopback; null without
 * a baseline (a first sample, a reset) or when the previous sample had no network totals.
 */
export interface NetworkRates {
  rxBytesPerSec: number | null;
  txBytesPerSec: number | null;
  rxPacketsPerSec: number | null;
  txPacketsPerSec: number | null;
}

/**
 * Block I/O per second (bytes and operations, read and write, summed over every device); null without a
 * baseline (a first sample, a reset).
 */
export interface BlkioRates {
  readBytesPerSec: number | null;
  writeBytesPerSec: number | null;
  readOpsPerSec: number | null;
  writeOpsPerSec: number | null;
}

/**
 * What computeUsage gives for one container: docker stats' figures from two of its samples. Rates are per
 * second over the interval measured between the two reads (CLOCK_MONOTONIC); without a usable baseline (a
 * first sample, a reset, a clock that did not advance) they are null. `memory` and `pids` are the newer sample's.
 */
export interface ContainerUsage {
  id: string;
  name: string | null;
  /** Wall clock of the newer sample, ms since the epoch. */
  timestamp: number;
  /** Measured nanoseconds between the two samples; null on a first sample or when the clock did not advance. */
  intervalNs: number | null;
  /**
   * The previous sample is no baseline for this one: the cgroup was replaced (other id or cgroup inode,
   * as after a restart), the network namespace changed, or a counter went backwards. Every rate is null.
   */
  reset: boolean;
  cpu: CpuUsage;
  memory: MemoryUsage;
  /** null when the sample has no network figures: network not read, no PID, or host networking. */
  network: NetworkRates | null;
  blkio: BlkioRates;
  pids: PidsStats;
}

// What computeUsage returns, made by constructors (see cgroup/stats-objects.ts): one of each per container per
// sweep of a monitor, every one of them of one shape.
class CpuUsageObject implements CpuUsage {
  constructor(
    public percent: number | null,
    public percentOfLimit: number | null,
    public capacityCores: number | null,
    public userPercent: number | null,
    public systemPercent: number | null,
  ) {}
}

class MemoryUsageObject implements MemoryUsage {
  constructor(
    public usage: number,
    public limit: number,
    public percent: number | null,
  ) {}
}

class NetworkRatesObject implements NetworkRates {
  constructor(
    public rxBytesPerSec: number | null,
    public txBytesPerSec: number | null,
    public rxPacketsPerSec: number | null,
    public txPacketsPerSec: number | null,
  ) {}
}

class BlkioRatesObject implements BlkioRates {
  constructor(
    public readBytesPerSec: number | null,
    public writeBytesPerSec: number | null,
    public readOpsPerSec: number | null,
    public writeOpsPerSec: number | null,
  ) {}
}

class ContainerUsageObject implements ContainerUsage {
  constructor(
    public id: string,
    public name: string | null,
    public timestamp: number,
    public intervalNs: number | null,
    public reset: boolean,
    public cpu: CpuUsage,
    public memory: MemoryUsage,
    public network: NetworkRates | null,
    public blkio: BlkioRates,
    public pids: PidsStats,
  ) {}
}

/**
 * What computeUsage needs of the previous sample: a ContainerStats is one, and baselineOf() makes a
 * small one to keep between samples (so that a monitor does not hold every last sample whole).
 */
export interface UsageBaseline {
  id: string;
  cgroup: { inode: number };
  monotonicNs: number;
  cpu: { usageNs: number; userNs: number; systemNs: number };
  host: { systemCpuNs: number };
  blkio: { readBytes: number; writeBytes: number; readOps: number; writeOps: number };
  network: {
    mode: NetworkMode;
    netns: number;
    rxBytes: number | null;
    txBytes: number | null;
    rxPackets: number | null;
    txPackets: number | null;
  } | null;
}

/**
 * The part of a sample the next computeUsage needs. With `reuse` (a baseline of the caller's own, not handed
 * out) that object is written over and returned: a monitor keeps one per container and makes none per sweep.
 */
export function baselineOf(stats: ContainerStats, reuse: UsageBaseline | null = null): UsageBaseline {
  const { cpu, blkio, network } = stats;
  const kept = reuse ?? {
    id: '',
    cgroup: { inode: 0 },
    monotonicNs: 0,
    cpu: { usageNs: 0, userNs: 0, systemNs: 0 },
    host: { systemCpuNs: 0 },
    blkio: { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 },
    network: null,
  };
  kept.id = stats.id;
  kept.cgroup.inode = stats.cgroup.inode;
  kept.monotonicNs = stats.monotonicNs;
  kept.cpu.usageNs = cpu.usageNs;
  kept.cpu.userNs = cpu.userNs;
  kept.cpu.systemNs = cpu.systemNs;
  kept.host.systemCpuNs = stats.host.systemCpuNs;
  kept.blkio.readBytes = blkio.readBytes;
  kept.blkio.writeBytes = blkio.writeBytes;
  kept.blkio.readOps = blkio.readOps;
  kept.blkio.writeOps = blkio.writeOps;
  if (network === null) kept.network = null;
  else {
    const net = (kept.network ??= {
      mode: network.mode,
      netns: 0,
      rxBytes: null,
      txBytes: null,
      rxPackets: null,
      txPackets: null,
    });
    net.mode = network.mode;
    net.netns = network.netns;
    net.rxBytes = network.rxBytes;
    net.txBytes = network.txBytes;
    net.rxPackets = network.rxPackets;
    net.txPackets = network.txPackets;
  }
  return kept;
}

/** True when prev is no baseline for next: another cgroup, another network namespace, or a counter went backwards. */
function isReset(prev: UsageBaseline, next: ContainerStats): boolean {
  if (prev.id !== next.id || prev.cgroup.inode !== next.cgroup.inode) return true;
  if (
    next.cpu.usageNs < prev.cpu.usageNs ||
    next.cpu.userNs < prev.cpu.userNs ||
    next.cpu.systemNs < prev.cpu.systemNs
  ) {
    return true;
  }
  if (next.host.systemCpuNs < prev.host.systemCpuNs) return true;
  const a = prev.blkio,
    b = next.blkio;
  if (b.readBytes < a.readBytes || b.writeBytes < a.writeBytes || b.readOps < a.readOps || b.writeOps < a.writeOps) {
    return true;
  }
  const netA = prev.network,
    netB = next.network;
  if (hasTotals(netA) && hasTotals(netB)) {
    if (netA.netns !== netB.netns) return true;
    if (
      netB.rxBytes < netA.rxBytes ||
      netB.txBytes < netA.txBytes ||
      netB.rxPackets < netA.rxPackets ||
      netB.txPackets < netA.txPackets
    )
      return true;
  }
  return false;
}

/** Whether a sample has network totals to compare: read, not the host's, and every total known. */
function hasTotals(
  net: UsageBaseline['network'],
): net is NonNullable<UsageBaseline['network']> & Record<'rxBytes' | 'txBytes' | 'rxPackets' | 'txPackets', number> {
  return (
    net !== null &&
    net.mode !== 'host' &&
    net.rxBytes !== null &&
    net.txBytes !== null &&
    net.rxPackets !== null &&
    net.txPackets !== null
  );
}

function memoryUsage(stats: ContainerStats): MemoryUsage {
  const memTotal = stats.host.memTotal;
  const limit = stats.memory.limit === null ? memTotal : Math.min(stats.memory.limit, memTotal);
  const usage = stats.memory.workingSet;
  return new MemoryUsageObject(usage, limit, limit > 0 ? (usage / limit) * 100 : null);
}

function capacityCores(stats: ContainerStats): number | null {
  const { limitCores, cpusetCpus } = stats.cpu;
  const cpuset = cpusetCpus !== null && cpusetCpus < stats.host.onlineCpus ? cpusetCpus : null;
  if (limitCores === null) return cpuset;
  return cpuset === null ? limitCores : Math.min(limitCores, cpuset);
}

/**
 * Usage of `next`, with `prev` (the same container's previous sample) as the baseline. Without a usable
 * baseline (no prev, a reset, or a clock that did not advance) every rate and cpu.percent is null; memory
 * and pids need no baseline. Never returns a negative rate: a counter that went backwards is a reset.
 */
export function computeUsage(
  prev: UsageBaseline | ContainerStats | null | undefined,
  next: ContainerStats,
): ContainerUsage {
  const reset = prev != null && isReset(prev, next);
  const elapsed = prev != null ? next.monotonicNs - prev.monotonicNs : 0;
  const intervalNs = elapsed > 0 ? elapsed : null;
  const baseline = prev != null && !reset && intervalNs !== null ? prev : null;
  const capacity = capacityCores(next);
  const nextNet = next.network;
  const hasNet = hasTotals(nextNet);
  const memory = memoryUsage(next);
  const pids = new PidsObject(next.pids.current, next.pids.limit);

  // Each object made once, as the caller gets it (no shared constants, no copies).
  let cpu: CpuUsage;
  let blkio: BlkioRates;
  let network: NetworkRates | null;
  if (baseline === null || intervalNs === null) {
    cpu = new CpuUsageObject(null, null, capacity, null, null);
    blkio = new BlkioRatesObject(null, null, null, null);
    network = hasNet ? new NetworkRatesObject(null, null, null, null) : null;
  } else {
    // Docker's formula, scaled by host CPU time; when /proc/stat did not move (two reads within one clock
    // tick) the wall-clock interval stands in for it, which the formula approximates anyway (Δhost CPU
    // time ≈ interval × online CPUs).
    const hostDelta = next.host.systemCpuNs - baseline.host.systemCpuNs;
    const scale = hostDelta > 0 ? (next.host.onlineCpus * 100) / hostDelta : 100 / intervalNs;
    const percent = (next.cpu.usageNs - baseline.cpu.usageNs) * scale;
    cpu = new CpuUsageObject(
      percent,
      capacity !== null && capacity > 0 ? percent / capacity : null,
      capacity,
      (next.cpu.userNs - baseline.cpu.userNs) * scale,
      (next.cpu.systemNs - baseline.cpu.systemNs) * scale,
    );
    const perSec = 1e9 / intervalNs;
    blkio = new BlkioRatesObject(
      (next.blkio.readBytes - baseline.blkio.readBytes) * perSec,
      (next.blkio.writeBytes - baseline.blkio.writeBytes) * perSec,
      (next.blkio.readOps - baseline.blkio.readOps) * perSec,
      (next.blkio.writeOps - baseline.blkio.writeOps) * perSec,
    );
    const prevNet = baseline.network;
    network = !hasNet
      ? null
      : hasTotals(prevNet)
        ? new NetworkRatesObject(
            (nextNet.rxBytes - prevNet.rxBytes) * perSec,
            (nextNet.txBytes - prevNet.txBytes) * perSec,
            (nextNet.rxPackets - prevNet.rxPackets) * perSec,
            (nextNet.txPackets - prevNet.txPackets) * perSec,
          )
        : new NetworkRatesObject(null, null, null, null);
  }

  return new ContainerUsageObject(
    next.id,
    next.name,
    next.timestamp,
    intervalNs,
    reset,
    cpu,
    memory,
    network,
    blkio,
    pids,
  );
}
