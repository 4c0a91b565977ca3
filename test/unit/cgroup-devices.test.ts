import { mkdtempSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeviceNameResolver, parseUeventDevname, sumDevices } from '../../lib/cgroup/devices.js';

/** Plain fs reads shaped like readTexts' answers (null for a file that cannot be read), counting the trips. */
function fsReader() {
  const trips: string[][] = [];
  const read = async (paths: string[]): Promise<Array<string | null>> => {
    trips.push(paths);
    return paths.map((path) => {
      try {
        return readFileSync(path, 'latin1');
      } catch {
        return null;
      }
    });
  };
  return { read, trips };
}

describe('parseUeventDevname', () => {
  it('finds DEVNAME wherever it is', () => {
    expect(parseUeventDevname('MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n')).toBe('vda');
    expect(parseUeventDevname('DEVNAME=mapper/x\nMAJOR=253')).toBe('mapper/x');
    expect(parseUeventDevname('MAJOR=1\nMINOR=2\n')).toBeNull();
  });
});

describe('createDeviceNameResolver over a fake /sys', () => {
  const sysRoot = mkdtempSync(join(tmpdir(), 'ctrstat-sys-'));
  afterAll(() => rmSync(sysRoot, { recursive: true, force: true }));
  mkdirSync(join(sysRoot, 'dev/block/254:0'), { recursive: true });
  writeFileSync(join(sysRoot, 'dev/block/254:0/uevent'), 'MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n');
  mkdirSync(join(sysRoot, 'dev/block/253:1'), { recursive: true });
  writeFileSync(join(sysRoot, 'dev/block/253:1/uevent'), 'MAJOR=253\nMINOR=1\nDEVNAME=dm-1\n');

  it('knows nothing before preload, then answers synchronously; one trip per preload of new devices', async () => {
    const { read, trips } = fsReader();
    const resolver = createDeviceNameResolver(sysRoot, read);
    expect(resolver.lookup(254, 0)).toBeNull();
    await resolver.preload([
      [254, 0],
      [253, 1],
      [254, 0],
      [8, 0],
    ]);
    expect(trips).toHaveLength(1);
    expect(trips[0]).toHaveLength(3);
    expect(resolver.lookup(254, 0)).toBe('vda');
    expect(resolver.lookup(253, 1)).toBe('dm-1');
    expect(resolver.lookup(8, 0)).toBeNull();
    await resolver.preload([
      [254, 0],
      [8, 0],
    ]);
    expect(trips).toHaveLength(1);
  });
});

describe("createDeviceNameResolver over this machine's /sys", () => {
  it('names every block device as its /sys/dev/block link does', async () => {
    const entries = readdirSync('/sys/dev/block');
    const pairs = entries.map((e) => e.split(':').map(Number) as [number, number]);
    // The default reader: one FileBatch trip.
    const resolver = createDeviceNameResolver('/sys');
    await resolver.preload(pairs);
    for (const entry of entries) {
      const [major, minor] = entry.split(':').map(Number) as [number, number];
      // The link's last component is the kernel name, except for names holding "/" (written as "!").
      expect(resolver.lookup(major, minor)?.replaceAll('/', '!')).toBe(
        basename(readlinkSync(`/sys/dev/block/${entry}`)),
      );
    }
  });
});

describe('sumDevices', () => {
  it('adds every device', () => {
    const d = (readBytes: number, writeOps: number) => ({
      major: 8,
      minor: 0,
      name: null,
      readBytes,
      writeBytes: 1,
      readOps: 2,
      writeOps,
    });
    expect(sumDevices([d(10, 1), d(5, 2)])).toMatchObject({ readBytes: 15, writeBytes: 2, readOps: 4, writeOps: 3 });
  });
});
