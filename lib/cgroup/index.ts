// The cgroup reading layer: plan the files of each container, read all plans in one batch, build stats.
//   const plan = cgroupFilePlan(container.dirs, container.version);       // per container
//   const answers = await native.readFiles(allPlansConcatenated);           // one trip
//   await resolver.preload(cgroupBlockDevices(plan, slice));               // device names, cached
//   const stats = buildCgroupStats(plan, slice, resolver.lookup);           // throws CgroupGoneError if gone
export { cgroupFilePlan } from './plan.js';
export type { CgroupFilePlan } from './plan.js';
export { buildCgroupStats, cgroupBlockDevices } from './build.js';
export type { CgroupStats, DeviceNameLookup } from './build.js';
export { CgroupGoneError, CgroupFormatError } from './errors.js';
export { createDeviceNameResolver } from './devices.js';
export type { DeviceNameResolver, ReadFiles } from './devices.js';
