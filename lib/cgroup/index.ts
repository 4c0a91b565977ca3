// The cgroup reading layer: plan the files of each container, read all plans in one FileSet trip (the
// files tokenized natively), build stats from each plan's range of the answers.
//   const plan = cgroupFilePlan(container.dirs, container.version);      // per container: paths, optional flags
//   const tokens = { batch: await fileSet.read(ids, ...), keyNames };     // every plan's files in one trip
//   await resolver.preload(cgroupBlockDevices(plan, tokens, offset));     // device names, cached
//   const stats = buildCgroupStats(plan, tokens, offset, resolver.lookup); // throws CgroupGoneError if gone
export { cgroupFilePlan } from './plan.js';
export type { CgroupFilePlan } from './plan.js';
export { buildCgroupStats, cgroupBlockDevices } from './build.js';
export type { CgroupStats, DeviceNameLookup } from './build.js';
export { CgroupGoneError, CgroupFormatError } from './errors.js';
export { createDeviceNameResolver } from './devices.js';
export type { DeviceNameResolver } from './devices.js';
