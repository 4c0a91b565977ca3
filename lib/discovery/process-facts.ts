// What /proc says of a process: its command, state and start time; and which network namespace is the host's.
import { readFile, stat } from 'node:fs/promises';
import { USER_HZ } from '../io/units.js';

/** By procRoot: PID 1 keeps its namespace for as long as the machine runs. */
const hostInodes = new Map<string, Promise<number | null>>();

/**
 * The inode of the host's network namespace, PID 1's. Where PID 1 cannot be inspected (a hardened init, as
 * in some microVMs), this process's own namespace stands in when it reads the host's /proc directly.
 */
export function hostNetnsInode(procRoot: string): Promise<number | null> {
  let inode = hostInodes.get(procRoot);
  if (inode === undefined) {
    inode = stat(`${procRoot}/1/ns/net`).then(
      (info) => info.ino,
      async () => {
        if (procRoot !== '/proc') return null;
        try {
          return (await stat('/proc/self/ns/net')).ino;
        } catch {
          return null;
        }
      },
    );
    if (hostInodes.size < 64) hostInodes.set(procRoot, inode);
  }
  return inode;
}

/** By procRoot: when the machine booted, in ms since the epoch (it does not change while it runs). */
const bootTimes = new Map<string, Promise<number | null>>();

/**
 * When the machine booted, ms since the epoch: /proc/stat's "btime" (whole seconds, the same for every
 * process that asks, so a container's start time reads the same in any of them). null when unreadable.
 */
export function bootTimeMs(procRoot: string): Promise<number | null> {
  let boot = bootTimes.get(procRoot);
  if (boot === undefined) {
    boot = readFile(`${procRoot}/stat`, 'latin1').then(
      (text) => {
        const match = /^btime (\d+)$/m.exec(text);
        return match === null ? null : Number(match[1]) * 1000;
      },
      () => null,
    );
    if (bootTimes.size < 64) bootTimes.set(procRoot, boot);
  }
  return boot;
}

/** When a process started, ms since the epoch, from its /proc/<pid>/stat and the boot time; null when unknown. */
export function startedAtMs(stat: string, bootMs: number | null): number | null {
  const ticks = parseStartTicks(stat);
  return ticks === null || bootMs === null ? null : bootMs + (ticks * 1000) / USER_HZ;
}

/** Field 22 of /proc/<pid>/stat: start time after boot in clock ticks; null when it does not parse. */
export function parseStartTicks(text: string): number | null {
  const value = Number(statFields(text)?.[19]);
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * /proc/<pid>/stat's command (field 2, without its parentheses) and the fields after it (state first).
 * The command may hold spaces and parentheses: the fields start after the last ')'.
 */
export function statFields(text: string): string[] | null {
  const close = text.lastIndexOf(')');
  return close < 0 ? null : text.slice(close + 2).split(' ');
}

/** The kernel's PF_EXITING task flag (include/linux/sched.h), set as soon as a process starts to exit. */
const PF_EXITING = 0x4;

/**
 * Whether /proc/<pid>/stat describes a process that is exiting or has exited: a zombie or dead, or
 * flagged PF_EXITING (field 9). An exiting process's cgroup v1 paths already read "/" in
 * /proc/<pid>/cgroup (the kernel's proc_cgroup_show), before it is a zombie.
 */
export function isExitingStat(text: string): boolean {
  const fields = statFields(text);
  if (fields === null) return false;
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return true;
  const flags = Number(fields[6]);
  return Number.isSafeInteger(flags) && (flags & PF_EXITING) !== 0;
}

/** The parent's PID (field 4 of /proc/<pid>/stat); null when unreadable. */
export function parentPid(text: string): number | null {
  const value = Number(statFields(text)?.[1]);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

export function statCommand(text: string): string | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return open < 0 || close < open ? null : text.slice(open + 1, close);
}
