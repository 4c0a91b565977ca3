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
    inode = stat(`${procRoot}/1/ns/net`).then((info) => info.ino, async () => {
      if (procRoot !== '/proc') return null;
      try {
        return (await stat('/proc/self/ns/net')).ino;
      } catch {
        return null;
      }
    });
    if (hostInodes.size < 64) hostInodes.set(procRoot, inode);
  }
  return inode;
}

/** By procRoot: when the machine booted, in ms since the epoch, and when that was worked out. */
const bootTimes = new Map<string, { at: number; boot: Promise<number | null> }>();
/** How long a boot time is kept: the wall clock it is measured against may be set meanwhile. */
const BOOT_TIME_MAX_AGE_MS = 60_000;

/**
 * When the machine booted, ms since the epoch: now less /proc/uptime (10 ms steps; /proc/stat's btime has
 * only whole seconds). null when uptime cannot be read.
 */
export function bootTimeMs(procRoot: string): Promise<number | null> {
  const known = bootTimes.get(procRoot);
  if (known !== undefined && Date.now() - known.at < BOOT_TIME_MAX_AGE_MS) return known.boot;
  const boot = readFile(`${procRoot}/uptime`, 'latin1').then((text) => {
    const uptime = Number(text.split(' ')[0]);
    return Number.isFinite(uptime) && uptime > 0 ? Math.round(Date.now() - uptime * 1000) : null;
  }, () => null);
  if (bootTimes.size < 64 || known !== undefined) bootTimes.set(procRoot, { at: Date.now(), boot });
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

export function statCommand(text: string): string | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return open < 0 || close < open ? null : text.slice(open + 1, close);
}
