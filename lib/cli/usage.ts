// What both commands (ctrstat and ctrstat serve) share: exit statuses, the usage error and --interval.
import { CtrstatError } from '../errors.js';

/** Exit statuses of the command. */
export const EXIT = {
  OK: 0,
  /** A runtime failure: unknown container, no cgroup filesystem, an unexpected error. */
  FAILURE: 1,
  /** A bad command line. */
  USAGE: 2,
  /** The kernel refused access: run as root (sysexits EX_NOPERM). */
  PERMISSION: 77,
} as const;

/** A bad command line; the message says what is wrong. */
export class UsageError extends CtrstatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_USAGE', message, options);
  }
}

/** --interval: a positive number of seconds, 1 when not given. */
export function parseIntervalSeconds(text: string | undefined): number {
  if (text === undefined) return 1;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--interval must be a positive number of seconds; got "${text}"`);
  }
  return seconds;
}
