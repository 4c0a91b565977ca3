// How discovery turns Node fs errors into ctrstat's typed errors.
import { CGROUP_PRIVILEGE_HINT, PermissionDeniedError } from '../errors.js';

export interface NodeFsError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

export function isFsError(err: unknown): err is NodeFsError {
  return err instanceof Error && typeof (err as NodeFsError).code === 'string' && typeof (err as NodeFsError).errno === 'number';
}

/** The file or directory is not there (any more): a cgroup removed mid-read, a process that exited. */
export function isMissing(err: unknown): boolean {
  return isFsError(err) && (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'ESRCH' || err.code === 'ENODEV');
}

export function isAccessDenied(err: unknown): boolean {
  return isFsError(err) && (err.code === 'EACCES' || err.code === 'EPERM');
}

/** Rethrows EACCES/EPERM as PermissionDeniedError with the cgroup hint; other errors unchanged. */
export function rethrowAsTyped(err: unknown): never {
  if (isFsError(err) && isAccessDenied(err)) {
    throw new PermissionDeniedError({ errno: err.errno, syscall: err.syscall, path: err.path }, CGROUP_PRIVILEGE_HINT);
  }
  throw err;
}
