// Block devices of the blkio/io counters: kernel names by major:minor, and the totals over devices.
import type { BlkioDeviceStats, BlkioStats } from '../types.js';
import type { NativeFailure } from '../native.js';
import { isNativeFailure, native } from '../native.js';

/** Reads whole files in one trip (native.readFiles). */
export type ReadFiles = (paths: string[]) => Promise<Array<string | NativeFailure>>;

export interface DeviceNameResolver {
  /** The kernel name ("vda", "dm-0") of a device already loaded; null if unknown or not loaded. */
  lookup(major: number, minor: number): string | null;
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
  readFiles: ReadFiles = (paths) => native.readFiles(paths),
): DeviceNameResolver {
  const names = new Map<string, string | null>();
  return {
    lookup(major, minor) {
      return names.get(`${major}:${minor}`) ?? null;
    },
    async preload(pairs) {
      const wanted = new Set<string>();
      for (const [major, minor] of pairs) {
        const key = `${major}:${minor}`;
        if (!names.has(key)) wanted.add(key);
      }
      if (wanted.size === 0) return;
      const missing = [...wanted];
      const results = await readFiles(missing.map((key) => `${sysRoot}/dev/block/${key}/uevent`));
      missing.forEach((key, i) => {
        const result = results[i];
        names.set(key, result === undefined || isNativeFailure(result) ? null : parseUeventDevname(result));
      });
    },
  };
}

/** Totals over the devices. */
export function sumDevices(devices: BlkioDeviceStats[]): BlkioStats {
  const stats: BlkioStats = { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices };
  for (const device of devices) {
    stats.readBytes += device.readBytes;
    stats.writeBytes += device.writeBytes;
    stats.readOps += device.readOps;
    stats.writeOps += device.writeOps;
  }
  return stats;
}
