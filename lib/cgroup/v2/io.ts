// cgroup v2 io controller (Documentation/admin-guide/cgroup-v2.rst "IO"): io.stat lists only devices
// that saw I/O, with keys that grow over kernels (dbytes/dios, cost.*); only the four counters are used.
import type { BlkioDeviceStats, BlkioStats } from '../../types.js';
import type { CgroupFiles, ControllerFiles } from '../files.js';
import { parseIoStat } from '../parse.js';
import { sumDevices } from '../devices.js';

export const IO_V2_FILES: ControllerFiles = { required: ['io.stat'], optional: [] };

export function readIoV2(files: CgroupFiles, deviceName: (major: number, minor: number) => string | null): BlkioStats {
  const devices: BlkioDeviceStats[] = [];
  for (const { major, minor, counters } of files.parseRequired('io.stat', parseIoStat)) {
    devices.push({
      major,
      minor,
      name: deviceName(major, minor),
      readBytes: files.key('io.stat', counters, 'rbytes'),
      writeBytes: files.key('io.stat', counters, 'wbytes'),
      readOps: files.key('io.stat', counters, 'rios'),
      writeOps: files.key('io.stat', counters, 'wios'),
    });
  }
  return sumDevices(devices);
}

/** Devices named in io.stat, for preloading their names. */
export function ioV2Devices(files: CgroupFiles): Array<[number, number]> {
  if (!files.has('io.stat')) return [];
  const seen = new Map<string, [number, number]>();
  const { keyNames, keys, start, end } = files.required('io.stat');
  for (let i = start; i < end; i++) {
    const device = keyNames.device(keys[i]!);
    if (device !== null) seen.set(`${device[0]}:${device[1]}`, [device[0], device[1]]);
  }
  return [...seen.values()];
}
