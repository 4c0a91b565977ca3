// cgroup v2 io controller (Documentation/admin-guide/cgroup-v2.rst "IO"): io.stat lists only devices
// that saw I/O, with keys that grow over kernels (dbytes/dios, cost.*); only the four counters are used.
import type { BlkioDeviceStats, BlkioStats } from '../../types.js';
import type { CgroupFiles } from '../files.js';
import { parseNestedKeyed } from '../parse.js';
import { CgroupFormatError } from '../errors.js';
import { sumDevices } from '../devices.js';

export const IO_V2_FILES = ['io.stat'] as const;

const DEVICE = /^(\d+):(\d+)$/;

export function readIoV2(files: CgroupFiles, deviceName: (major: number, minor: number) => string | null): BlkioStats {
  const stat = files.parseRequired('io.stat', parseNestedKeyed);
  const devices: BlkioDeviceStats[] = [];
  for (const [key, values] of Object.entries(stat)) {
    const device = DEVICE.exec(key);
    if (device === null) throw new CgroupFormatError(`${files.path('io.stat')}: bad device ${JSON.stringify(key)}`);
    const major = Number(device[1]);
    const minor = Number(device[2]);
    devices.push({
      major,
      minor,
      name: deviceName(major, minor),
      readBytes: files.key('io.stat', values, 'rbytes'),
      writeBytes: files.key('io.stat', values, 'wbytes'),
      readOps: files.key('io.stat', values, 'rios'),
      writeOps: files.key('io.stat', values, 'wios'),
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
