// One native trip for many small reads and stats (cgroup.procs, directory and namespace
// inodes, runtime state files, uevent files), instead of one thread-pool round trip per file.
import { FileMode, native, type NativeFailure, type NativeTokenBatch } from '../native.js';
import { fileFailure, fileText, KeyNames, type TokenBatch } from './tokens.js';

export type BatchMode = typeof FileMode.Text | typeof FileMode.Inode | typeof FileMode.Stat;

export interface FileStat {
  ino: number;
  size: number;
  mtimeNs: number;
}

/** The answers of one trip, by the index each path was added at. */
export class BatchAnswers {
  constructor(
    private readonly tokens: TokenBatch,
    private readonly paths: readonly string[],
  ) {}

  failure(index: number): NativeFailure | null {
    return fileFailure(this.tokens, index, this.paths[index]!);
  }

  text(index: number): string | null {
    return this.failure(index) === null ? fileText(this.tokens, index) : null;
  }

  inode(index: number): number | null {
    if (this.failure(index) !== null) return null;
    const { batch } = this.tokens;
    return batch.values[batch.first[index]!]!;
  }

  stat(index: number): FileStat | null {
    if (this.failure(index) !== null) return null;
    const { batch, keyNames } = this.tokens;
    const out: Record<string, number> = {};
    for (let i = batch.first[index]!; i < batch.first[index + 1]!; i++)
      out[keyNames.names[batch.keys[i]!]!] = batch.values[i]!;
    return { ino: out['ino']!, size: out['size']!, mtimeNs: out['mtimeNs']! };
  }
}

/** Paths to read in one trip; add() gives each its index. */
export class FileBatch {
  readonly #paths: string[] = [];
  readonly #modes: number[] = [];

  add(path: string, mode: BatchMode): number {
    this.#paths.push(path);
    this.#modes.push(mode);
    return this.#paths.length - 1;
  }

  get size(): number {
    return this.#paths.length;
  }

  /** One trip; `inline`: on the calling thread (for a few files, cheaper than the hop to the pool). */
  async read(inline = false): Promise<BatchAnswers> {
    const set = new native.FileSet(0);
    const ids = new Uint32Array(this.#paths.length);
    // Runs of one mode go in one call each.
    let run = 0;
    for (let i = 1; i <= this.#paths.length; i++) {
      if (i < this.#paths.length && this.#modes[i] === this.#modes[run]) continue;
      ids.set(set.add(this.#paths.slice(run, i).join('\0'), this.#modes[run]!), run);
      run = i;
    }
    let batch: NativeTokenBatch;
    try {
      batch = await set.read(ids, 0, inline);
    } finally {
      set.clear();
    }
    return new BatchAnswers({ batch, keyNames: new KeyNames(batch.newKeys) }, this.#paths);
  }
}

/** Whole files as text, in one trip; null for a file that could not be read. */
export async function readTexts(paths: readonly string[], inline = false): Promise<Array<string | null>> {
  if (paths.length === 0) return [];
  const batch = new FileBatch();
  for (const path of paths) batch.add(path, FileMode.Text);
  const answers = await batch.read(inline);
  return paths.map((_, i) => answers.text(i));
}
