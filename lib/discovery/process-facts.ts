// What /proc says of a process: its command, state and start time; and which network namespace is the host's.
import { stat } from 'node:fs/promises';

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
