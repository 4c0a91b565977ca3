// The objects a sample is made of, made by constructors rather than object literals.
//
// V8 tracks where each object literal is made (its allocation site) and, when most objects of a site outlive a
// young-generation GC, makes that site's objects in the old generation from then on ("allocation-site
// pretenuring"). A sweep's samples are all alive while it is built, so every site of a sample is pretenured; the
// dead samples then stay in the old generation until a full GC, and whatever young objects they point to (arrays,
// strings) survive every young GC with them, to be copied and promoted: at 1 000 containers each young GC
// promoted nearly all it found, and took 8-19 ms. Objects made by `new` have no allocation site: they are made
// young and die young. Each class has its interface's fields in its interface's order, so JSON, Object.keys and
// deep equality see what a literal gave.
import type {
  BlkioDeviceStats,
  BlkioStats,
  CpuStats,
  HugetlbPageStats,
  MemoryEvents,
  MemoryStats,
  PidsStats,
} from '../types.js';

type Swap = MemoryStats['swap'];
type Throttling = CpuStats['throttling'];

export class SwapObject implements Swap {
  constructor(
    public usage: number | null,
    public limit: number | null,
  ) {}
}

/** MemoryStats without `stat`, which the controllers add as a lazy property. */
export class MemoryObject implements Omit<MemoryStats, 'stat'> {
  constructor(
    public usage: number,
    public limit: number | null,
    public workingSet: number,
    public rss: number,
    public cache: number,
    public swap: MemoryStats['swap'],
    public maxUsage: number | null,
    public oomEvents: number,
    public failcnt: number,
    public events: MemoryEvents | null,
  ) {}
}

export class MemoryEventsObject implements MemoryEvents {
  constructor(
    public low: number,
    public high: number,
    public max: number,
    public oom: number,
    public oomKill: number,
    public oomGroupKill: number,
  ) {}
}

export class ThrottlingObject implements Throttling {
  constructor(
    public periods: number,
    public throttledPeriods: number,
    public throttledNs: number,
  ) {}
}

export class CpuObject implements CpuStats {
  constructor(
    public usageNs: number,
    public userNs: number,
    public systemNs: number,
    public perCpuNs: number[] | null,
    public throttling: CpuStats['throttling'],
    public limitCores: number | null,
    public quotaUs: number | null,
    public periodUs: number | null,
    public cpusetCpus: number | null,
  ) {}
}

export class BlkioDeviceObject implements BlkioDeviceStats {
  constructor(
    public major: number,
    public minor: number,
    public name: string | null,
    public readBytes: number,
    public writeBytes: number,
    public readOps: number,
    public writeOps: number,
  ) {}
}

export class BlkioObject implements BlkioStats {
  constructor(
    public readBytes: number,
    public writeBytes: number,
    public readOps: number,
    public writeOps: number,
    public devices: BlkioDeviceStats[],
  ) {}
}

export class PidsObject implements PidsStats {
  constructor(
    public current: number,
    public limit: number | null,
  ) {}
}

export class HugetlbPageObject implements HugetlbPageStats {
  constructor(
    public usage: number,
    public maxUsage: number | null,
    public limit: number | null,
    public failcnt: number,
  ) {}
}
