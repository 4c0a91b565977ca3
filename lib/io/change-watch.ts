// Whether directories changed (an entry made, removed or renamed in one) since last asked: inotify through
// fs.watch, plus a stat of each directory (its mtime, ctime and link count) at every look. The inotify
// event alone comes too late for a look made right after the change: the kernel has queued it, but Node
// delivers it on a later turn of the event loop (a `docker run` awaited just before a lookup by name
// resolves first), so a few stats of a handful of directories decide, and the watch catches what a
// coarse timestamp could miss. A directory that is not there (yet) is looked for again at most once a second.
import { statSync, watch, type BigIntStats, type FSWatcher } from 'node:fs';

const MISSING_RECHECK_MS = 1000;
/** No look watches more directories than this: past it, every look counts as a change. */
const WATCH_MAX = 4096;

export class ChangeWatch {
  readonly #watchers = new Map<string, FSWatcher>();
  /** What each watched directory's stat said when it was last looked at. */
  readonly #stamps = new Map<string, string>();
  readonly #missing = new Set<string>();
  #missingCheckedAt = 0;
  #changed = true;

  /** Watches these directories from now on (and no longer the others). Call before reading them. */
  watch(dirs: Iterable<string>): void {
    const wanted = new Set(dirs);
    for (const [dir, watcher] of this.#watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.#watchers.delete(dir);
        this.#stamps.delete(dir);
      }
    }
    for (const dir of this.#missing) if (!wanted.has(dir)) this.#missing.delete(dir);
    for (const dir of wanted) if (!this.#watchers.has(dir)) this.#start(dir);
  }

  /** True when anything watched changed since the last call, or when that cannot be told (true at first). */
  takeChanged(): boolean {
    if (this.#missing.size > 0 && Date.now() - this.#missingCheckedAt >= MISSING_RECHECK_MS) {
      this.#missingCheckedAt = Date.now();
      for (const dir of [...this.#missing]) {
        this.#missing.delete(dir);
        // Now there: what it holds is new.
        if (this.#start(dir)) this.#changed = true;
      }
    }
    if (this.#watchers.size <= WATCH_MAX) {
      for (const dir of this.#watchers.keys()) {
        const now = stampOf(dir);
        if (now !== this.#stamps.get(dir)) {
          this.#stamps.set(dir, now);
          this.#changed = true;
        }
      }
    }
    const changed = this.#changed || this.#watchers.size > WATCH_MAX;
    this.#changed = false;
    return changed;
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#stamps.clear();
    this.#missing.clear();
  }

  #start(dir: string): boolean {
    let watcher: FSWatcher;
    try {
      // Not persistent: a watch never keeps the process alive.
      watcher = watch(dir, { persistent: false }, () => {
        this.#changed = true;
      });
    } catch {
      this.#missing.add(dir);
      return false;
    }
    watcher.on('error', () => {
      // The directory went away (or the watch broke): look for it again, and take everything as changed.
      watcher.close();
      this.#watchers.delete(dir);
      this.#missing.add(dir);
      this.#changed = true;
    });
    this.#watchers.set(dir, watcher);
    // Taken when the watch starts, that is before the directory is read: a change while reading shows.
    this.#stamps.set(dir, stampOf(dir));
    return true;
  }
}

/** A directory's mtime, ctime (nanoseconds) and link count; "gone" when it cannot be stat'ed. */
function stampOf(dir: string): string {
  let stats: BigIntStats | undefined;
  try {
    stats = statSync(dir, { bigint: true, throwIfNoEntry: false });
  } catch {
    stats = undefined;
  }
  return stats === undefined ? 'gone' : `${stats.mtimeNs}:${stats.ctimeNs}:${stats.nlink}:${stats.ino}`;
}
