// ctrstat: container resource stats read straight from the Linux kernel.
export { readContainerStats, type ReadOptions } from './stats.js';
export { listContainers, type ListOptions } from './discovery/list.js';
export { resolveContainer, resolveContainers } from './discovery/resolve.js';
export { detectLayout } from './discovery/mode.js';
export { StatsSampler, type SampleError, type SamplerOptions, type SampleContext } from './sampler.js';
export {
  baselineOf,
  computeUsage,
  type ContainerUsage,
  type CpuUsage,
  type MemoryUsage,
  type NetworkRates,
  type BlkioRates,
  type UsageBaseline,
} from './usage.js';
export {
  createMonitor,
  Monitor,
  type MonitorEvents,
  type MonitorOptions,
  type MonitorSample,
  type MonitorSweep,
} from './monitor/monitor.js';
export {
  readNetworkNamespace,
  readNetworkNamespaces,
  type NetworkNamespaceCounters,
  type NetworkNamespaceError,
  type NetworkNamespaceOptions,
  type NetworkNamespaceTarget,
} from './network/netns.js';
export {
  CtrstatError,
  ContainerNotFoundError,
  AmbiguousReferenceError,
  InvalidReferenceError,
  InvalidOptionError,
  PermissionDeniedError,
  UnsupportedLayoutError,
  CgroupFormatError,
  type SystemError,
} from './errors.js';
export type { CgroupLayout, CgroupMount, CgroupDirs, ResolvedContainer } from './discovery/types.js';
export type * from './types.js';
