// Synthetic ContainerStats for unit tests: a plausible idle container on a 4-CPU, 8 GiB host, with
// overrides merged in depth (arrays and null replace).
import type { ContainerStats, NetworkStats } from '../../lib/types.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(patch) || !isPlainObject(base)) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = key in base ? merge(base[key as keyof T], value) : value;
  }
  return out as T;
}

export function privateNetwork(overrides: Partial<NetworkStats> = {}): NetworkStats {
  return {
    mode: 'private',
    netns: 4026532000,
    sharedWith: [],
    rxBytes: 0,
    txBytes: 0,
    rxPackets: 0,
    txPackets: 0,
    rxErrors: 0,
    txErrors: 0,
    rxDropped: 0,
    txDropped: 0,
    interfaces: {},
    ...overrides,
  };
}

export function makeStats(overrides: DeepPartial<ContainerStats> = {}): ContainerStats {
  const base: ContainerStats = {
    id: 'a'.repeat(64),
    name: 'web',
    runtime: 'docker',
    image: 'bb:local',
    imageId: null,
    labels: {},
    kubernetes: null,
    containerdNamespace: null,
    cgroup: { version: 1, path: `/docker/${'a'.repeat(64)}`, inode: 1001 },
    pid: 4242,
    startedAt: 1_699_999_000_000,
    timestamp: 1_700_000_000_000,
    monotonicNs: 1_000_000_000_000,
    memory: {
      usage: 120 * MiB,
      limit: null,
      workingSet: 100 * MiB,
      rss: 80 * MiB,
      cache: 40 * MiB,
      swap: { usage: null, limit: null },
      maxUsage: null,
      oomEvents: 0,
      failcnt: 0,
      events: null,
      stat: {},
    },
    cpu: {
      usageNs: 50e9,
      userNs: 40e9,
      systemNs: 10e9,
      perCpuNs: null,
      throttling: { periods: 0, throttledPeriods: 0, throttledNs: 0 },
      limitCores: null,
      quotaUs: null,
      periodUs: null,
      cpusetCpus: 4,
    },
    blkio: { readBytes: 1e6, writeBytes: 2e6, readOps: 100, writeOps: 200, devices: [] },
    pids: { current: 3, limit: null },
    pressure: null,
    hugetlb: null,
    network: privateNetwork({ rxBytes: 10_000, txBytes: 5_000, rxPackets: 100, txPackets: 50 }),
    host: { onlineCpus: 4, systemCpuNs: 4_000e9, memTotal: 8 * GiB },
  };
  return merge(base, overrides);
}

export interface Advance {
  /** Measured monotonic nanoseconds between the samples. */
  intervalNs: number;
  /** Host CPU time added (all CPUs); default intervalNs × onlineCpus. */
  hostCpuNs?: number;
  cpuNs?: number;
  userNs?: number;
  systemNs?: number;
  readBytes?: number;
  writeBytes?: number;
  readOps?: number;
  writeOps?: number;
  rxBytes?: number;
  txBytes?: number;
  rxPackets?: number;
  txPackets?: number;
}

/** The sample that follows `prev` after the given counter increments. */
export function advance(prev: ContainerStats, by: Advance): ContainerStats {
  const net = prev.network;
  return {
    ...prev,
    timestamp: prev.timestamp + Math.round(by.intervalNs / 1e6),
    monotonicNs: prev.monotonicNs + by.intervalNs,
    cpu: {
      ...prev.cpu,
      usageNs: prev.cpu.usageNs + (by.cpuNs ?? 0),
      userNs: prev.cpu.userNs + (by.userNs ?? 0),
      systemNs: prev.cpu.systemNs + (by.systemNs ?? 0),
    },
    host: { ...prev.host, systemCpuNs: prev.host.systemCpuNs + (by.hostCpuNs ?? by.intervalNs * prev.host.onlineCpus) },
    blkio: {
      ...prev.blkio,
      readBytes: prev.blkio.readBytes + (by.readBytes ?? 0),
      writeBytes: prev.blkio.writeBytes + (by.writeBytes ?? 0),
      readOps: prev.blkio.readOps + (by.readOps ?? 0),
      writeOps: prev.blkio.writeOps + (by.writeOps ?? 0),
    },
    network:
      net === null || net.rxBytes === null
        ? net
        : {
            ...net,
            rxBytes: net.rxBytes + (by.rxBytes ?? 0),
            txBytes: (net.txBytes ?? 0) + (by.txBytes ?? 0),
            rxPackets: (net.rxPackets ?? 0) + (by.rxPackets ?? 0),
            txPackets: (net.txPackets ?? 0) + (by.txPackets ?? 0),
          },
  };
}
