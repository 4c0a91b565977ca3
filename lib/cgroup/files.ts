// One container's slice of a batched read, looked up by file name, with the failure rules in one place:
// a required file that is gone means the cgroup is gone; an optional file that is absent means the kernel
// or the configuration does not offer it.
import { constants } from 'node:os';
import type { CgroupVersion } from '../types.js';
import type { NativeFailure } from '../native.js';
import { isNativeFailure } from '../native.js';
import {
  CGROUP_PRIVILEGE_HINT, PermissionDeniedError, UnsupportedLayoutError, systemError,
} from '../errors.js';
import { CgroupFormatError, CgroupGoneError } from './errors.js';

const { ENOENT, ENODEV, ESRCH, EACCES, EPERM, EOPNOTSUPP } = constants.errno;

/** Errors a file of a removed cgroup gives (ESRCH: a pid-bound file whose task exited). */
const GONE = new Set([ENOENT, ENODEV, ESRCH]);
/** Errors of an optional file the kernel does not offer: missing, or PSI disabled at boot (EOPNOTSUPP). */
const ABSENT = new Set([ENOENT, ENODEV, EOPNOTSUPP]);
const DENIED = new Set([EACCES, EPERM]);

/** Controllers whose interface files exist only when the controller is enabled for the cgroup (v2). */
const V2_CONTROLLED = new Set(['memory', 'io', 'pids', 'cpu']);

/** The absolute paths of one cgroup's files, in batch order, and where each file sits in that list. */
export interface CgroupFilePlan {
  readonly version: CgroupVersion;
  /** Read these (in this order, as one batch or a slice of a larger one). */
  readonly paths: readonly string[];
  /** Index into paths by file name ("memory.stat", "cpu.pressure", ...); unplanned files are absent. */
  readonly index: Readonly<Record<string, number>>;
  /** v2: the cgroup directory, for messages. v1: the memory controller's directory. */
  readonly dir: string;
}

export class CgroupFiles {
  readonly plan: CgroupFilePlan;
  private readonly results: ReadonlyArray<string | NativeFailure>;

  constructor(plan: CgroupFilePlan, results: ReadonlyArray<string | NativeFailure>) {
    if (results.length !== plan.paths.length) {
      throw new RangeError(`expected ${plan.paths.length} results for ${plan.dir}, got ${results.length}`);
    }
    this.plan = plan;
    this.results = results;
  }

  private position(name: string): number | undefined {
    return this.plan.index[name];
  }

  /** The raw result, or undefined when the file is not in the plan. */
  result(name: string): string | NativeFailure | undefined {
    const at = this.position(name);
    return at === undefined ? undefined : this.results[at];
  }

  path(name: string): string {
    const at = this.position(name);
    return at === undefined ? `${this.plan.dir}/${name}` : this.plan.paths[at]!;
  }

  /** Content of a file the stats cannot do without; any failure throws (see the module comment). */
  required(name: string): string {
    const result = this.result(name);
    if (result === undefined) throw new UnsupportedLayoutError(`${name} is not readable here: no directory for its controller`);
    if (!isNativeFailure(result)) return result;
    throw this.failure(name, result);
  }

  /** Content of a file some kernels or configurations lack; null when absent, other failures throw. */
  optional(name: string): string | null {
    const result = this.result(name);
    if (result === undefined) return null;
    if (!isNativeFailure(result)) return result;
    if (ABSENT.has(-result.errno)) return null;
    throw this.failure(name, result);
  }

  /** parse(required(name)), with the path added to a format error. */
  parseRequired<T>(name: string, parse: (text: string) => T): T {
    return this.parse(name, this.required(name), parse);
  }

  /** parse(optional(name)) or null. */
  parseOptional<T>(name: string, parse: (text: string) => T): T | null {
    const text = this.optional(name);
    return text === null ? null : this.parse(name, text, parse);
  }

  /** A key of a parsed keyed file that the kernel always writes; its absence is a format error. */
  key(name: string, map: Record<string, number>, key: string): number {
    const value = map[key];
    if (value === undefined) throw new CgroupFormatError(`${this.path(name)}: no "${key}" field`);
    return value;
  }

  private parse<T>(name: string, text: string, parse: (text: string) => T): T {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof CgroupFormatError) {
        throw new CgroupFormatError(`${this.path(name)}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  private failure(name: string, failure: NativeFailure): Error {
    const errno = -failure.errno;
    const withPath: NativeFailure = { ...failure, path: failure.path ?? this.path(name) };
    if (DENIED.has(errno)) return new PermissionDeniedError(withPath, CGROUP_PRIVILEGE_HINT);
    if (!GONE.has(errno)) return systemError(withPath);
    // On v2 a controller's files are missing while the controller is not enabled for the cgroup
    // (rootless delegation): that is a layout problem, not a vanished container.
    // cpu.stat is the exception: the core writes it with or without the cpu controller.
    const controller = name.slice(0, name.indexOf('.'));
    const controlled = this.plan.version === 2 && V2_CONTROLLED.has(controller) && name !== 'cpu.stat';
    const controllers = controlled ? this.result('cgroup.controllers') : undefined;
    if (typeof controllers === 'string' && !controllers.trim().split(/\s+/).includes(controller)) {
      return new UnsupportedLayoutError(`the ${controller} controller is not enabled for ${this.plan.dir} (cgroup.controllers: "${controllers.trim()}")`);
    }
    return new CgroupGoneError(withPath.path!, failure.errno);
  }
}
