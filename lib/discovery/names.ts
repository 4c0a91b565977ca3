// Container names read from the runtimes' on-disk state, without a daemon call.
// Docker keeps one config.v2.json per container; Podman (containers/storage) one containers.json
// per storage driver listing every container's id and names. Both are cached by file identity
// (inode, mtime, size): the runtimes replace these files when they change them.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CtrstatError } from '../errors.js';
import type { HostOptions, Runtime } from '../types.js';
import { isAccessDenied, isMissing } from './fs-errors.js';

export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';
export const DEFAULT_PODMAN_ROOTS = ['/var/lib/containers/storage', '/run/containers/storage'];
/** containers/storage keeps one containers.json per graph driver. */
const PODMAN_CONTAINER_TABLES = ['overlay-containers/containers.json', 'vfs-containers/containers.json'];
const CACHE_LIMIT = 4096;

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
  constructor(private readonly parse: (text: string, path: string) => T) {}

  /** The parsed file; null when it is absent or unreadable for lack of rights (a name is optional). */
  async get(path: string): Promise<T | null> {
    try {
      const info = await stat(path);
      const cached = this.entries.get(path);
      if (cached && cached.ino === info.ino && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.value;
      const value = this.parse(await readFile(path, 'utf8'), path);
      if (this.entries.size >= CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(path, { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, value });
      return value;
    } catch (err) {
      if (isMissing(err) || isAccessDenied(err)) {
        this.entries.delete(path);
        return null;
      }
      throw err;
    }
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CtrstatError('ERR_RUNTIME_STATE', `Cannot parse ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Docker's config.v2.json: the name is stored as "/name". */
export function parseDockerConfigName(text: string, path: string): string | null {
  const config = parseJson(text, path) as { Name?: unknown } | null;
  const name = config?.Name;
  return typeof name === 'string' && name !== '' ? name.replace(/^\//, '') : null;
}

/** containers/storage containers.json: [{ id, names: [...] }, ...] -> id -> first name. */
export function parsePodmanContainers(text: string, path: string): Map<string, string> {
  const table = parseJson(text, path);
  if (!Array.isArray(table)) throw new CtrstatError('ERR_RUNTIME_STATE', `${path} is not a list of containers`);
  const names = new Map<string, string>();
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
    this.podmanTablePaths = (options?.podmanRoots ?? DEFAULT_PODMAN_ROOTS)
      .flatMap((root) => PODMAN_CONTAINER_TABLES.map((table) => join(root, table)));
  }

  /** The name of a Docker or Podman container; null for other runtimes or when the state is absent. */
  async nameOf(runtime: Runtime, id: string): Promise<string | null> {
    // Ids come from classification (64 hex) but are checked again: they become path components here.
    if (!/^[0-9a-f]{64}$/.test(id)) return null;
    if (runtime === 'docker') return dockerConfigs.get(join(this.dockerRoot, 'containers', id, 'config.v2.json'));
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
