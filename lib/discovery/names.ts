// Container names read from the runtimes' on-disk state, without a daemon call.
// Docker keeps one config.v2.json per container; Podman (containers/storage) one containers.json
// per storage driver listing every container's id and names. Both are cached by file identity
// (inode, mtime, size): the runtimes replace these files when they change them.
// A name is optional: a state file that is absent, unreadable for lack of rights or does not parse
// gives no name, and never fails the listing of every container.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostOptions, Runtime } from '../types.js';
import { FileMode, type NativeFailure } from '../native.js';
import { FileBatch, type BatchAnswers } from '../io/batch.js';
import { errnoKind, failureError, rethrowAsTyped } from '../io/errno.js';

export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';
export const DEFAULT_PODMAN_ROOTS = ['/var/lib/containers/storage', '/run/containers/storage'];

/** The storage of this user's rootless Podman ($XDG_DATA_HOME/containers/storage), when there is a home. */
function ownRootlessStorage(): string[] {
  const data = process.env.XDG_DATA_HOME || (process.env.HOME ? join(process.env.HOME, '.local/share') : '');
  return data ? [join(data, 'containers/storage')] : [];
}
/** containers/storage keeps one containers.json per graph driver. */
const PODMAN_CONTAINER_TABLES = ['overlay-containers/containers.json', 'vfs-containers/containers.json'];
const CACHE_LIMIT = 4096;
const HEX64 = /^[0-9a-f]{64}$/;

interface CachedFile<T> {
  ino: number;
  mtimeMs: number;
  size: number;
  value: T;
}

/**
 * A parsed-file cache keyed by path and checked against the file's identity on every use. Module
 * level is safe: entries hold only what is in the file, and a changed file is re-read.
 */
class FileCache<T> {
  private readonly entries = new Map<string, CachedFile<T>>();
  constructor(private readonly parse: (text: string) => T) {}

  /** The parsed file; null when it is absent or unreadable for lack of rights. */
  async get(path: string): Promise<T | null> {
    try {
      const info = await stat(path);
      return await this.#fresh(path, { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size });
    } catch (err) {
      return this.#unreadable(path, err);
    }
  }

  /** Many files: their identities in one native trip, then only the changed ones read. */
  async getMany(paths: readonly string[]): Promise<Array<T | null>> {
    if (paths.length === 0) return [];
    const batch = new FileBatch();
    const finish = this.planMany(batch, paths);
    return finish(await batch.read());
  }

  /**
   * getMany in a trip made by the caller: adds the stats to `batch`; the function returned takes the
   * batch's answers and reads only the files that changed.
   */
  planMany(batch: FileBatch, paths: readonly string[]): (answers: BatchAnswers) => Promise<Array<T | null>> {
    const at = paths.map((path) => batch.add(path, FileMode.Stat));
    return (answers) => Promise.all(paths.map(async (path, i) => {
      const info = answers.stat(at[i]!);
      if (info === null) return this.#failed(path, answers.failure(at[i]!)!);
      try {
        return await this.#fresh(path, { ino: info.ino, mtimeMs: info.mtimeNs / 1e6, size: info.size });
      } catch (err) {
        return this.#unreadable(path, err);
      }
    }));
  }

  async #fresh(path: string, identity: { ino: number; mtimeMs: number; size: number }): Promise<T> {
    const cached = this.entries.get(path);
    if (cached && cached.ino === identity.ino && cached.mtimeMs === identity.mtimeMs && cached.size === identity.size) return cached.value;
    const value = this.parse(await readFile(path, 'utf8'));
    if (this.entries.size >= CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(path, { ...identity, value });
    return value;
  }

  /** A Node fs error of stat or read: null when the file is absent or denied to us. */
  #unreadable(path: string, err: unknown): null {
    const errno = (err as { errno?: unknown }).errno;
    if (typeof errno !== 'number' || errnoKind(errno) === 'other') rethrowAsTyped(err);
    this.entries.delete(path);
    return null;
  }

  /** A failed stat of the batch: null when the file is absent or denied to us. */
  #failed(path: string, failure: NativeFailure): null {
    if (errnoKind(failure.errno) === 'other') throw failureError(failure);
    this.entries.delete(path);
    return null;
  }
}

/** The file's JSON; undefined when it does not parse (edited by hand, a damaged disk). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Docker's config.v2.json: the name is stored as "/name"; null when there is none or the file does not parse. */
export function parseDockerConfigName(text: string): string | null {
  const config = parseJson(text) as { Name?: unknown } | null | undefined;
  const name = config?.Name;
  return typeof name === 'string' && name !== '' ? name.replace(/^\//, '') : null;
}

/** containers/storage containers.json: [{ id, names: [...] }, ...] -> id -> first name; empty when it does not parse. */
export function parsePodmanContainers(text: string): Map<string, string> {
  const table = parseJson(text);
  const names = new Map<string, string>();
  if (!Array.isArray(table)) return names;
  for (const entry of table as Array<{ id?: unknown; names?: unknown }>) {
    const first = Array.isArray(entry?.names) ? entry.names[0] : undefined;
    if (typeof entry?.id === 'string' && typeof first === 'string') names.set(entry.id, first);
  }
  return names;
}

const dockerConfigs = new FileCache(parseDockerConfigName);
const podmanTables = new FileCache(parsePodmanContainers);

/** Looks names up for many containers of one listing; each Podman table is read at most once. */
export class ContainerNames {
  private readonly dockerRoot: string;
  private readonly podmanTablePaths: string[];
  private podmanNames: Promise<Map<string, string>> | null = null;

  constructor(options?: HostOptions) {
    this.dockerRoot = options?.dockerRoot ?? DEFAULT_DOCKER_ROOT;
    this.podmanTablePaths = (options?.podmanRoots ?? [...DEFAULT_PODMAN_ROOTS, ...ownRootlessStorage()])
      .flatMap((root) => PODMAN_CONTAINER_TABLES.map((table) => join(root, table)));
  }

  /** Docker names loaded by load(), by id. */
  private readonly docker = new Map<string, string | null>();

  /** Loads the names of many containers at once (one native trip for Docker's files). */
  async load(containers: ReadonlyArray<{ runtime: Runtime; id: string }>): Promise<void> {
    const batch = new FileBatch();
    const finish = this.planLoad(batch, containers);
    if (batch.size > 0) await finish(await batch.read());
  }

  /** load() in a trip made by the caller: adds what it needs to `batch`; call the result with its answers. */
  planLoad(batch: FileBatch, containers: ReadonlyArray<{ runtime: Runtime; id: string }>): (answers: BatchAnswers) => Promise<void> {
    const ids = [...new Set(containers.filter((c) => c.runtime === 'docker' && HEX64.test(c.id) && !this.docker.has(c.id)).map((c) => c.id))];
    const finish = dockerConfigs.planMany(batch, ids.map((id) => this.dockerConfigPath(id)));
    return async (answers) => {
      const names = await finish(answers);
      ids.forEach((id, i) => this.docker.set(id, names[i]!));
    };
  }

  private dockerConfigPath(id: string): string {
    return join(this.dockerRoot, 'containers', id, 'config.v2.json');
  }

  /** The name of a Docker or Podman container; null for other runtimes or when the state is absent. */
  async nameOf(runtime: Runtime, id: string): Promise<string | null> {
    // Ids come from classification (64 hex) but are checked again: they become path components here.
    if (!HEX64.test(id)) return null;
    if (runtime === 'docker') {
      const loaded = this.docker.get(id);
      return loaded !== undefined ? loaded : dockerConfigs.get(this.dockerConfigPath(id));
    }
    if (runtime === 'podman') {
      this.podmanNames ??= this.loadPodmanNames();
      return (await this.podmanNames).get(id) ?? null;
    }
    return null;
  }

  private async loadPodmanNames(): Promise<Map<string, string>> {
    const merged = new Map<string, string>();
    for (const table of await Promise.all(this.podmanTablePaths.map((path) => podmanTables.get(path)))) {
      for (const [id, name] of table ?? []) if (!merged.has(id)) merged.set(id, name);
    }
    return merged;
  }
}
