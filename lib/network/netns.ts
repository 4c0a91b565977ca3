// Network namespace counters: which namespace file to read, and the native answer turned into the
// public InterfaceStats shape, or into a typed error.
import {
  InvalidOptionError,
  NETNS_PRIVILEGE_HINT,
  PermissionDeniedError,
  systemError,
  type SystemError,
} from '../errors.js';
import { absolutePath, optionsObject } from '../options.js';
import { native, type NativeFailure } from '../native.js';
import { interfaceStatsAt, type NetnsEntry } from './netns-batch.js';
import type { InterfaceStats } from '../types.js';

/** A namespace file (/proc/<pid>/ns/net, /run/netns/<name>, a bind mount), or a process whose namespace to read. */
export type NetworkNamespaceTarget = string | { pid: number };

/** Options of readNetworkNamespace(s); a procRoot that is not an absolute path is an InvalidOptionError. */
export interface NetworkNamespaceOptions {
  /** The host's /proc as seen by this process, for `{ pid }` targets. Default "/proc". */
  procRoot?: string;
}

/**
 * One network namespace as netlink dumps it (RTM_GETLINK, IFLA_STATS64): every interface, loopback included,
 * with its 64-bit counters as plain numbers (exact below 2^53), and the namespace's inode.
 */
export interface NetworkNamespaceCounters {
  /** Inode of the namespace file: equal inodes mean the same namespace. */
  inode: number;
  /** Every interface of the namespace, loopback included, keyed by name. */
  interfaces: Record<string, InterfaceStats>;
}

/** What a failed item of a batch is: EPERM/EACCES become PermissionDeniedError, the rest SystemError. */
export type NetworkNamespaceError = SystemError | PermissionDeniedError;

const EPERM = -1;
const EACCES = -13;
const EINVAL = -22;

/** The namespace file for a target; rejects PIDs that are not positive integers. */
export function networkNamespacePath(target: NetworkNamespaceTarget, options: NetworkNamespaceOptions = {}): string {
  const procRoot = absolutePath(optionsObject(options).procRoot, 'procRoot') ?? '/proc';
  if (typeof target === 'string') {
    if (target.length === 0 || target.length > 4096 || target.includes('\0'))
      throw new InvalidOptionError('target', 'a namespace path has 1 to 4096 characters and no NUL');
    return target;
  }
  if (
    typeof target !== 'object' ||
    target === null ||
    !Number.isSafeInteger(target.pid) ||
    target.pid <= 0 ||
    target.pid > 4_194_304
  ) {
    throw new InvalidOptionError(
      'target',
      'a network namespace target is a path or { pid } with a PID from 1 to 4194304',
    );
  }
  return `${procRoot}/${target.pid}/ns/net`;
}

/** The typed error for a native per-item failure. */
export function networkNamespaceError(failure: NativeFailure): NetworkNamespaceError {
  if (failure.errno === EPERM || failure.errno === EACCES)
    return new PermissionDeniedError(failure, NETNS_PRIVILEGE_HINT);
  const error = systemError(failure);
  // setns(CLONE_NEWNET) refuses any other file: another namespace's, a FIFO, a directory, a plain file.
  if (failure.errno === EINVAL && failure.syscall === 'setns') error.message += NOT_A_NETWORK_NAMESPACE;
  return error;
}

const NOT_A_NETWORK_NAMESPACE =
  ' (not a network namespace: give a /proc/<pid>/ns/net file, a bind mount of one such as /run/netns/<name>, or { pid })';

/** One namespace of a batch as the public counters: each interface's stats are fields of its InterfaceStats. */
export function networkNamespaceCounters({ batch, index }: NetnsEntry): NetworkNamespaceCounters {
  const interfaces: Record<string, InterfaceStats> = {};
  for (let link = batch.linkFirst[index]!; link < batch.linkFirst[index + 1]!; link++) {
    interfaces[batch.names[batch.linkName[link]!]!] = interfaceStatsAt(batch, link);
  }
  return { inode: batch.inode[index]!, interfaces };
}

/**
 * Reads several namespaces in one trip (one native thread for the whole batch). The promise rejects
 * only for invalid arguments; every item is either its counters or the error for that item, in the
 * order of `targets`.
 */
export async function readNetworkNamespaces(
  targets: NetworkNamespaceTarget[],
  options: NetworkNamespaceOptions = {},
): Promise<Array<NetworkNamespaceCounters | NetworkNamespaceError>> {
  if (!Array.isArray(targets))
    throw new InvalidOptionError('targets', 'expected an array of namespace paths or { pid }');
  const paths = targets.map((target) => networkNamespacePath(target, options));
  const batch = await native.readNetns(paths);
  return paths.map((_, index) =>
    batch.status[index] !== 0
      ? networkNamespaceError(batch.failures[index]!)
      : networkNamespaceCounters({ batch, index }),
  );
}

/**
 * Reads one namespace; rejects with a SystemError (ENOENT, EINVAL, ...) or a PermissionDeniedError, and with an
 * InvalidOptionError for a target or procRoot that is not one.
 */
export async function readNetworkNamespace(
  target: NetworkNamespaceTarget,
  options: NetworkNamespaceOptions = {},
): Promise<NetworkNamespaceCounters> {
  const [result] = await readNetworkNamespaces([target], options);
  if (result === undefined) throw new Error('The native reader answered an empty batch');
  if (result instanceof Error) throw result;
  return result;
}
