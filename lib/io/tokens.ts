// The tokenized content of cgroup files as the native FileSet hands it over (cpp/tokenize.h): per file a
// range of (key, value) entries in two typed arrays, with key names kept once per FileSet.
import { FAILED_CALLS, native, type NativeFailure, type NativeTokenBatch } from '../native.js';

/**
 * Key names by id for one key table (one FileSet, or one tokenize() answer), and what parsers derive
 * from a name, worked out once per key rather than once per read.
 */
export class KeyNames {
  readonly names: string[];
  /** By id: [first word, rest] for a key of two words ("8:0 rbytes", "some avg10"), else null. */
  readonly #pairs: Array<readonly [string, string] | null | undefined> = [];

  constructor(names: string[] = []) {
    this.names = names;
  }

  /** By id: [major, minor] when the key starts with a device ("8:0 Read", "254:16 rbytes"), else null. */
  readonly #devices: Array<readonly [number, number] | null | undefined> = [];
  /** Ids by name, for the names known so far (filled as they are looked up). */
  readonly #ids = new Map<string, number>();
  #indexed = 0;

  /** The id of a key name, or undefined when no file read so far had it. */
  idOf(name: string): number | undefined {
    const names = this.names;
    for (; this.#indexed < names.length; this.#indexed++) {
      const known = names[this.#indexed];
      if (known !== undefined && !this.#ids.has(known)) this.#ids.set(known, this.#indexed);
    }
    return this.#ids.get(name);
  }

  /** The device a key starts with ("MAJ:MIN ..."), or null. */
  device(id: number): readonly [number, number] | null {
    let device = this.#devices[id];
    if (device === undefined) {
      const match = /^(\d+):(\d+)(?: |$)/.exec(this.names[id]!);
      device = match === null ? null : [Number(match[1]), Number(match[2])];
      this.#devices[id] = device;
    }
    return device;
  }

  /**
   * The distinct devices that the keys from id `start` on name, in order; every device a file mentions is named by
   * a key, so the devices of the keys new to a batch are the devices no earlier batch mentioned.
   */
  devicesFrom(start: number): Array<[number, number]> {
    const devices: Array<[number, number]> = [];
    for (let id = start; id < this.names.length; id++) {
      const device = this.device(id);
      if (device !== null && !devices.some(([major, minor]) => major === device[0] && minor === device[1]))
        devices.push([device[0], device[1]]);
    }
    return devices;
  }

  /** By id: whether the key is one word (no space, not empty). */
  readonly #words: Array<boolean | undefined> = [];

  /** Whether a key is one word: what a flat-keyed file's keys are. */
  isWord(id: number): boolean {
    let word = this.#words[id];
    if (word === undefined) {
      const name = this.names[id]!;
      word = name !== '' && !name.includes(' ');
      this.#words[id] = word;
    }
    return word;
  }

  /** The two words of a two-word key, or null. */
  pair(id: number): readonly [string, string] | null {
    let pair = this.#pairs[id];
    if (pair === undefined) {
      const name = this.names[id]!;
      const space = name.indexOf(' ');
      pair =
        space > 0 && space < name.length - 1 && name.indexOf(' ', space + 1) === -1
          ? [name.slice(0, space), name.slice(space + 1)]
          : null;
      this.#pairs[id] = pair;
    }
    return pair;
  }

  /** The ids sharedIds() gave last. */
  #sharedIds: Uint32Array | null = null;

  /**
   * The key ids keys[start], keys[start + stride], ... before end, as an array of their own that is not to be
   * changed: the one given last time when the ids are the same (files of many cgroups have the same keys).
   */
  sharedIds(keys: ArrayLike<number>, start: number, end: number, stride: number): Uint32Array {
    const count = Math.ceil((end - start) / stride);
    let shared = this.#sharedIds;
    if (shared !== null && shared.length === count) {
      let same = true;
      for (let i = start, j = 0; i < end; i += stride, j++) {
        if (shared[j] !== keys[i]) {
          same = false;
          break;
        }
      }
      if (same) return shared;
    }
    shared = new Uint32Array(count);
    for (let i = start, j = 0; i < end; i += stride, j++) shared[j] = keys[i]!;
    this.#sharedIds = shared;
    return shared;
  }

  /** How many names are known: the `knownKeys` for the next read. */
  get known(): number {
    return this.names.length;
  }

  /** Takes the names a batch brought (reads may answer out of order: a name is set once). */
  absorb(batch: NativeTokenBatch, knownKeys: number): void {
    const { newKeys } = batch;
    for (let i = 0; i < newKeys.length; i++) {
      if (this.names[knownKeys + i] === undefined) this.names[knownKeys + i] = newKeys[i]!;
    }
  }
}

/** One batch with the names its key ids refer to. */
export interface TokenBatch {
  readonly batch: NativeTokenBatch;
  readonly keyNames: KeyNames;
}

/** One file of a batch: entries start .. end. */
export interface FileTokens {
  readonly keyNames: KeyNames;
  readonly names: readonly string[];
  readonly keys: Uint32Array;
  readonly values: Float64Array;
  readonly start: number;
  readonly end: number;
}

export function fileTokens({ batch, keyNames }: TokenBatch, index: number): FileTokens {
  return {
    keyNames,
    names: keyNames.names,
    keys: batch.keys,
    values: batch.values,
    start: batch.first[index]!,
    end: batch.first[index + 1]!,
  };
}

/** The failure of file `index`, or null when it was read. */
export function fileFailure({ batch }: TokenBatch, index: number, path: string): NativeFailure | null {
  const status = batch.status[index]!;
  if (status === 0) return null;
  return { errno: status, syscall: FAILED_CALLS[batch.syscall[index]!] ?? 'read', path };
}

/** The FAILED_CALLS index of a system call name (read for any other). */
export function syscallCode(syscall: string): number {
  const code = (FAILED_CALLS as readonly string[]).indexOf(syscall);
  return code > 0 ? code : FAILED_CALLS.indexOf('read');
}

/** The text of a text-mode file `index` that was read. */
export function fileText({ batch }: TokenBatch, index: number): string {
  return batch.texts?.[index] ?? '';
}

/** Tokenizes strings as the FileSet would have read them from files (for content at hand, and tests). */
export function tokenizeTexts(texts: string[]): TokenBatch {
  const batch = native.tokenize(texts);
  return { batch, keyNames: new KeyNames(batch.newKeys) };
}

/** The tokens of one string. */
export function tokenizeText(text: string): FileTokens {
  return fileTokens(tokenizeTexts([text]), 0);
}
