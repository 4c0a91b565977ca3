// Who owns a network namespace that several containers use: the pod sandbox, else the container whose
// process started first (the others joined it, as with --network container:x). The others report the
// namespace as shared with its owner. Also which namespace is the host's.
import { FileMode } from '../native.js';
import { FileBatch } from '../io/batch.js';
import type { ResolvedContainer } from '../discovery/types.js';
import { hostNetnsInode, parseStartTicks } from '../discovery/process-facts.js';

/** A container and the inode of the network namespace it was found in (null: none, no PID). */
export interface NamespaceMember {
  container: ResolvedContainer;
  inode: number | null;
}

export class NamespaceOwnership {
  readonly #procRoot: string;
  /** Start times of processes (they never change for a process; a replaced one is another ResolvedContainer). */
  readonly #startTicks = new WeakMap<ResolvedContainer, number>();

  constructor(procRoot: string) {
    this.#procRoot = procRoot;
  }

  hostInode(): Promise<number | null> {
    return hostNetnsInode(this.#procRoot);
  }

  /** For every namespace (but the host's) used by more than one of `members`, the id of its owner. */
  async owners(members: Iterable<NamespaceMember>): Promise<Map<number, string>> {
    const host = await this.hostInode();
    // A namespace of one container (nearly all of them) needs no group of its own: one is made when a
    // second container shows up in it.
    const single = new Map<number, ResolvedContainer>();
    const groups = new Map<number, Map<string, ResolvedContainer>>();
    for (const { container, inode } of members) {
      if (inode === null || inode === host) continue;
      const group = groups.get(inode);
      if (group !== undefined) {
        group.set(container.id, container);
        continue;
      }
      const first = single.get(inode);
      if (first === undefined || first.id === container.id) {
        single.set(inode, container);
        continue;
      }
      groups.set(
        inode,
        new Map([
          [first.id, first],
          [container.id, container],
        ]),
      );
      single.delete(inode);
    }
    const shared = [...groups];
    const owners = new Map<number, string>();
    if (shared.length === 0) return owners;
    await this.#loadStartTicks(shared.flatMap(([, group]) => [...group.values()].filter((c) => !c.sandbox)));
    for (const [inode, group] of shared) {
      const candidates = [...group.values()];
      owners.set(inode, (candidates.find((c) => c.sandbox) ?? this.#earliestStarted(candidates)).id);
    }
    return owners;
  }

  /** Reads, in one trip, the start times not known yet. */
  async #loadStartTicks(containers: ResolvedContainer[]): Promise<void> {
    const unknown = containers.filter((c) => c.pid !== null && !this.#startTicks.has(c));
    if (unknown.length === 0) return;
    const batch = new FileBatch();
    for (const container of unknown) batch.add(`${this.#procRoot}/${container.pid}/stat`, FileMode.Text);
    const answers = await batch.read(unknown.length <= 16);
    unknown.forEach((container, i) => {
      const text = answers.text(i);
      // A process that exited meanwhile has no start time: it cannot be the owner.
      const ticks = text === null ? null : parseStartTicks(text);
      if (ticks !== null) this.#startTicks.set(container, ticks);
    });
  }

  #earliestStarted(candidates: ResolvedContainer[]): ResolvedContainer {
    let best = candidates[0]!;
    let bestStart = Infinity;
    for (const candidate of candidates) {
      const start = this.#startTicks.get(candidate);
      if (start !== undefined && start < bestStart) {
        bestStart = start;
        best = candidate;
      }
    }
    return best;
  }
}
