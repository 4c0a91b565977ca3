// The runtimes' on-disk state, read as untrusted input: every file's identity (inode, mtime, size) in one
// native trip of stats, then only the files that changed read, in one more; each parsed once per version
// and kept by path (the runtimes replace these files when they change them). A file that is absent,
// unreadable for lack of rights, too large or not JSON gives null, never a failed listing.
import { FileMode, type NativeFailure } from '../native.js';
import { FileBatch, type BatchAnswers } from '../io/batch.js';
import { errnoKind } from '../io/errno.js';

/** Larger state files are not read: no runtime writes one this large for a container. */
export const STATE_FILE_MAX_BYTES = 8 * 1024 * 1024;
const CACHE_LIMIT = 8192;

/** How to read one kind of state file: its parser of the JSON text. */
export interface StateFileKind<T> {
  readonly name: string;
  /** The value of the parsed JSON; null when it does not have the shape the runtime writes. */
  parse(json: unknown): T | null;
}

interface Cached {
  ino: number;
  mtimeNs: number;
  size: number;
  kind: StateFileKind<unknown>;
  value: unknown;
}

/** Parsed files by path; entries hold only what is in the file, and a changed file is read again. */
const cache = new Map<string, Cached>();

/** One state file wanted: its path and kind. */
export interface StateFileRequest<T = unknown> {
  path: string;
  kind: StateFileKind<T>;
}

/** Why a state file gave nothing: absent, denied to us, or unusable (too large, not JSON). */
export type StateFileProblem = 'missing' | 'denied' | 'invalid';

export interface StateFileAnswer<T = unknown> {
  value: T | null;
  problem: StateFileProblem | null;
}

function parseText(text: string, kind: StateFileKind<unknown>): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  return kind.parse(json);
}

function problemOf(failure: NativeFailure): StateFileProblem {
  const kind = errnoKind(failure.errno);
  return kind === 'denied' ? 'denied' : kind === 'missing' ? 'missing' : 'invalid';
}

/**
 * Reads state files in the caller's trip: adds their stats to `batch`; the function returned takes that
 * trip's answers and gives each file's parsed value (read in one more trip where it changed).
 */
export function planStateFiles(
  batch: FileBatch,
  requests: readonly StateFileRequest[],
): (answers: BatchAnswers) => Promise<StateFileAnswer[]> {
  const at = requests.map(({ path }) => batch.add(path, FileMode.Stat));
  return async (answers) => {
    const out = new Array<StateFileAnswer>(requests.length);
    const reads = new FileBatch();
    const toRead: Array<{ index: number; ino: number; mtimeNs: number; size: number }> = [];
    requests.forEach(({ path, kind }, i) => {
      const info = answers.stat(at[i]!);
      if (info === null) {
        cache.delete(path);
        out[i] = { value: null, problem: problemOf(answers.failure(at[i]!)!) };
        return;
      }
      const cached = cache.get(path);
      if (
        cached &&
        cached.kind === kind &&
        cached.ino === info.ino &&
        cached.mtimeNs === info.mtimeNs &&
        cached.size === info.size
      ) {
        out[i] = { value: cached.value, problem: cached.value === null ? 'invalid' : null };
        return;
      }
      if (info.size > STATE_FILE_MAX_BYTES) {
        out[i] = { value: null, problem: 'invalid' };
        return;
      }
      // The same path asked twice in one call is read once.
      const earlier = toRead.find((read) => requests[read.index]!.path === path);
      if (earlier === undefined) reads.add(path, FileMode.Text);
      toRead.push({ index: i, ...info });
    });
    if (reads.size > 0) {
      const texts = await reads.read(reads.size <= 8);
      const byPath = new Map<string, number>();
      for (const read of toRead) {
        const { path, kind } = requests[read.index]!;
        let slot = byPath.get(path);
        if (slot === undefined) byPath.set(path, (slot = byPath.size));
        const text = texts.text(slot);
        if (text === null) {
          out[read.index] = { value: null, problem: problemOf(texts.failure(slot)!) };
          continue;
        }
        const value = parseText(text, kind);
        if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
        cache.set(path, { ino: read.ino, mtimeNs: read.mtimeNs, size: read.size, kind, value });
        out[read.index] = { value, problem: value === null ? 'invalid' : null };
      }
    }
    return out;
  };
}

/** Reads state files in a trip of their own. */
export async function readStateFiles(requests: readonly StateFileRequest[]): Promise<StateFileAnswer[]> {
  if (requests.length === 0) return [];
  const batch = new FileBatch();
  const finish = planStateFiles(batch, requests);
  return finish(await batch.read(batch.size <= 8));
}

// JSON helpers for parsers: untrusted shapes, bounded sizes.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string no longer than `max`, else null. */
export function stringOf(value: unknown, max = 4096): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : null;
}

const LABELS_MAX = 1024;
const LABEL_KEY_MAX = 1024;
const LABEL_VALUE_MAX = 16 * 1024;

/** A string-to-string map (labels, annotations), bounded; other entries are left out. */
export function labelsOf(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const entries: Array<[string, string]> = [];
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' || key.length === 0 || key.length > LABEL_KEY_MAX || entry.length > LABEL_VALUE_MAX)
      continue;
    if (entries.push([key, entry]) >= LABELS_MAX) break;
  }
  // fromEntries defines own properties: a "__proto__" key stays a key.
  return Object.fromEntries(entries);
}
