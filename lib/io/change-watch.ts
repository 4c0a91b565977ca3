// Whether directories changed (an entry made, removed or renamed in one) since last asked: inotify through
// fs.watch, which costs nothing per look, instead of a stat of each directory each time. A directory that
// is not there (yet) cannot be watched: it is looked for again at most once a second.
import { watch, type FSWatcher } from 'node:fs';

const MISSING_RECHECK_MS = 1000;
/** No look watches more directories than this: past it, every look counts as a change. */
const WATCH_MAX = 4096;

export class ChangeWatch {
  readonly #watchers = new Map<string, FSWatcher>();
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
    const changed = this.#changed || this.#watchers.size > WATCH_MAX;
    this.#changed = false;
    return changed;
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
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
    return true;
  }
}
