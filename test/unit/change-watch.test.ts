// ChangeWatch on real directories: a change is seen by the very next look, in the same turn of the event
// loop (before Node has delivered the inotify event), and a look without a change says so.
import { mkdirSync, mkdtempSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeWatch } from '../../lib/io/change-watch.js';

describe('ChangeWatch', () => {
  let dir: string;
  let watch: ChangeWatch;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctrstat-watch-'));
    watch = new ChangeWatch();
    watch.watch([dir]);
  });

  afterEach(() => {
    watch.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says "changed" at first, then not until something changes', () => {
    expect(watch.takeChanged()).toBe(true);
    expect(watch.takeChanged()).toBe(false);
    expect(watch.takeChanged()).toBe(false);
  });

  it('sees an entry made, renamed or removed at the next look, in the same turn of the event loop', () => {
    watch.takeChanged();
    mkdirSync(join(dir, 'a'));
    expect(watch.takeChanged()).toBe(true);
    expect(watch.takeChanged()).toBe(false);
    renameSync(join(dir, 'a'), join(dir, 'b'));
    expect(watch.takeChanged()).toBe(true);
    writeFileSync(join(dir, 'file'), 'x');
    expect(watch.takeChanged()).toBe(true);
    rmdirSync(join(dir, 'b'));
    expect(watch.takeChanged()).toBe(true);
    expect(watch.takeChanged()).toBe(false);
  });

  it('takes a watched directory that went away as a change', () => {
    watch.takeChanged();
    rmSync(dir, { recursive: true });
    expect(watch.takeChanged()).toBe(true);
  });

  it('does not take a change inside an entry (a file written in a subdirectory) for one of the directory', () => {
    mkdirSync(join(dir, 'sub'));
    watch.takeChanged();
    writeFileSync(join(dir, 'sub', 'state.json'), '{}');
    expect(watch.takeChanged()).toBe(false);
  });
});
