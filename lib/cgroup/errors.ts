// CgroupGoneError is internal to the reading layer: the caller knows which container it was reading and
// turns it into a ContainerNotFoundError.
import { CtrstatError } from '../errors.js';

/** A required cgroup file or directory vanished (ENOENT, ENOTDIR, ENODEV, ESRCH): the cgroup was removed while being read. */
export class CgroupGoneError extends CtrstatError {
  readonly path: string;
  /** Negative errno of the failed read, null when the caller found the directory gone by other means. */
  readonly errno: number | null;
  constructor(path: string, errno: number | null = null) {
    super('ERR_CGROUP_GONE', `cgroup vanished: ${path}`);
    this.path = path;
    this.errno = errno;
  }
}
