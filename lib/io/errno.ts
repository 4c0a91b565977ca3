// What a failed system call means, in one place for every layer above: Node fs errors, the addon's
// rejections and its per-file failures all carry the negative errno and the syscall.
import { constants } from 'node:os';
import {
  CGROUP_PRIVILEGE_HINT,
  CtrstatError,
  PermissionDeniedError,
  systemError,
  type SystemError,
} from '../errors.js';
import { isNativeFailure, type NativeFailure } from '../native.js';

const { ENOENT, ENOTDIR, ESRCH, ENODEV, EACCES, EPERM } = constants.errno;

/**
 * missing: the file or directory is not there (any more): a cgroup removed mid-read (ENOENT, ENOTDIR,
 * ENODEV), a process that exited (ESRCH). denied: EACCES or EPERM. other: anything else.
 */
export type ErrnoKind = 'missing' | 'denied' | 'other';

/** The kind of a negative errno, as Node and the addon report it (-2 for ENOENT). */
export function errnoKind(errno: number): ErrnoKind {
  switch (-errno) {
    case ENOENT:
    case ENOTDIR:
    case ESRCH:
    case ENODEV:
      return 'missing';
    case EACCES:
    case EPERM:
      return 'denied';
    default:
      return 'other';
  }
}

/** Whether a thrown error (or an addon failure) is a failed call whose file or process is gone. */
export function isMissing(err: unknown): boolean {
  return isNativeFailure(err) && errnoKind(err.errno) === 'missing';
}

/** The typed error of a failure that is not "missing": PermissionDeniedError with the cgroup hint, or a system error. */
export function failureError(failure: NativeFailure): PermissionDeniedError | SystemError {
  return errnoKind(failure.errno) === 'denied'
    ? new PermissionDeniedError(failure, CGROUP_PRIVILEGE_HINT)
    : systemError(failure);
}

/**
 * Rethrows a failed call as a typed error: EACCES/EPERM as PermissionDeniedError with the cgroup hint,
 * an addon failure as a system error; Node's own system errors and anything else unchanged.
 */
export function rethrowAsTyped(err: unknown): never {
  if (err instanceof CtrstatError || !isNativeFailure(err)) throw err;
  // Node's own system errors (those with a string code) are Errors already.
  if (errnoKind(err.errno) !== 'denied' && typeof (err as { code?: unknown }).code === 'string') throw err as unknown;
  throw failureError(err);
}
