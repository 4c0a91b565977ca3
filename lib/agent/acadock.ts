// acadock-monitoring v2.1's HTTP API: the same paths, JSON keys and units, with its known bugs fixed:
// - network is the container's own view (every interface but loopback, summed), not the host-side veth
//   of eth0 read inverted;
// - rates are over the measured time between two samples, not the nominal refresh period;
// - CPU % is a float (one busy core = 100), null until two samples exist instead of 0 or a lifetime average;
// - "unlimited" is null, and sums skip unlimited containers instead of wrapping around 2^64;
// - an unknown container is a 404, never a 200 of zeros; a counter the kernel does not have is null.
import type { ContainerStats, ContainerUsage, InterfaceStats } from '../index.js';
import { HttpError, sendJson, sendJsonText, stringifyInSlices } from './http.js';
import { lookupContainer, requireSnapshot, type ReadOne } from './lookup.js';
import type { RouteContext, Router } from './router.js';
import type { Snapshot } from './snapshot.js';

const MIB = 1024 * 1024;

export function acadockMemory(stats: ContainerStats) {
  const { memory } = stats;
  return {
    memory_usage: memory.usage,
    swap_usage: memory.swap.usage,
    memory_limit: memory.limit,
    swap_limit: memory.swap.limit,
    max_memory_usage: memory.maxUsage,
    // The kernel keeps no swap peak on v1, and ctrstat does not read v2's memory.swap.peak.
    max_swap_usage: null,
  };
}

export function acadockCpu(usage: ContainerUsage) {
  return { usage_in_percents: usage.cpu.percent };
}

type Counters = Record<
  'bytes' | 'packets' | 'drop' | 'errs' | 'fifo' | 'frame' | 'compressed' | 'multicast',
  number | null
>;

const NO_COUNTERS: Counters = {
  bytes: null,
  packets: null,
  drop: null,
  errs: null,
  fifo: null,
  frame: null,
  compressed: null,
  multicast: null,
};

function sum(interfaces: readonly InterfaceStats[], key: keyof InterfaceStats): number {
  let total = 0;
  for (const iface of interfaces) total += iface[key] as number;
  return total;
}

export function acadockNet(stats: ContainerStats, usage: ContainerUsage) {
  const network = stats.network;
  // Not read (network: false), no process, or the host's namespace (its traffic is not the container's).
  if (network === null || network.mode === 'host') {
    return { interface: null, received: NO_COUNTERS, transmit: NO_COUNTERS, rx_bps: null, tx_bps: null };
  }
  const names = Object.keys(network.interfaces)
    .filter((name) => name !== 'lo')
    .sort();
  const own = names.map((name) => network.interfaces[name]!);
  return {
    interface: names.join(','),
    received: {
      bytes: sum(own, 'rxBytes'),
      packets: sum(own, 'rxPackets'),
      drop: sum(own, 'rxDropped'),
      errs: sum(own, 'rxErrors'),
      fifo: sum(own, 'rxFifoErrors'),
      frame: sum(own, 'rxFrameErrors'),
      compressed: sum(own, 'rxCompressed'),
      multicast: sum(own, 'multicast'),
    },
    transmit: {
      bytes: sum(own, 'txBytes'),
      packets: sum(own, 'txPackets'),
      drop: sum(own, 'txDropped'),
      errs: sum(own, 'txErrors'),
      fifo: sum(own, 'txFifoErrors'),
      compressed: sum(own, 'txCompressed'),
      // No such transmit counters (acadock filled them with collisions and carrier errors).
      frame: null,
      multicast: null,
    },
    rx_bps: usage.network?.rxBytesPerSec ?? null,
    tx_bps: usage.network?.txBytesPerSec ?? null,
  };
}

export function acadockIo(stats: ContainerStats) {
  return {
    devices: stats.blkio.devices.map((device) => ({
      device_path: device.name === null ? null : `/dev/${device.name}`,
      // ctrstat does not map devices to mount points.
      mountpoint: null,
      major: device.major,
      minor: device.minor,
      read_bytes: device.readBytes,
      write_bytes: device.writeBytes,
      read_ios: device.readOps,
      write_ios: device.writeOps,
    })),
  };
}

export function acadockUsage(stats: ContainerStats, usage: ContainerUsage) {
  return { memory: acadockMemory(stats), cpu: acadockCpu(usage), io: acadockIo(stats), net: acadockNet(stats, usage) };
}

function allContainersUsage(snapshot: Snapshot): Promise<string> {
  return stringifyInSlices(
    snapshot.samples.map(
      ({ stats, usage }) => [stats.id, { ...acadockUsage(stats, usage), labels: stats.labels }] as const,
    ),
    true,
  );
}

/** The sum of the known values (null: unlimited or not measured, left out). */
function sumKnown(values: ReadonlyArray<number | null>): number {
  let total = 0;
  for (const value of values) if (value !== null) total += value;
  return total;
}

export function acadockHost(snapshot: Snapshot, labelKey: string | null) {
  const host = snapshot.host;
  if (host === null)
    throw new HttpError(
      503,
      'ERR_HOST_UNREADABLE',
      `The host's figures could not be read: ${snapshot.hostError?.message ?? 'unknown'}`,
    );
  const counted = snapshot.samples
    .filter(({ stats }) => labelKey === null || Object.hasOwn(stats.labels, labelKey))
    .map(({ stats }) => stats.memory);
  const { memory } = host;
  return {
    cpu: {
      usage: snapshot.hostBusy,
      amount: host.cpus,
      queue_length_exponentially_smoothed: snapshot.runQueueSmoothed,
    },
    memory: {
      // MiB, as acadock (the rest of the object is in bytes).
      free: Math.floor((memory.free + memory.buffers + memory.cached) / MIB),
      total: Math.floor(memory.total / MIB),
      swap: Math.floor((memory.swapTotal - memory.swapFree) / MIB),
      memory_usage: sumKnown(counted.map((m) => m.usage)),
      // Limits of the limited containers only: an unlimited one adds nothing (acadock added 2^63 or 2^64−1).
      memory_committed: sumKnown(counted.map((m) => m.limit)),
      max_memory_usage: sumKnown(counted.map((m) => m.maxUsage)),
      swap_usage: sumKnown(counted.map((m) => m.swap.usage)),
      swap_committed: sumKnown(counted.map((m) => m.swap.limit)),
      max_swap_usage: null,
    },
  };
}

export function registerAcadockRoutes(router: Router, current: () => Snapshot | null, readOne: ReadOne): void {
  const one =
    (pick: (stats: ContainerStats, usage: ContainerUsage) => unknown) =>
    async ({ req, res, params }: RouteContext) => {
      const { stats, usage } = await lookupContainer(params.ref!, current(), readOne);
      sendJson(req, res, 200, pick(stats, usage));
    };
  router
    .get('/containers/usage', async ({ req, res }) => {
      const snapshot = requireSnapshot(current());
      sendJsonText(req, res, await snapshot.memo('acadock:containers', () => allContainersUsage(snapshot)));
    })
    .get(
      '/containers/:ref/mem',
      one((stats) => acadockMemory(stats)),
    )
    .get(
      '/containers/:ref/cpu',
      one((_stats, usage) => acadockCpu(usage)),
    )
    .get(
      '/containers/:ref/net',
      one((stats, usage) => acadockNet(stats, usage)),
    )
    .get(
      '/containers/:ref/io',
      one((stats) => acadockIo(stats)),
    )
    .get(
      '/containers/:ref/usage',
      one((stats, usage) => acadockUsage(stats, usage)),
    )
    .get('/host/usage', ({ req, res, url }) => {
      const labelKey = url.searchParams.get('include_container_if_label');
      sendJson(req, res, 200, acadockHost(requireSnapshot(current()), labelKey === '' ? null : labelKey));
    });
}
