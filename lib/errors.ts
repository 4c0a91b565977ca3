// The error policy, in one place (the README's "Errors" says the same):
// - What ctrstat itself finds wrong is a CtrstatError with a stable `code`: a reference or an option that
//   is not valid (before anything is read), a container that is not there or went away while it was read
//   (never zeros, never a half sample), an ambiguous reference, a cgroup layout or file ctrstat cannot read.
// - The kernel refusing access is a PermissionDeniedError, which carries Node's own code (EACCES, EPERM),
//   errno, syscall and path, and says which privilege is needed.
// - Any other failing system call is a Node-style system error (systemError: `code` such as EIO, `errno`,
//   `syscall`, `path`), as fs and net throw, passed on as it is.
// - Anything else is a bug of ctrstat's and is thrown as it is.
import { getSystemErrorName } from 'node:util';
import type { NativeFailure } from './native.js';

/**
 * An error ctrstat raises itself, with a stable `code`: ERR_* for what ctrstat finds wrong (its subclasses, or
 * a plain CtrstatError such as ERR_SAMPLER_CLOSED), EACCES or EPERM for a PermissionDeniedError. Compare codes
 * rather than classes when both the ESM and the CJS build may be loaded in one process.
 */
export class CtrstatError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** No container matches the reference, or it vanished while it was being read. */
export class ContainerNotFoundError extends CtrstatError {
  readonly reference: string;
  constructor(reference: string, detail?: string, options?: { cause?: unknown }) {
    super('ERR_CONTAINER_NOT_FOUND', `No such container: ${reference}${detail ? ` (${detail})` : ''}`, options);
    this.reference = reference;
  }
}

/** A prefix or name that matches more than one container. */
export class AmbiguousReferenceError extends CtrstatError {
  readonly reference: string;
  readonly candidates: string[];
  constructor(reference: string, candidates: string[]) {
    super(
      'ERR_AMBIGUOUS_REFERENCE',
      `Reference "${reference}" matches ${candidates.length} containers: ${candidates.slice(0, 5).join(', ')}${candidates.length > 5 ? ', ...' : ''}`,
    );
    this.reference = reference;
    this.candidates = candidates;
  }
}

/** A reference that is not a valid id, name, PID or cgroup path (such as one holding "../"). */
export class InvalidReferenceError extends CtrstatError {
  readonly reference: string;
  constructor(reference: string, why: string) {
    super('ERR_INVALID_REFERENCE', `Invalid container reference ${JSON.stringify(reference)}: ${why}`);
    this.reference = reference;
  }
}

/** The kernel refused access (code EACCES or EPERM, as Node's system errors); `privilege` says what is needed. */
export class PermissionDeniedError extends CtrstatError {
  readonly errno: number;
  readonly syscall: string;
  readonly path: string | undefined;
  readonly privilege: string;
  constructor(failure: NativeFailure, privilege: string) {
    const name = getSystemErrorName(failure.errno);
    super(
      name,
      `${name}: permission denied, ${failure.syscall}${failure.path ? ` '${failure.path}'` : ''}. ${privilege}`,
    );
    this.errno = failure.errno;
    this.syscall = failure.syscall;
    this.path = failure.path;
    this.privilege = privilege;
  }
}

/** An option that is not valid (a relative path, a negative count, a string where a list is expected); `option` names it. */
export class InvalidOptionError extends CtrstatError {
  readonly option: string;
  constructor(option: string, why: string) {
    super('ERR_INVALID_OPTION', `Invalid option ${option}: ${why}`);
    this.option = option;
  }
}

/** The machine's cgroup layout is one ctrstat cannot read (no cgroup filesystem, a missing controller, ...). */
export class UnsupportedLayoutError extends CtrstatError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_LAYOUT', message);
  }
}

/** A cgroup or /proc file whose content does not have the shape its kernel documentation gives. */
export class CgroupFormatError extends CtrstatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CGROUP_FORMAT', message, options);
  }
}

/** A Node-style system error from a native failure: message "ENOENT: ...", code, errno, syscall, path. */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

export function systemError(failure: NativeFailure): SystemError {
  const code = getSystemErrorName(failure.errno);
  const err = new Error(
    `${code}: ${failure.syscall} failed${failure.path ? `, '${failure.path}'` : ''}`,
  ) as SystemError;
  err.code = code;
  err.errno = failure.errno;
  err.syscall = failure.syscall;
  if (failure.path !== undefined) err.path = failure.path;
  return err;
}

export const NETNS_PRIVILEGE_HINT =
  'Entering a network namespace needs root, or CAP_SYS_ADMIN plus ptrace access to the target process (CAP_SYS_PTRACE).';
export const CGROUP_PRIVILEGE_HINT =
  'Reading this cgroup or process needs root or read access to the cgroup filesystem and /proc.';
