// cgroup v1 blkio controller (Documentation/admin-guide/cgroup-v1/blkio-controller.rst).
import type { BlkioDeviceStats, BlkioStats } from '../../types.js';
import { defineController, optional, type DeviceNameLookup } from '../controller.js';
import type { CgroupFiles } from '../files.js';
import type { BlkioV1Entry } from '../parse.js';
import { parseBlkioV1 } from '../parse.js';
import { devicesOfKeys, sumDevices } from '../devices.js';

/**
 * Where the counters may be, in runc's fallback order. Which set counts depends on the kernel: CFQ is
 * gone since 5.0 (blk-mq), BFQ counts only devices using the bfq scheduler, throttle counts only devices
 * with a throttle rule on older kernels. All are read in the same trip; the first set with entries wins.
 */
export const BLKIO_V1_FILE_SETS = [
  { bytes: 'blkio.bfq.io_service_bytes_recursive', ops: 'blkio.bfq.io_serviced_recursive' },
  { bytes: 'blkio.io_service_bytes_recursive', ops: 'blkio.io_serviced_recursive' },
  { bytes: 'blkio.throttle.io_service_bytes_recursive', ops: 'blkio.throttle.io_serviced_recursive' },
  { bytes: 'blkio.throttle.io_service_bytes', ops: 'blkio.throttle.io_serviced' },
] as const;

/** Every counter file: a kernel offers only some of the sets (no CFQ files since 5.0); readBlkioV1 needs one. */
const BLKIO_V1_FILES = BLKIO_V1_FILE_SETS.flatMap((set) => [set.bytes, set.ops]);

function deviceKey(major: number, minor: number): string {
  return `${major}:${minor}`;
}

/** Adds Read and Write entries (any case) to the devices; Sync/Async/Discard/Total would double-count. */
function addEntries(
  devices: Map<string, BlkioDeviceStats>,
  entries: BlkioV1Entry[],
  field: { read: 'readBytes' | 'readOps'; write: 'writeBytes' | 'writeOps' },
  deviceName: DeviceNameLookup,
): void {
  for (const entry of entries) {
    const op = entry.op.toLowerCase();
    if (op !== 'read' && op !== 'write') continue;
    const key = deviceKey(entry.major, entry.minor);
    let device = devices.get(key);
    if (device === undefined) {
      device = {
        major: entry.major,
        minor: entry.minor,
        name: deviceName(entry.major, entry.minor),
        readBytes: 0,
        writeBytes: 0,
        readOps: 0,
        writeOps: 0,
      };
      devices.set(key, device);
    }
    device[field[op]] += entry.value;
  }
}

function readBlkioV1(files: CgroupFiles, deviceName: DeviceNameLookup): BlkioStats {
  let chosen: { bytes: BlkioV1Entry[]; ops: BlkioV1Entry[] } | null = null;
  let anyReadable = false;
  for (const set of BLKIO_V1_FILE_SETS) {
    const bytes = files.parseOptional(set.bytes, parseBlkioV1);
    if (bytes === null) continue;
    anyReadable = true;
    if (bytes.length === 0) continue;
    chosen = { bytes, ops: files.parseRequired(set.ops, parseBlkioV1) };
    break;
  }
  // Not one counter file: the directory itself is gone (or unreadable); let the failure say which.
  if (!anyReadable) files.required(BLKIO_V1_FILE_SETS[BLKIO_V1_FILE_SETS.length - 1]!.bytes);

  const devices = new Map<string, BlkioDeviceStats>();
  if (chosen !== null) {
    addEntries(devices, chosen.bytes, { read: 'readBytes', write: 'writeBytes' }, deviceName);
    addEntries(devices, chosen.ops, { read: 'readOps', write: 'writeOps' }, deviceName);
  }
  return sumDevices([...devices.values()]);
}

export const blkioV1 = defineController({
  field: 'blkio',
  version: 1,
  hierarchy: 'blkio',
  files: () =>
    BLKIO_V1_FILES.map((name) =>
      optional(name, 'a kernel offers only some of the sets (no CFQ files since 5.0, BFQ only with that scheduler)'),
    ),
  read: (files, _prepared, { deviceName }) => readBlkioV1(files, deviceName),
  devices: (files) => devicesOfKeys(files, BLKIO_V1_FILES),
});
