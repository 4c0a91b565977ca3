// /metrics in the Prometheus text format (0.0.4), a drop-in for cAdvisor: its metric names, types, units
// and label names, families in its (alphabetical) order. Written by hand from one snapshot: no client
// library keeps label children between scrapes (a removed container is simply not in the next sweep),
// and nothing is read per family.
import type { ContainerStats, InterfaceStats, MonitorSample } from '../index.js';
import { containerLabelName } from './options.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Containers rendered between two checks of the time spent. */
const CHUNK = 64;
/** The longest stretch the renderer keeps the event loop before yielding. */
const SLICE_MS = 4;
/** Characters of exposition text gathered before they are copied into the output buffer. */
const PENDING_CHARS = 16 * 1024;

export interface MetricsInput {
  samples: readonly MonitorSample[];
  /** Wall clock of the sweep, ms since the epoch (container_last_seen). */
  timestamp: number;
  /** Start time of each container's process, seconds since the epoch, by id. */
  machine: { cpuCores: number; memoryBytes: number } | null;
  /** Container label keys to export as container_label_<key>. */
  labels: readonly string[];
}

type Emit = (extraLabels: string, value: number) => void;

interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  /** Emits this family's series for one container (none when it has no such figure). */
  collect(stats: ContainerStats, emit: Emit, input: MetricsInput): void;
}

const NS_PER_S = 1e9;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `,name="value"` for an extra label of a series. */
function label(name: string, value: string | number): string {
  return `,${name}="${typeof value === 'number' ? value : escapeLabelValue(value)}"`;
}

/** The interfaces cAdvisor counts: every one but loopback, only where the namespace is the container's own. */
function ownInterfaces(stats: ContainerStats): Array<[string, InterfaceStats]> {
  const network = stats.network;
  // "shared": the counters are another container's (the pod sandbox's, a --network container:x partner's);
  // "host": the machine's. Neither is this container's traffic.
  if (network === null || network.mode !== 'private') return [];
  return Object.entries(network.interfaces).filter(([name]) => name !== 'lo');
}

function deviceName(device: ContainerStats['blkio']['devices'][number]): string {
  return device.name !== null ? `/dev/${device.name}` : `${device.major}:${device.minor}`;
}

const networkFamilies: Family[] = (['receive', 'transmit'] as const).flatMap((direction) => {
  const rx = direction === 'receive';
  const verb = rx ? 'received' : 'transmitted';
  const fields = [
    { suffix: 'bytes_total', help: `Cumulative count of bytes ${verb}`, key: rx ? 'rxBytes' : 'txBytes' },
    {
      suffix: 'errors_total',
      help: `Cumulative count of errors encountered while ${rx ? 'receiving' : 'transmitting'}`,
      key: rx ? 'rxErrors' : 'txErrors',
    },
    {
      suffix: 'packets_dropped_total',
      help: `Cumulative count of packets dropped while ${rx ? 'receiving' : 'transmitting'}`,
      key: rx ? 'rxDropped' : 'txDropped',
    },
    { suffix: 'packets_total', help: `Cumulative count of packets ${verb}`, key: rx ? 'rxPackets' : 'txPackets' },
  ] as const;
  return fields.map((field): Family => ({
    name: `container_network_${direction}_${field.suffix}`,
    type: 'counter',
    help: field.help,
    collect(stats, emit) {
      for (const [name, iface] of ownInterfaces(stats)) emit(label('interface', name), iface[field.key]);
    },
  }));
});

const pressureFamilies: Family[] = (['cpu', 'io', 'memory'] as const).flatMap(
  (resource) =>
    [
      {
        name: `container_pressure_${resource}_stalled_seconds_total`,
        type: 'counter',
        help: `Total time duration no tasks in the container could make progress due to ${resource} congestion.`,
        collect(stats, emit) {
          const full = stats.pressure?.[resource]?.full;
          if (full != null) emit('', full.totalNs / NS_PER_S);
        },
      },
      {
        name: `container_pressure_${resource}_waiting_seconds_total`,
        type: 'counter',
        help: `Total time duration tasks in the container have waited due to ${resource} congestion.`,
        collect(stats, emit) {
          const some = stats.pressure?.[resource]?.some;
          if (some != null) emit('', some.totalNs / NS_PER_S);
        },
      },
    ] satisfies Family[],
);

/** Every container_* family, sorted by name as cAdvisor (the Go client) writes them. */
const FAMILIES: Family[] = [
  {
    name: 'container_blkio_device_usage_total',
    type: 'counter',
    help: 'Blkio device bytes usage',
    collect(stats, emit) {
      for (const device of stats.blkio.devices) {
        const labels = `${label('device', deviceName(device))}${label('major', device.major)}${label('minor', device.minor)}`;
        emit(`${labels}${label('operation', 'Read')}`, device.readBytes);
        emit(`${labels}${label('operation', 'Write')}`, device.writeBytes);
      }
    },
  },
  {
    name: 'container_cpu_cfs_periods_total',
    type: 'counter',
    help: 'Number of elapsed enforcement period intervals.',
    collect(stats, emit) {
      if (stats.cpu.limitCores !== null) emit('', stats.cpu.throttling.periods);
    },
  },
  {
    name: 'container_cpu_cfs_throttled_periods_total',
    type: 'counter',
    help: 'Number of throttled period intervals.',
    collect(stats, emit) {
      if (stats.cpu.limitCores !== null) emit('', stats.cpu.throttling.throttledPeriods);
    },
  },
  {
    name: 'container_cpu_cfs_throttled_seconds_total',
    type: 'counter',
    help: 'Total time duration the container has been throttled.',
    collect(stats, emit) {
      if (stats.cpu.limitCores !== null) emit('', stats.cpu.throttling.throttledNs / NS_PER_S);
    },
  },
  {
    name: 'container_cpu_system_seconds_total',
    type: 'counter',
    help: 'Cumulative system cpu time consumed in seconds.',
    collect(stats, emit) {
      emit('', stats.cpu.systemNs / NS_PER_S);
    },
  },
  {
    name: 'container_cpu_usage_seconds_total',
    type: 'counter',
    help: 'Cumulative cpu time consumed in seconds.',
    collect(stats, emit) {
      const perCpu = stats.cpu.perCpuNs;
      if (perCpu === null || perCpu.length === 0) {
        emit(label('cpu', 'total'), stats.cpu.usageNs / NS_PER_S);
        return;
      }
      perCpu.forEach((ns, i) => emit(label('cpu', `cpu${String(i).padStart(2, '0')}`), ns / NS_PER_S));
    },
  },
  {
    name: 'container_cpu_user_seconds_total',
    type: 'counter',
    help: 'Cumulative user cpu time consumed in seconds.',
    collect(stats, emit) {
      emit('', stats.cpu.userNs / NS_PER_S);
    },
  },
  {
    name: 'container_fs_reads_bytes_total',
    type: 'counter',
    help: 'Cumulative count of bytes read',
    collect(stats, emit) {
      for (const device of stats.blkio.devices) emit(label('device', deviceName(device)), device.readBytes);
    },
  },
  {
    name: 'container_fs_reads_total',
    type: 'counter',
    help: 'Cumulative count of reads completed',
    collect(stats, emit) {
      for (const device of stats.blkio.devices) emit(label('device', deviceName(device)), device.readOps);
    },
  },
  {
    name: 'container_fs_writes_bytes_total',
    type: 'counter',
    help: 'Cumulative count of bytes written',
    collect(stats, emit) {
      for (const device of stats.blkio.devices) emit(label('device', deviceName(device)), device.writeBytes);
    },
  },
  {
    name: 'container_fs_writes_total',
    type: 'counter',
    help: 'Cumulative count of writes completed',
    collect(stats, emit) {
      for (const device of stats.blkio.devices) emit(label('device', deviceName(device)), device.writeOps);
    },
  },
  {
    name: 'container_last_seen',
    type: 'gauge',
    help: 'Last time a container was seen by the exporter',
    collect(_stats, emit, input) {
      emit('', input.timestamp / 1000);
    },
  },
  {
    name: 'container_memory_cache',
    type: 'gauge',
    help: 'Number of bytes of page cache memory.',
    collect(stats, emit) {
      emit('', stats.memory.cache);
    },
  },
  {
    name: 'container_memory_failcnt',
    // cAdvisor types it a counter; promtool's lint refuses a counter whose name does not end in _total,
    // and PromQL (rate, increase) does not look at the type.
    type: 'gauge',
    help: 'Number of memory usage hits limits',
    collect(stats, emit) {
      emit('', stats.memory.failcnt);
    },
  },
  {
    name: 'container_memory_max_usage_bytes',
    type: 'gauge',
    help: 'Maximum memory usage recorded in bytes',
    collect(stats, emit) {
      if (stats.memory.maxUsage !== null) emit('', stats.memory.maxUsage);
    },
  },
  {
    name: 'container_memory_rss',
    type: 'gauge',
    help: 'Size of RSS in bytes.',
    collect(stats, emit) {
      emit('', stats.memory.rss);
    },
  },
  {
    name: 'container_memory_swap',
    type: 'gauge',
    help: 'Container swap usage in bytes.',
    collect(stats, emit) {
      if (stats.memory.swap.usage !== null) emit('', stats.memory.swap.usage);
    },
  },
  {
    name: 'container_memory_usage_bytes',
    type: 'gauge',
    help: 'Current memory usage in bytes, including all memory regardless of when it was accessed',
    collect(stats, emit) {
      emit('', stats.memory.usage);
    },
  },
  {
    name: 'container_memory_working_set_bytes',
    type: 'gauge',
    help: 'Current working set in bytes.',
    collect(stats, emit) {
      emit('', stats.memory.workingSet);
    },
  },
  ...networkFamilies,
  {
    name: 'container_oom_events_total',
    type: 'counter',
    help: 'Count of out of memory events observed for the container',
    collect(stats, emit) {
      emit('', stats.memory.oomEvents);
    },
  },
  ...pressureFamilies,
  {
    name: 'container_spec_cpu_period',
    type: 'gauge',
    help: 'CPU period of the container.',
    collect(stats, emit) {
      if (stats.cpu.quotaUs !== null && stats.cpu.periodUs !== null) emit('', stats.cpu.periodUs);
    },
  },
  {
    name: 'container_spec_cpu_quota',
    type: 'gauge',
    help: 'CPU quota of the container.',
    collect(stats, emit) {
      if (stats.cpu.quotaUs !== null) emit('', stats.cpu.quotaUs);
    },
  },
  {
    name: 'container_spec_memory_limit_bytes',
    type: 'gauge',
    help: 'Memory limit for the container.',
    collect(stats, emit) {
      // cAdvisor exports "unlimited" as 0.
      emit('', stats.memory.limit ?? 0);
    },
  },
  {
    name: 'container_start_time_seconds',
    type: 'gauge',
    help: 'Start time of the container since unix epoch in seconds.',
    collect(stats, emit) {
      if (stats.startedAt !== null) emit('', stats.startedAt / 1000);
    },
  },
  {
    name: 'container_threads',
    type: 'gauge',
    help: 'Number of threads running inside the container',
    collect(stats, emit) {
      // pids.current counts tasks, that is threads.
      emit('', stats.pids.current);
    },
  },
  {
    name: 'container_threads_max',
    type: 'gauge',
    help: 'Maximum number of threads allowed inside the container, infinity if value is zero',
    collect(stats, emit) {
      emit('', stats.pids.limit ?? 0);
    },
  },
];

/**
 * The labels every series of a container carries, as kubelet and cAdvisor name them: id (the cgroup path),
 * image and name ("" when unknown), pod, namespace and container for a Kubernetes container, and the
 * allowed container labels. Sorted by name, as the Go client writes them.
 */
function baseLabels(stats: ContainerStats, allowed: readonly string[]): string {
  const pairs: Array<[string, string]> = [
    ['id', stats.cgroup.path],
    ['image', stats.image ?? ''],
    ['name', stats.name ?? ''],
  ];
  const k8s = stats.kubernetes;
  if (k8s !== null) pairs.push(['container', k8s.container ?? ''], ['namespace', k8s.namespace], ['pod', k8s.pod]);
  for (const key of allowed) {
    if (Object.hasOwn(stats.labels, key)) pairs.push([containerLabelName(key), stats.labels[key]!]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
}

function header(name: string, type: string, help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Bytes appended into one growing buffer. Each line is garbage as soon as it is copied in: tens of
 * thousands of line strings held until the end would survive young-generation collections, and copying
 * them there is what held the event loop longest (tens of milliseconds per scavenge at 1 000 containers).
 */
class ByteWriter {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #length = 0;
  /** Lines gathered into one string first: one UTF-8 copy per few kilobytes rather than per line. */
  #pending = '';

  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= PENDING_CHARS) this.#flush();
  }

  /** The bytes written, in a buffer of their own size. */
  bytes(): Buffer {
    this.#flush();
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }

  #flush(): void {
    const text = this.#pending;
    this.#pending = '';
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const need = this.#length + text.length * 3;
    if (need > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }
}

/**
 * The whole /metrics text (UTF-8) for one snapshot. Yields to the event loop every few milliseconds, so
 * that a thousand containers do not hold other requests (or the monitor's next sweep) for the whole render.
 */
export async function renderMetrics(input: MetricsInput): Promise<Buffer> {
  const { samples } = input;
  const labels = samples.map((sample) => baseLabels(sample.stats, input.labels));
  const out = new ByteWriter();
  let sliceStart = performance.now();
  const maybeYield = async (): Promise<void> => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await yieldToEventLoop();
    sliceStart = performance.now();
  };

  for (const family of FAMILIES) {
    let index = 0;
    let wroteHeader = false;
    const emit: Emit = (extra, value) => {
      if (!wroteHeader) {
        out.write(header(family.name, family.type, family.help));
        wroteHeader = true;
      }
      out.write(`${family.name}{${labels[index]}${extra}} ${value}\n`);
    };
    for (index = 0; index < samples.length; index++) {
      if (index > 0 && index % CHUNK === 0) await maybeYield();
      family.collect(samples[index]!.stats, emit, input);
    }
  }
  if (input.machine !== null) {
    out.write(
      `${header('machine_cpu_cores', 'gauge', 'Number of logical CPU cores on the machine.')}machine_cpu_cores ${input.machine.cpuCores}\n`,
    );
    out.write(
      `${header('machine_memory_bytes', 'gauge', 'Amount of memory installed on the machine.')}machine_memory_bytes ${input.machine.memoryBytes}\n`,
    );
  }
  return out.bytes();
}
