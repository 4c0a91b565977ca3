// cgroup v1 blkio controller (Documentation/admin-guide/cgroup-v1/blkio-controller.rst).
import { readdir } from 'node:fs/promises';
import type { BlkioDeviceStats, BlkioStats } from '../../types.js';
import { defineController, optional, type DeviceNameLookup } from '../controller.js';
import type { CgroupFiles } from '../files.js';
import type { BlkioV1Entry } from '../parse.js';
import { parseBlkioV1 } from '../parse.js';
import { sumDevices } from '../devices.js';
import { BlkioDeviceObject } from '../stats-objects.js';

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

type BlkioV1FileSet = (typeof BLKIO_V1_FILE_SETS)[number];

/**
 * The sets this host's kernel offers, found once from the files of the blkio hierarchy's root (every cgroup
 * of a v1 hierarchy has the same interface files). Where the recursive throttle counters exist, the plain
 * ones are left out: the recursive set comes first and counts the cgroup's own I/O too, so the plain set
 * (with entries only where the recursive one has them) is never the answer. undefined (every set planned,
 * the first with entries wins) where the hierarchy is not found under sysRoot.
 */
async function blkioFileSets(sysRoot: string): Promise<readonly BlkioV1FileSet[] | undefined> {
  let names: Set<string>;
  try {
    const mounts = await readdir(`${sysRoot}/fs/cgroup`);
    const mount = mounts.find((entry) => entry.split(',').includes('blkio'));
    if (mount === undefined) return undefined;
    names = new Set(await readdir(`${sysRoot}/fs/cgroup/${mount}`));
  } catch {
    return undefined;
  }
  const present = BLKIO_V1_FILE_SETS.filter((set) => names.has(set.bytes) && names.has(set.ops));
  if (present.length === 0) return undefined;
  if (!present.some((set) => set.bytes === 'blkio.throttle.io_service_bytes_recursive')) return present;
  return present.filter((set) => set.bytes !== 'blkio.throttle.io_service_bytes');
}

/** The counter files of the sets planned (all of them when the host's sets are not known). */
function filesOf(sets: readonly BlkioV1FileSet[]): string[] {
  return sets.flatMap((set) => [set.bytes, set.ops]);
}

/** Adds Read and Write entries (any case) to the devices; Sync/Async/Discard/Total would double-count. */
function addEntries(
  devices: BlkioDeviceStats[],
  entries: BlkioV1Entry[],
  field: { read: 'readBytes' | 'readOps'; write: 'writeBytes' | 'writeOps' },
  deviceName: DeviceNameLookup,
): void {
  for (const entry of entries) {
    const op = entry.op.toLowerCase();
    if (op !== 'read' && op !== 'write') continue;
    // A few devices at most: a search costs less than a map made for every container.
    let device = devices.find((known) => known.major === entry.major && known.minor === entry.minor);
    if (device === undefined) {
      device = new BlkioDeviceObject(entry.major, entry.minor, deviceName(entry.major, entry.minor), 0, 0, 0, 0);
      devices.push(device);
    }
    device[field[op]] += entry.value;
  }
}

function readBlkioV1(files: CgroupFiles, sets: readonly BlkioV1FileSet[], deviceName: DeviceNameLookup): BlkioStats {
  let chosen: { bytes: BlkioV1Entry[]; ops: BlkioV1Entry[] } | null = null;
  let anyReadable = false;
  for (const set of sets) {
    const bytes = files.parseOptional(set.bytes, parseBlkioV1);
    if (bytes === null) continue;
    anyReadable = true;
    if (bytes.length === 0) continue;
    chosen = { bytes, ops: files.parseRequired(set.ops, parseBlkioV1) };
    break;
  }
  // Not one counter file: the directory itself is gone (or unreadable); let the failure say which.
  if (!anyReadable) files.required(sets[sets.length - 1]!.bytes);

  const devices: BlkioDeviceStats[] = [];
  if (chosen !== null) {
    addEntries(devices, chosen.bytes, { read: 'readBytes', write: 'writeBytes' }, deviceName);
    addEntries(devices, chosen.ops, { read: 'readOps', write: 'writeOps' }, deviceName);
  }
  return sumDevices(devices);
}

export const blkioV1 = defineController({
  field: 'blkio',
  version: 1,
  hierarchy: 'blkio',
  prepare: blkioFileSets,
  files: (sets: readonly BlkioV1FileSet[] = BLKIO_V1_FILE_SETS) =>
    filesOf(sets).map((name) =>
      optional(name, 'a kernel offers only some of the sets (no CFQ files since 5.0, BFQ only with that scheduler)'),
    ),
  read: (files, sets = BLKIO_V1_FILE_SETS, { deviceName }) => readBlkioV1(files, sets, deviceName),
});
