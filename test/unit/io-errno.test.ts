// The one errno classification (lib/discovery/fs-errors.ts) and the typed errors made from failed calls.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ContainerNotFoundError, PermissionDeniedError } from '../../lib/errors.js';
import { errnoKind, failureError, isMissing, rethrowAsTyped } from '../../lib/io/errno.js';
import { native } from '../../lib/native.js';

const ENOENT = -2,
  ESRCH = -3,
  EIO = -5,
  EACCES = -13,
  ENOTDIR = -20,
  ENODEV = -19,
  EPERM = -1;

function thrown(fn: () => never): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('errnoKind', () => {
  it('tells missing, denied and other apart by the negative errno', () => {
    for (const errno of [ENOENT, ENOTDIR, ESRCH, ENODEV]) expect(errnoKind(errno)).toBe('missing');
    for (const errno of [EACCES, EPERM]) expect(errnoKind(errno)).toBe('denied');
    expect(errnoKind(EIO)).toBe('other');
    // A positive errno is not one Node or the addon reports.
    expect(errnoKind(2)).toBe('other');
  });
});

describe('isMissing', () => {
  it("knows Node fs errors, the addon's rejections and its per-file failures", async () => {
    expect(isMissing(await readFile('/nonexistent/ctrstat').catch((err: unknown) => err))).toBe(true);
    expect(isMissing(await native.walkDirs('/nonexistent/ctrstat', 1, []).catch((err: unknown) => err))).toBe(true);
    expect(isMissing({ errno: ENOENT, syscall: 'open', path: '/x' })).toBe(true);
    expect(isMissing({ errno: EIO, syscall: 'read' })).toBe(false);
    expect(isMissing(new ContainerNotFoundError('web'))).toBe(false);
  });
});

describe('failureError and rethrowAsTyped', () => {
  it('EACCES is a PermissionDeniedError, another errno a system error with its code', () => {
    expect(failureError({ errno: EACCES, syscall: 'open', path: '/x' })).toBeInstanceOf(PermissionDeniedError);
    expect(failureError({ errno: EIO, syscall: 'read', path: '/x' })).toMatchObject({
      code: 'EIO',
      errno: EIO,
      syscall: 'read',
      path: '/x',
    });
  });

  it("an addon rejection (no code of its own) becomes a system error; Node's errors and ours pass unchanged", async () => {
    const addon = Object.assign(new Error('read: Input/output error'), { errno: EIO, syscall: 'read', path: '/x' });
    expect(thrown(() => rethrowAsTyped(addon))).toMatchObject({ code: 'EIO', path: '/x' });
    const node = await readFile('/nonexistent/ctrstat').catch((err: unknown) => err);
    expect(thrown(() => rethrowAsTyped(node))).toBe(node);
    const ours = new ContainerNotFoundError('web');
    expect(thrown(() => rethrowAsTyped(ours))).toBe(ours);
    const denied = Object.assign(new Error('EACCES'), { code: 'EACCES', errno: EACCES, syscall: 'open', path: '/x' });
    expect(thrown(() => rethrowAsTyped(denied))).toBeInstanceOf(PermissionDeniedError);
  });
});
