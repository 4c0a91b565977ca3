// Parser for /proc/<pid>/mountinfo (proc(5)): positional fields up to the optional fields, a lone "-",
// then filesystem type, source and super options. Paths carry octal escapes (\040 for a space).

export interface MountinfoEntry {
  mountId: number;
  parentId: number;
  /** Field 4: the path inside the filesystem that the mount point shows ("/" for a whole filesystem). */
  root: string;
  mountPoint: string;
  mountOptions: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

/** Undoes the kernel's octal escaping of space, tab, newline and backslash in mountinfo paths. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

const DECIMAL_ID = /^\d{1,15}$/;

/** Parses a whole mountinfo file; malformed lines are skipped rather than guessed at. */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    // The optional fields (shared:N, master:N, ...) vary in number; the separator ends them.
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 4) continue;
    const [mountId, parentId, , root, mountPoint, mountOptions] = fields;
    if (root === undefined || mountPoint === undefined) continue;
    // The ids are decimal: a line with anything else there is not one the kernel wrote.
    if (!DECIMAL_ID.test(mountId ?? '') || !DECIMAL_ID.test(parentId ?? '')) continue;
    entries.push({
      mountId: Number(mountId),
      parentId: Number(parentId),
      root: unescapeMountPath(root),
      mountPoint: unescapeMountPath(mountPoint),
      mountOptions: (mountOptions ?? '').split(','),
      fsType: fields[separator + 1]!,
      source: unescapeMountPath(fields[separator + 2]!),
      superOptions: fields[separator + 3]!.split(','),
    });
  }
  return entries;
}
