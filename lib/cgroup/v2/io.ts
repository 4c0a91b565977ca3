// cgroup v2 io controller (Documentation/admin-guide/cgroup-v2.rst "IO"): io.stat lists only devices
// that saw I/O, with keys that grow over kernels (dbytes/dios, cost.*); only the four counters are used.
import type { BlkioDeviceStats } from '../../types.js';
import { defineController, required } from '../controller.js';
import { sumDevices } from '../devices.js';
import { parseIoStat } from '../parse.js';
import { BlkioDeviceObject } from '../stats-objects.js';

export const ioV2 = defineController({
  field: 'blkio',
  version: 2,
  hierarchy: 'unified',
  enabledBy: 'io',
  files: () => [required('io.stat')],
  read(files, _prepared, { deviceName }) {
    const devices: BlkioDeviceStats[] = [];
    for (const { major, minor, counters } of files.parseRequired('io.stat', parseIoStat)) {
      devices.push(
        new BlkioDeviceObject(
          major,
          minor,
          deviceName(major, minor),
          files.key('io.stat', counters, 'rbytes'),
          files.key('io.stat', counters, 'wbytes'),
          files.key('io.stat', counters, 'rios'),
          files.key('io.stat', counters, 'wios'),
        ),
      );
    }
    return sumDevices(devices);
  },
});
