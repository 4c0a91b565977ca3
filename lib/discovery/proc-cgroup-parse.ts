// /proc/<pid>/cgroup lines: which cgroup a process is in, per hierarchy (a pure parser).

export interface ProcCgroupEntry {
  hierarchyId: number;
  /** v1 controllers of the hierarchy ("cpu", "cpuacct", "name=systemd"); empty for the v2 "0::" line. */
  controllers: string[];
  path: string;
}

/** Parses "hier:ctrl1,ctrl2:/path" lines. The path may itself contain ":" so only the first two split. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second < 0) continue;
    const hierarchyId = Number(line.slice(0, first));
    if (!Number.isInteger(hierarchyId)) continue;
    const controllerField = line.slice(first + 1, second);
    entries.push({
      hierarchyId,
      controllers: controllerField === '' ? [] : controllerField.split(','),
      path: line.slice(second + 1),
    });
  }
  return entries;
}

/** The entry of one hierarchy: the v2 "0::" line for null, else the v1 line listing `controller`. */
export function entryFor(entries: readonly ProcCgroupEntry[], controller: string | null): ProcCgroupEntry | undefined {
  return entries.find((entry) =>
    controller === null
      ? entry.hierarchyId === 0 && entry.controllers.length === 0
      : entry.controllers.includes(controller),
  );
}
