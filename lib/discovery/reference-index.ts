// The containers the runtimes say are running, by id and by name, without walking the cgroup hierarchy:
// containerd's task directories (Docker's own containerd among them, namespace "moby") and the
// containers/storage tables of Podman and CRI-O. Kept while those directories are unchanged (inotify says
// when they change), so finding a container by id, name or prefix costs the same on a host of any size. A container the runtimes do not describe (LXC, a plain cgroup, state we may not read) is not in it:
// callers fall back to walking the hierarchy.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChangeWatch } from '../io/change-watch.js';
import type { KubernetesIdentity, Runtime } from '../types.js';
import { DOCKER_CONFIG, dockerStateFiles, type DockerConfig } from '../runtimes/docker.js';
import { DOCKER_NAMESPACE, NERDCTL_NAME, taskSpec } from '../runtimes/containerd.js';
import { CONTAINERS_TABLE, containerTables, userdataSpecs, type StorageContainer } from '../runtimes/podman.js';
import { criFacts, kubernetesName } from '../runtimes/kubernetes.js';
import { HEX64, isContainerdId } from '../runtimes/ids.js';
import { OCI_SPEC, type OciSpec } from '../runtimes/oci.js';
import { readStateFiles, type StateFileRequest } from '../runtimes/state-files.js';
import type { RuntimeRoots } from '../runtimes/metadata.js';

export interface IndexEntry {
  id: string;
  runtime: Runtime;
  name: string | null;
  kubernetes: KubernetesIdentity | null;
  /** The OCI specs that may hold its cgroup path, most likely first (a task bundle; Podman's and CRI-O's userdata). */
  specs: readonly string[];
  /** The state file its name comes from, to check a name match against (null: the name is its id). */
  nameFile: StateFileRequest | null;
}

interface Snapshot {
  entries: readonly IndexEntry[];
  byId: ReadonlyMap<string, IndexEntry>;
  byName: ReadonlyMap<string, readonly IndexEntry[]>;
}

/** Only this many entries per index: a host with more containers falls back to walking. */
const INDEX_MAX = 100_000;

/** One task directory: the containerd root and namespace it is in. */
interface TaskDir {
  root: string;
  namespace: string;
  dir: string;
}

function indexOf(entries: IndexEntry[]): Snapshot {
  const byId = new Map<string, IndexEntry>();
  const byName = new Map<string, IndexEntry[]>();
  for (const entry of entries) {
    if (!byId.has(entry.id)) byId.set(entry.id, entry);
    if (entry.name !== null) {
      const list = byName.get(entry.name);
      if (list === undefined) byName.set(entry.name, [entry]);
      else list.push(entry);
    }
  }
  return { entries, byId, byName };
}

export class ReferenceIndex {
  readonly #roots: RuntimeRoots;
  /** The directories the entries come from: containerd's roots and namespaces, the tables' directories. */
  readonly #watch = new ChangeWatch();
  #snapshot: Snapshot | null = null;
  #building: Promise<Snapshot> | null = null;

  constructor(roots: RuntimeRoots) {
    this.#roots = roots;
  }

  /** The index, rebuilt when one of the directories it comes from changed. */
  async current(): Promise<Snapshot> {
    if (this.#snapshot !== null && !this.#watch.takeChanged()) return this.#snapshot;
    this.#building ??= this.#build().finally(() => {
      this.#building = null;
    });
    const snapshot = await this.#building;
    this.#snapshot = snapshot;
    return snapshot;
  }

  /** Whether an entry still has the name it was found by (a rename rewrites its state file, not the directories). */
  async stillNamed(entry: IndexEntry, name: string): Promise<boolean> {
    if (entry.nameFile === null) return entry.name === name;
    const [answer] = await readStateFiles([entry.nameFile]);
    return nameOf(entry, answer?.value ?? null) === name;
  }

  /** Forgets the snapshot: the next look rebuilds it (names after a rename the directories did not show). */
  invalidate(): void {
    this.#snapshot = null;
  }

  /** The directories that hold the entries, but the namespaces' (watched once they are listed). */
  #baseDirs(): string[] {
    return [
      ...this.#roots.containerdRoots,
      ...new Set(containerTables(this.#roots.storageRoots).map((table) => dirname(table))),
    ];
  }

  async #build(): Promise<Snapshot> {
    // Watched before they are read: a change while reading is seen at the next look.
    this.#watch.watch(this.#baseDirs());
    // Namespaces of each root, then the tasks of each namespace.
    const namespaces = new Map<string, string[]>();
    await Promise.all(
      this.#roots.containerdRoots.map(async (root) => {
        try {
          namespaces.set(
            root,
            (await readdir(root, { withFileTypes: true }))
              .filter((e) => e.isDirectory() && isContainerdId(e.name))
              .map((e) => e.name),
          );
        } catch {
          // No containerd here, or not ours to read.
        }
      }),
    );
    const tasksDirs: TaskDir[] = [];
    for (const [root, list] of namespaces)
      for (const namespace of list) tasksDirs.push({ root, namespace, dir: join(root, namespace) });
    this.#watch.watch([...this.#baseDirs(), ...tasksDirs.map((task) => task.dir)]);
    const tasks: Array<{ task: TaskDir; id: string }> = [];
    await Promise.all(
      tasksDirs.map(async (task) => {
        try {
          for (const entry of await readdir(task.dir, { withFileTypes: true })) {
            if (entry.isDirectory() && isContainerdId(entry.name) && tasks.length < INDEX_MAX)
              tasks.push({ task, id: entry.name });
          }
        } catch {
          // Removed meanwhile, or not ours to read.
        }
      }),
    );

    // Each task's spec (its annotations name it), Docker's config.v2.json for Docker's, the storage tables.
    const requests: StateFileRequest[] = [];
    const taskAt: number[] = [];
    const dockerAt: number[] = [];
    for (const { task, id } of tasks) {
      taskAt.push(requests.length);
      requests.push({ path: taskSpec(task.root, task.namespace, id)!, kind: OCI_SPEC });
      const docker = task.namespace === DOCKER_NAMESPACE ? dockerStateFiles(this.#roots.dockerRoot, id) : null;
      dockerAt.push(docker === null ? -1 : requests.length);
      if (docker !== null) requests.push({ path: docker.config, kind: DOCKER_CONFIG });
    }
    const tables = containerTables(this.#roots.storageRoots);
    const tableAt = requests.length;
    for (const path of tables) requests.push({ path, kind: CONTAINERS_TABLE });
    const answers = await readStateFiles(requests);

    const entries: IndexEntry[] = [];
    tasks.forEach(({ task, id }, i) => {
      const spec = answers[taskAt[i]!]!.value as OciSpec | null;
      const specs = [taskSpec(task.root, task.namespace, id)!];
      if (task.namespace === DOCKER_NAMESPACE) {
        if (!HEX64.test(id)) return;
        const at = dockerAt[i]!;
        const entry: IndexEntry = {
          id,
          runtime: 'docker',
          name: null,
          kubernetes: null,
          specs,
          nameFile: { path: requests[at]!.path, kind: DOCKER_CONFIG },
        };
        entry.name = nameOf(entry, answers[at]!.value);
        entries.push(entry);
        return;
      }
      const cri = spec === null ? null : criFacts(spec.annotations);
      const entry: IndexEntry = {
        id,
        runtime: cri !== null ? 'cri-containerd' : 'containerd',
        name: null,
        kubernetes: cri?.kubernetes ?? null,
        specs,
        nameFile: { path: specs[0]!, kind: OCI_SPEC },
      };
      entry.name = nameOf(entry, spec);
      entries.push(entry);
    });
    tables.forEach((_, t) => {
      const table = answers[tableAt + t]!.value as ReadonlyMap<string, StorageContainer> | null;
      for (const [id, container] of table ?? []) {
        if (entries.length >= INDEX_MAX) break;
        // Podman's and CRI-O's containers share the tables; which one made it shows in its cgroup path.
        entries.push({
          id,
          runtime: 'podman',
          name: container.name,
          kubernetes: null,
          specs: userdataSpecs(this.#roots.storageRoots, id),
          nameFile: { path: tables[t]!, kind: CONTAINERS_TABLE },
        });
      }
    });
    return indexOf(entries);
  }
}

/** An entry's name as its state file (parsed) gives it. */
function nameOf(entry: IndexEntry, parsed: unknown): string | null {
  if (parsed === null) return entry.runtime === 'containerd' && !HEX64.test(entry.id) ? entry.id : null;
  if (entry.runtime === 'docker') return (parsed as DockerConfig).name;
  if (entry.runtime === 'podman') return (parsed as ReadonlyMap<string, StorageContainer>).get(entry.id)?.name ?? null;
  const spec = parsed as OciSpec;
  const cri = criFacts(spec.annotations);
  if (cri !== null) return cri.sandbox === true ? null : kubernetesName(cri.kubernetes);
  const nerdctl = spec.annotations[NERDCTL_NAME];
  if (nerdctl !== undefined && nerdctl.length <= 256) return nerdctl;
  return HEX64.test(entry.id) ? null : entry.id;
}

const indexes = new Map<string, ReferenceIndex>();

/** The index of these roots, kept for the life of the process. */
export function referenceIndex(roots: RuntimeRoots): ReferenceIndex {
  const key = JSON.stringify(roots);
  let index = indexes.get(key);
  if (index === undefined) {
    index = new ReferenceIndex(roots);
    if (indexes.size < 16) indexes.set(key, index);
  }
  return index;
}
