// walkDirs: the native directory walker, with the leaf globs the TypeScript side passes.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

const HEX_ID = '0123456789abcdef'.repeat(4);
const HEX_GLOB = '[0-9a-f]'.repeat(64);

const root = mkdtempSync(join(tmpdir(), 'ctn-walk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const dir of [
  `docker/${HEX_ID}/inner`,
  `system.slice/docker-${HEX_ID}.scope/init`,
  'system.slice/cron.service/deeper/deepest',
  `kubepods/pod1/${HEX_ID.toUpperCase()}/inner`,
  'user.slice',
]) {
  mkdirSync(join(root, dir), { recursive: true });
}
writeFileSync(join(root, 'docker', 'a-file'), '');
symlinkSync(join(root, 'docker'), join(root, 'link-to-docker'));

async function walk(globs: readonly string[], maxDepth = 24, inline = false): Promise<string[]> {
  return (await native.walkDirs(root, maxDepth, globs, inline))
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

describe('walkDirs', () => {
  it('lists every directory below root without globs (files and symlinks are not directories)', async () => {
    expect(await walk([])).toEqual(
      [
        'docker',
        `docker/${HEX_ID}`,
        `docker/${HEX_ID}/inner`,
        'kubepods',
        'kubepods/pod1',
        `kubepods/pod1/${HEX_ID.toUpperCase()}`,
        `kubepods/pod1/${HEX_ID.toUpperCase()}/inner`,
        'system.slice',
        'system.slice/cron.service',
        'system.slice/cron.service/deeper',
        'system.slice/cron.service/deeper/deepest',
        `system.slice/docker-${HEX_ID}.scope`,
        `system.slice/docker-${HEX_ID}.scope/init`,
        'user.slice',
      ].sort(),
    );
  });

  it('lists a directory matching a leaf glob but does not walk into it, on the pool and inline alike', async () => {
    const expected = [
      'docker',
      `docker/${HEX_ID}`,
      'kubepods',
      'kubepods/pod1',
      `kubepods/pod1/${HEX_ID.toUpperCase()}`,
      `kubepods/pod1/${HEX_ID.toUpperCase()}/inner`,
      'system.slice',
      'system.slice/cron.service',
      'system.slice/cron.service/deeper',
      'system.slice/cron.service/deeper/deepest',
      `system.slice/docker-${HEX_ID}.scope`,
      'user.slice',
    ].sort();
    expect(await walk(['*.scope', HEX_GLOB])).toEqual(expected);
    expect(await walk(['*.scope', HEX_GLOB], 24, true)).toEqual(expected);
    // fnmatch(3) without flags: brackets are case-sensitive, '*' crosses nothing but the name itself.
    expect(await walk(['cron.*'])).not.toContain('system.slice/cron.service/deeper');
    expect(await walk(['*'])).toEqual(['docker', 'kubepods', 'system.slice', 'user.slice']);
    expect(await walk(['[!x]*'], 2)).toEqual(['docker', 'kubepods', 'system.slice', 'user.slice']);
  });

  it('stops at maxDepth whatever the globs', async () => {
    expect(await walk(['nomatch'], 1)).toEqual(['docker', 'kubepods', 'system.slice', 'user.slice']);
  });

  it('refuses leafGlobs that are not an array of 1..1024-byte strings, at most 64 of them, with a TypeError', () => {
    const bad: unknown[] = [
      undefined,
      null,
      '*.scope',
      5,
      [5],
      ['ok', null],
      [''],
      ['x'.repeat(1025)],
      ['a\0b'],
      Array.from({ length: 65 }, () => '*.scope'),
    ];
    for (const globs of bad) {
      expect(() => native.walkDirs(root, 4, globs as string[]), JSON.stringify(globs)).toThrow(TypeError);
    }
    // The bounds themselves are accepted.
    expect(() =>
      native.walkDirs(
        root,
        1,
        Array.from({ length: 64 }, () => 'x'.repeat(1024)),
      ),
    ).not.toThrow();
  });

  it('rejects with a system error when root cannot be opened, inline too', async () => {
    for (const inline of [false, true]) {
      await expect(native.walkDirs(join(root, 'missing'), 4, [], inline)).rejects.toMatchObject({
        errno: -2,
        syscall: 'open',
        path: join(root, 'missing'),
      });
      await expect(native.walkDirs(join(root, 'docker', 'a-file'), 4, [], inline)).rejects.toMatchObject({
        errno: -20,
        syscall: 'open',
      });
    }
  });
});
