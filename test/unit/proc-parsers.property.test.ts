// Properties of the /proc parsers in TypeScript: /proc/<pid>/cgroup (lib/discovery/proc-cgroup-parse.ts)
// and mountinfo (lib/discovery/mountinfo.ts). What the kernel writes round-trips; any other text is
// parsed without a throw, its malformed lines skipped, and no field is NaN.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMountinfo, unescapeMountPath, type MountinfoEntry } from '../../lib/discovery/mountinfo.js';
import { entryFor, parseProcCgroup, type ProcCgroupEntry } from '../../lib/discovery/proc-cgroup-parse.js';

const RUNS = { numRuns: 2000 };

/** Text made of the characters these files are built from, and a few they are not. */
const procText = fc
  .array(
    fc.string({
      unit: fc.constantFrom('0', '1', '9', ':', ',', '/', ' ', '-', '\\', '040', 'a', 'name=', 'x', '\t', '.', 'NaN'),
      maxLength: 60,
    }),
    { maxLength: 12 },
  )
  .map((lines) => lines.join('\n'));
const anyText = fc.oneof(procText, fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }));

describe('parseProcCgroup', () => {
  const controller = fc.oneof(
    fc.constantFrom('cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'hugetlb', 'net_cls', 'name=systemd'),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_='), minLength: 1, maxLength: 12 }),
  );
  /** A path as the kernel writes it: no newline; it may hold ":" and spaces. */
  const cgroupPath = fc.string({ unit: fc.constantFrom('/', 'a', 'b', ':', ' ', '.', '-', '@', 'é'), maxLength: 40 });
  const entry: fc.Arbitrary<ProcCgroupEntry> = fc.oneof(
    fc.record({
      hierarchyId: fc.integer({ min: 1, max: 64 }),
      controllers: fc.array(controller, { minLength: 1, maxLength: 3 }),
      path: cgroupPath.map((p) => `/${p}`),
    }),
    fc.record({
      hierarchyId: fc.constant(0),
      controllers: fc.constant<string[]>([]),
      path: cgroupPath.map((p) => `/${p}`),
    }),
  );

  it('round-trips the lines the kernel writes, in order', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 14 }), fc.boolean(), (entries, trailingNewline) => {
        const text = entries.map((e) => `${e.hierarchyId}:${e.controllers.join(',')}:${e.path}`).join('\n');
        expect(parseProcCgroup(trailingNewline ? `${text}\n` : text)).toEqual(entries);
      }),
      RUNS,
    );
  });

  it('finds the v2 line for null and the v1 line of each controller', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 14 }), (entries) => {
        const parsed = parseProcCgroup(
          entries.map((e) => `${e.hierarchyId}:${e.controllers.join(',')}:${e.path}`).join('\n'),
        );
        expect(entryFor(parsed, null)).toEqual(entries.find((e) => e.hierarchyId === 0));
        for (const e of entries)
          for (const name of e.controllers)
            expect(entryFor(parsed, name)).toEqual(entries.find((x) => x.controllers.includes(name)));
      }),
      RUNS,
    );
  });

  it('never throws, gives integer hierarchy ids and paths without a newline, whatever the text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const e of parseProcCgroup(text)) {
          expect(Number.isInteger(e.hierarchyId)).toBe(true);
          expect(e.path).not.toContain('\n');
          expect(Array.isArray(e.controllers)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('parseMountinfo', () => {
  /** The kernel's escaping of mountinfo paths (space, tab, newline, backslash as octal). */
  const escape = (path: string) =>
    path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  const pathText = fc.string({
    unit: fc.constantFrom('/', 'a', 'b', ' ', '\t', '\n', '\\', '-', ':', 'é', '0', '7'),
    maxLength: 30,
  });
  const word = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_=.'),
    minLength: 1,
    maxLength: 12,
  });
  const mount = fc.record({
    mountId: fc.nat(1_000_000),
    parentId: fc.nat(1_000_000),
    device: fc.tuple(fc.nat(4095), fc.nat(1_048_575)).map(([a, b]) => `${a}:${b}`),
    root: pathText.map((p) => `/${p}`),
    mountPoint: pathText.map((p) => `/${p}`),
    mountOptions: fc.array(word, { minLength: 1, maxLength: 4 }),
    optional: fc.array(fc.constantFrom('shared:1', 'master:7', 'propagate_from:2', 'unbindable'), { maxLength: 3 }),
    fsType: word,
    source: fc.oneof(
      word,
      pathText.map((p) => `/${p}`),
    ),
    superOptions: fc.array(word, { minLength: 1, maxLength: 4 }),
  });
  type Mount = typeof mount extends fc.Arbitrary<infer T> ? T : never;
  const line = (m: Mount) =>
    [
      m.mountId,
      m.parentId,
      m.device,
      escape(m.root),
      escape(m.mountPoint),
      m.mountOptions.join(','),
      ...m.optional,
      '-',
      m.fsType,
      escape(m.source),
      m.superOptions.join(','),
    ].join(' ');

  it('unescapes what the kernel escapes', () => {
    fc.assert(
      fc.property(pathText, (path) => {
        expect(unescapeMountPath(escape(path))).toBe(path);
      }),
      RUNS,
    );
  });

  it('round-trips the lines the kernel writes, whatever the optional fields', () => {
    fc.assert(
      fc.property(fc.array(mount, { maxLength: 10 }), (mounts) => {
        const expected: MountinfoEntry[] = mounts.map((m) => ({
          mountId: m.mountId,
          parentId: m.parentId,
          root: m.root,
          mountPoint: m.mountPoint,
          mountOptions: m.mountOptions,
          fsType: m.fsType,
          source: m.source,
          superOptions: m.superOptions,
        }));
        expect(parseMountinfo(`${mounts.map(line).join('\n')}\n`)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('never throws and never gives a NaN id or a missing field, whatever the text: a malformed line is skipped', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc
            .array(mount)
            .map((ms) => ms.map(line).join('\n'))
            .chain((t) => fc.constant(t)),
        ),
        (text) => {
          for (const e of parseMountinfo(text)) {
            expect(Number.isSafeInteger(e.mountId) && e.mountId >= 0).toBe(true);
            expect(Number.isSafeInteger(e.parentId) && e.parentId >= 0).toBe(true);
            for (const field of [e.root, e.mountPoint, e.fsType, e.source]) expect(typeof field).toBe('string');
          }
        },
      ),
      RUNS,
    );
  });

  it('skips a line whose ids are not numbers, keeping the others', () => {
    fc.assert(
      fc.property(mount, fc.constantFrom('x', '', '-1', '1.5', 'NaN', '0x10'), (m, bad) => {
        const good = line(m);
        const broken = good.replace(/^\d+/, bad);
        expect(parseMountinfo(`${broken}\n${good}\n`).map((e) => e.mountId)).toEqual([m.mountId]);
      }),
      RUNS,
    );
  });
});
