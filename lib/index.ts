// ctrstat: container resource stats read straight from the Linux kernel.
export { readContainerStats, type ReadOptions } from './stats.js';
export { listContainers } from './discovery/list.js';
export { resolveContainer } from './discovery/resolve.js';
export { detectLayout } from './discovery/mode.js';
export { StatsSampler, type SamplerOptions, type SampleContext } from './sampler.js';
export { baselineOf, computeUsage, type ContainerUsage, type UsageBaseline } from './usage.js';
export { createMonitor, type Monitor, type MonitorOptions } from './monitor.js';
export { readNetworkNamespace, readNetworkNamespaces, type NetworkNamespaceCounters } from './network/netns.js';
export {
  CtrstatError,
  ContainerNotFoundError,
  AmbiguousReferenceError,
  InvalidReferenceError,
  PermissionDeniedError,
  UnsupportedLayoutError,
  type SystemError,
} from './errors.js';
export type { CgroupLayout, CgroupDirs, ResolvedContainer } from './discovery/types.js';
export type * from './types.js';
