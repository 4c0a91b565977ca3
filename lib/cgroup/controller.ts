// What a controller is to the reading layer: its interface files (required or optional, each optional one
// with the reason a kernel or configuration lacks it), where they are, and the reader that turns their
// tokens into one field of the stats. Each controller lives in a file of its own (v1/, v2/, hugetlb.ts);
// registry.ts lists them, and planning, reading and directory lookup iterate that list.
import type { ContainerIdentity, ContainerStats, PressureStats } from '../types.js';
import type { LazySource } from '../io/lazy-property.js';
import type { CgroupFiles } from './files.js';

/**
 * The part of ContainerStats that comes from cgroup files: one field per registered controller. `pressure` is
 * what the sample's lazy property of that name makes its value from.
 */
export type CgroupStats = Omit<
  ContainerStats,
  | keyof ContainerIdentity
  | 'cgroup'
  | 'pid'
  | 'startedAt'
  | 'timestamp'
  | 'monotonicNs'
  | 'network'
  | 'host'
  | 'pressure'
> & { pressure: LazySource<PressureStats> | null };
export type StatsField = keyof CgroupStats;

/** The hierarchy name of a directory in CgroupDirs that is the unified (v2) tree. */
export const UNIFIED = 'unified';

/**
 * A container's absolute cgroup directories by hierarchy: one entry per mounted v1 hierarchy the stats are
 * read from, by controller name ("memory", "cpu", "cpuacct", "cpuset", "blkio", "pids", ...; null when the
 * container has no directory there), and "unified": the v2 tree's directory (on v2 the one directory, on
 * a hybrid host where the PSI files are; null when there is none). On v2 every entry is that directory.
 */
export type CgroupDirs = Readonly<Record<string, string | null>>;

export interface ControllerFile {
  /** The interface file's name ("memory.stat"). */
  readonly name: string;
  /**
   * Why the file may be absent for the life of a cgroup (a kernel version, a build option, a mount option);
   * absent for a file the controller always has.
   */
  readonly optional?: string;
  /** v1: the hierarchy that holds it, when not the controller's own (the CPU stats read cpuacct.* and cpuset.*). */
  readonly hierarchy?: string;
  /** A limit or setting, which changes only when someone changes it: a monitor reads it now and then. */
  readonly config?: boolean;
}

/** Names the kernel block device major:minor, or null (see devices.ts createDeviceNameResolver). */
export type DeviceNameLookup = (major: number, minor: number) => string | null;

export interface ReadContext {
  deviceName: DeviceNameLookup;
}

/**
 * One stats field as a cgroup version's files give it. `P` is what the controller finds out about the host
 * once (per sysRoot) before it knows its files, such as the huge page sizes.
 */
export interface Controller<F extends StatsField = StatsField, P = unknown> {
  readonly field: F;
  readonly version: 1 | 2;
  /** v1: the hierarchy its files are in (unless a file names another). v2 (and the PSI files): "unified". */
  readonly hierarchy: string;
  /** v2: the controller cgroup.controllers lists where its files exist; none for files every cgroup has. */
  readonly enabledBy?: string;
  /** Stats do without it: where its hierarchy is not mounted (or holds no directory of the container), the field is null. */
  readonly optional?: boolean;
  /** What the controller needs to know of the host before it knows its files, found once per sysRoot. */
  prepare?(sysRoot: string): Promise<P>;
  files(prepared: P): readonly ControllerFile[];
  read(files: CgroupFiles, prepared: P, context: ReadContext): CgroupStats[F];
}

/** Declares a controller with its types checked and its `prepare` result typed for `files` and `read`. */
export function defineController<F extends StatsField, P = undefined>(controller: Controller<F, P>): Controller<F, P> {
  return controller;
}

/** A required file. */
export function required(name: string, hierarchy?: string): ControllerFile {
  return hierarchy === undefined ? { name } : { name, hierarchy };
}

/** A file some kernels or configurations lack, and why. */
export function optional(name: string, why: string, hierarchy?: string): ControllerFile {
  return hierarchy === undefined ? { name, optional: why } : { name, optional: why, hierarchy };
}

/** The same file, as a limit or setting (see ControllerFile.config). */
export function setting(file: ControllerFile): ControllerFile {
  return { ...file, config: true };
}
