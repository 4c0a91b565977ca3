// Block devices of the blkio/io counters: kernel names by major:minor, and the totals over devices.
import type { BlkioDeviceStats, BlkioStats } from '../types.js';
import { readTexts } from '../io/batch.js';
import type { DeviceNameLookup } from './controller.js';
import { BlkioObject } from './stats-objects.js';

/** Reads whole files in one trip, as readTexts does: each file's text, or null when it could not be read. */
export type ReadTexts = (paths: string[]) => Promise<Array<string | null>>;

export interface DeviceNameResolver {
  /** The kernel name ("vda", "dm-0") of a device already loaded; null if unknown or not loaded. */
  lookup: DeviceNameLookup;
  /** Loads the names of the devices not loaded yet, from `${sysRoot}/dev/block/M:m/uevent`, in one trip. */
  preload(pairs: Iterable<readonly [number, number]>): Promise<void>;
}

/** DEVNAME from a uevent file ("MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n"); null without one. */
export function parseUeventDevname(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('DEVNAME=')) return line.slice('DEVNAME='.length).trim() || null;
  }
  return null;
}

/**
 * Names are cached for the resolver's life, unknown devices too (a device without a uevent file has no
 * name to find later); major:minor pairs are not reused while a device exists.
 */
export function createDeviceNameResolver(
  sysRoot: string,
  read: ReadTexts = (paths) => readTexts(paths),
): DeviceNameResolver {
  const names = new Map<string, string | null>();
  return {
    lookup: (major, minor) => names.get(`${major}:${minor}`) ?? null,
    async preload(pairs) {
      const wanted = new Set<string>();
      for (const [major, minor] of pairs) {
        const key = `${major}:${minor}`;
        if (!names.has(key)) wanted.add(key);
      }
      if (wanted.size === 0) return;
      const missing = [...wanted];
      const texts = await read(missing.map((key) => `${sysRoot}/dev/block/${key}/uevent`));
      missing.forEach((key, i) => {
        const text = texts[i];
        names.set(key, text === null || text === undefined ? null : parseUeventDevname(text));
      });
    },
  };
}

/** Totals over the devices. */
export function sumDevices(devices: BlkioDeviceStats[]): BlkioStats {
  const stats: BlkioStats = new BlkioObject(0, 0, 0, 0, devices);
  for (const device of devices) {
    stats.readBytes += device.readBytes;
    stats.writeBytes += device.writeBytes;
    stats.readOps += device.readOps;
    stats.writeOps += device.writeOps;
  }
  return stats;
}
