// Cgroup stats of one container from the answers to its file plan.
import type { BlkioStats, CpuStats, MemoryStats, PidsStats, PressureStats } from '../types.js';
import { CgroupFiles } from './files.js';
import type { TokenBatch } from '../io/tokens.js';
import type { CgroupFilePlan } from './files.js';
import { readMemoryV1 } from './v1/memory.js';
import { readCpuV1 } from './v1/cpu.js';
import { blkioV1Devices, readBlkioV1 } from './v1/blkio.js';
import { readPidsV1 } from './v1/pids.js';
import { readMemoryV2 } from './v2/memory.js';
import { readCpuV2 } from './v2/cpu.js';
import { ioV2Devices, readIoV2 } from './v2/io.js';
import { readPidsV2 } from './v2/pids.js';
import { readPressure } from './v2/pressure.js';

export interface CgroupStats {
  memory: MemoryStats;
  cpu: CpuStats;
  blkio: BlkioStats;
  pids: PidsStats;
  pressure: PressureStats | null;
}

/** Names the kernel block device major:minor, or null (see devices.ts createDeviceNameResolver). */
export type DeviceNameLookup = (major: number, minor: number) => string | null;

/**
 * The batch answers plan.paths from `offset` on. Throws CgroupGoneError when a required file is gone (ENOENT, ENOTDIR,
 * ENODEV, ESRCH): the cgroup was removed, the caller reports ContainerNotFoundError. Throws PermissionDeniedError
 * (EACCES/EPERM), UnsupportedLayoutError (v2 controller not enabled for the cgroup), CgroupFormatError,
 * or a system error for anything else. Optional files that are absent give null fields.
 */
export function buildCgroupStats(
  plan: CgroupFilePlan,
  tokens: TokenBatch,
  offset: number,
  deviceNames: DeviceNameLookup,
): CgroupStats {
  const files = new CgroupFiles(plan, tokens, offset);
  if (plan.version === 2) {
    files.required('cgroup.controllers');
    return {
      memory: readMemoryV2(files),
      cpu: readCpuV2(files),
      blkio: readIoV2(files, deviceNames),
      pids: readPidsV2(files),
      pressure: readPressure(files),
    };
  }
  return {
    memory: readMemoryV1(files),
    cpu: readCpuV1(files),
    blkio: readBlkioV1(files, deviceNames),
    pids: readPidsV1(files),
    pressure: readPressure(files),
  };
}

/** The block devices the answers mention, to preload their names before buildCgroupStats. */
export function cgroupBlockDevices(plan: CgroupFilePlan, tokens: TokenBatch, offset: number): Array<[number, number]> {
  const files = new CgroupFiles(plan, tokens, offset);
  return plan.version === 2 ? ioV2Devices(files) : blkioV1Devices(files);
}
