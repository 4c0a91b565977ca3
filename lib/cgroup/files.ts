// One container's files in a batched read, looked up by file name, with the failure rules in one place:
// a required file that is gone means the cgroup is gone; an optional file that is absent means the kernel
// or the configuration does not offer it.
import { constants } from 'node:os';
import type { CgroupVersion } from '../types.js';
import type { NativeFailure } from '../native.js';
import { CgroupFormatError, UnsupportedLayoutError } from '../errors.js';
import { errnoKind, failureError } from '../io/errno.js';
import { CgroupGoneError } from './errors.js';
import { FlatKeyed } from './parse.js';
import { fileFailure, fileTokens, type FileTokens, type TokenBatch } from '../io/tokens.js';

/** PSI disabled at boot (psi=0): the pressure files are there but refuse reads. */
const { EOPNOTSUPP } = constants.errno;

/** The absolute paths of one cgroup's files, in batch order, and where each file sits in that list. */
export interface CgroupFilePlan {
  readonly version: CgroupVersion;
  /** Read these (in this order, as one batch or a slice of a larger one). */
  readonly paths: readonly string[];
  /** Per path: the file may be absent for the cgroup's life (a missing optional file gives null stats). */
  readonly optional: readonly boolean[];
  /**
   * Per path, for files of the v2 tree: the controller cgroup.controllers (planned at `controllersAt`) must
   * list for the file to exist; undefined for files every cgroup has and for v1 files.
   */
  readonly enabledBy: ReadonlyArray<string | undefined>;
  /** Index into paths of the v2 tree's cgroup.controllers, when any file has enabledBy. */
  readonly controllersAt: number | undefined;
  /** Index into paths by file name ("memory.stat", "cpu.pressure", ...); unplanned files are absent. */
  readonly index: Readonly<Record<string, number>>;
  /** Per path: a limit or setting (read only now and then by a monitor, see StatsSampler's configRefreshMs). */
  readonly config: readonly boolean[];
  /** v2: the cgroup directory, for messages. v1: the memory controller's directory. */
  readonly dir: string;
}

/**
 * Where the files of a plan that were not read this time are answered from: a kept copy of an earlier
 * read (`kept`, a small batch of its own), and per path its place, `position[i]` >= 0 in this read (from
 * the offset on) or -1 - j for entry j of `kept`.
 */
export interface KeptAnswers {
  position: Int32Array;
  kept: TokenBatch;
}

export class CgroupFiles {
  readonly plan: CgroupFilePlan;
  private readonly tokens: TokenBatch;
  /** Where the plan's first file sits in the batch. */
  private readonly offset: number;
  private readonly recall: KeptAnswers | null;
  /** Where locate() found the last file asked for: the batch it is in, and its index there. */
  private found: TokenBatch;
  private at = 0;

  /**
   * The one view required() and optional() hand out, moved to each file in turn: a sample reads tens of
   * thousands of files, and a parser is done with one before the next is asked for.
   */
  private readonly view: {
    keyNames: TokenBatch['keyNames'];
    names: readonly string[];
    keys: Uint32Array;
    values: Float64Array;
    start: number;
    end: number;
  };

  constructor(plan: CgroupFilePlan, tokens: TokenBatch, offset = 0, recall: KeptAnswers | null = null) {
    const read =
      recall === null ? plan.paths.length : recall.position.reduce((count, at) => (at >= 0 ? count + 1 : count), 0);
    if (tokens.batch.status.length < offset + read) {
      throw new RangeError(
        `expected ${read} results for ${plan.dir} at ${offset}, the batch has ${tokens.batch.status.length}`,
      );
    }
    this.plan = plan;
    this.tokens = tokens;
    this.offset = offset;
    this.recall = recall;
    this.found = tokens;
    const { batch, keyNames } = tokens;
    this.view = { keyNames, names: keyNames.names, keys: batch.keys, values: batch.values, start: 0, end: 0 };
  }

  /** Finds path `index` of the plan: sets `found` and `at`. */
  private locate(index: number): void {
    const position = this.recall === null ? index : this.recall.position[index]!;
    if (position >= 0) {
      this.found = this.tokens;
      this.at = this.offset + position;
    } else {
      this.found = this.recall!.kept;
      this.at = -1 - position;
    }
  }

  /** The entries of the file locate() found, in the shared view (valid until the next required() or optional()). */
  private entries(): FileTokens {
    const { batch } = this.found;
    this.view.keys = batch.keys;
    this.view.values = batch.values;
    this.view.start = batch.first[this.at]!;
    this.view.end = batch.first[this.at + 1]!;
    return this.view;
  }

  /** Finds the file by name; false when it is not in the plan. */
  private position(name: string): boolean {
    const index = this.plan.index[name];
    if (index === undefined) return false;
    this.locate(index);
    return true;
  }

  private status(): number {
    return this.found.batch.status[this.at]!;
  }

  /** Whether the file is in the plan and was read. */
  has(name: string): boolean {
    return this.position(name) && this.status() === 0;
  }

  path(name: string): string {
    const at = this.plan.index[name];
    return at === undefined ? `${this.plan.dir}/${name}` : this.plan.paths[at]!;
  }

  /**
   * Tokens of a file the stats cannot do without; any failure throws (see the module comment). The
   * tokens stay valid until the next required() or optional() of these files.
   */
  required(name: string): FileTokens {
    if (!this.position(name))
      throw new UnsupportedLayoutError(`${name} is not readable here: no directory for its controller`);
    if (this.status() !== 0) throw this.failure(name, fileFailure(this.found, this.at, this.path(name))!);
    return this.entries();
  }

  /** Tokens of a file some kernels or configurations lack; null when absent, other failures throw. */
  optional(name: string): FileTokens | null {
    if (!this.position(name)) return null;
    if (this.status() === 0) return this.entries();
    const failure = fileFailure(this.found, this.at, this.path(name))!;
    if (errnoKind(failure.errno) === 'missing' || failure.errno === -EOPNOTSUPP) return null;
    throw this.failure(name, failure);
  }

  /** parse(required(name)), with the path added to a format error. */
  parseRequired<T>(name: string, parse: (tokens: FileTokens) => T): T {
    return this.parse(name, this.required(name), parse);
  }

  /** parse(optional(name)) or null. */
  parseOptional<T>(name: string, parse: (tokens: FileTokens) => T): T | null {
    const tokens = this.optional(name);
    return tokens === null ? null : this.parse(name, tokens, parse);
  }

  /** A key of a parsed keyed file that the kernel always writes; its absence is a format error. */
  key(name: string, map: FlatKeyed | Record<string, number>, key: string): number {
    const value = map instanceof FlatKeyed ? map.get(key) : map[key];
    if (value === undefined) throw new CgroupFormatError(`${this.path(name)}: no "${key}" field`);
    return value;
  }

  private parse<T>(name: string, tokens: FileTokens, parse: (tokens: FileTokens) => T): T {
    try {
      return parse(tokens);
    } catch (err) {
      if (err instanceof CgroupFormatError) {
        throw new CgroupFormatError(`${this.path(name)}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  /** The controllers listed in the v2 tree's cgroup.controllers, when it is planned and was read. */
  private enabledControllers(): string[] | null {
    if (this.plan.controllersAt === undefined) return null;
    this.locate(this.plan.controllersAt);
    if (this.status() !== 0) return null;
    const { names, keys, start, end } = fileTokens(this.found, this.at);
    const words: string[] = [];
    for (let i = start; i < end; i++) words.push(...names[keys[i]!]!.split(' ').filter((word) => word !== ''));
    return words;
  }

  private failure(name: string, failure: NativeFailure): Error {
    if (errnoKind(failure.errno) !== 'missing') return failureError(failure);
    // On v2 a controller's files are missing while the controller is not enabled for the cgroup
    // (rootless delegation): that is a layout problem, not a vanished container.
    const controller = this.plan.enabledBy[this.plan.index[name]!];
    const controllers = controller === undefined ? null : this.enabledControllers();
    if (controllers !== null && !controllers.includes(controller!)) {
      return new UnsupportedLayoutError(
        `the ${controller} controller is not enabled for ${this.plan.dir} (cgroup.controllers: "${controllers.join(' ')}")`,
      );
    }
    return new CgroupGoneError(this.path(name), failure.errno);
  }
}
