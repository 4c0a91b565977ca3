// The cgroup reading layer: plan the files of each container from the controller registry, read all plans
// in one FileSet trip (the files tokenized natively), build stats from each plan's range of the answers.
//   const prepared = await prepareControllers(sysRoot);                          // once per host
//   const plan = cgroupFilePlan(container.dirs, container.version, prepared);    // per container: paths, optional flags
//   const tokens = { batch: await fileSet.read(ids, ...), keyNames };             // every plan's files in one trip
//   await resolver.preload(keyNames.devicesFrom(knownBefore));                    // names of devices new to keys
//   const stats = buildCgroupStats(plan, tokens, offset, resolver.lookup);        // throws CgroupGoneError if gone
export { cgroupFilePlan } from './plan.js';
export type { CgroupFilePlan, ContainerPlan } from './plan.js';
export { buildCgroupStats } from './build.js';
export type { CgroupStats, DeviceNameLookup } from './build.js';
export { CgroupGoneError } from './errors.js';
export { createDeviceNameResolver } from './devices.js';
export type { DeviceNameResolver } from './devices.js';
export { prepareControllers, V1_HIERARCHIES, REQUIRED_V1_HIERARCHIES, type PreparedControllers } from './registry.js';
export { UNIFIED, type CgroupDirs } from './controller.js';
export type { KeptAnswers } from './files.js';
