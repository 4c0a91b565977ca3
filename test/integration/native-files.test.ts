// FileSet (and FileBatch over it) against fs.readFileSync on real cgroup v1 and proc files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSystemErrorName } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMode, native, type NativeFileSet, type NativeTokenBatch } from '../../lib/native.js';
import { KeyNames } from '../../lib/io/tokens.js';
import { FileBatch, readTexts } from '../../lib/io/batch.js';
import { openFdCount } from '../helpers/netns.js';

const isRoot = process.getuid?.() === 0;
const memoryRoot = '/sys/fs/cgroup/memory';
const cpuacctRoot = '/sys/fs/cgroup/cpuacct';
const hasV1 = existsSync(`${memoryRoot}/memory.stat`) && existsSync(`${cpuacctRoot}/cpuacct.usage`);
const cgroupTestsRun = isRoot && hasV1;
if (!cgroupTestsRun && process.env.CI === 'true')
  throw new Error('cgroup v1 file tests need root and cgroup v1 memory/cpuacct');

const scratch = mkdtempSync(join(tmpdir(), 'ctn-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function statKeys(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[0]!);
}

// A 3 MB file of every byte value (invalid UTF-8 included), larger than any read buffer.
function writeLargeBinary(name: string): { path: string; bytes: Buffer } {
  const path = join(scratch, name);
  const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 9)) & 0xff;
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('whole-file reads in one trip (FileBatch, a FileSet in text mode)', () => {
  it('returns the same bytes as readFileSync for stable files, large and non-ASCII ones included', async () => {
    const { path: large, bytes } = writeLargeBinary('large.bin');
    const empty = join(scratch, 'empty');
    writeFileSync(empty, '');
    const paths = ['/proc/version', '/etc/hostname', '/proc/self/cgroup', large, empty];
    if (hasV1) paths.push(`${memoryRoot}/memory.limit_in_bytes`, '/sys/fs/cgroup/cpu/cpu.cfs_period_us');
    const contents = await readTexts(paths);
    expect(contents).toEqual(paths.map((path) => readFileSync(path, 'latin1')));
    expect(Buffer.from(contents[3] as string, 'latin1').equals(bytes)).toBe(true);
  });

  it('reads changing kernel files whole (same keys as readFileSync)', async () => {
    const paths = ['/proc/stat', '/proc/meminfo', ...(hasV1 ? [`${memoryRoot}/memory.stat`] : [])];
    const contents = await readTexts(paths);
    contents.forEach((content, i) => {
      expect(typeof content).toBe('string');
      expect(statKeys(content as string)).toEqual(statKeys(readFileSync(paths[i]!, 'latin1')));
    });
  });

  it('reports per-item failures: ENOENT at open, EISDIR at read', async () => {
    const missing = join(scratch, 'ctn-missing');
    const batch = new FileBatch();
    for (const path of [missing, scratch, '/proc/version']) batch.add(path, FileMode.Text);
    const answers = await batch.read();
    expect(answers.failure(0)).toEqual({ errno: -2, syscall: 'open', path: missing });
    expect(answers.failure(1)).toEqual({ errno: -21, syscall: 'read', path: scratch });
    expect([answers.failure(2), answers.text(2)]).toEqual([null, readFileSync('/proc/version', 'latin1')]);
  });

  it('throws TypeError synchronously for bad arguments', () => {
    expect(() => new native.FileSet(-1)).toThrow(RangeError);
    expect(() => new native.FileSet('4' as unknown as number)).toThrow(TypeError);
    const set = new native.FileSet(4);
    expect(() => set.add(['/proc/version'], 7)).toThrow(RangeError);
    expect(() => set.add(['/proc/version'], 16)).toThrow(RangeError);
    expect(() => set.add(['/proc/version'], 5 | 8)).toThrow(RangeError);
    expect(() => set.add(42 as unknown as string[], 0)).toThrow(TypeError);
    expect(() => set.add([null as unknown as string], 1)).toThrow(TypeError);
    expect(() => set.add(['/proc/version\0/etc/hostname'], 1)).toThrow(TypeError);
    expect(() => set.read([1.5] as unknown as Uint32Array, 0)).toThrow(RangeError);
    expect(() => set.read(new Uint32Array(1), -1)).toThrow(RangeError);
  });
});

/** Reads through a set, keeping its key names, and gives each file's entries as [key, value] pairs. */
class Reader {
  readonly keys = new KeyNames();
  constructor(readonly set: NativeFileSet) {}
  async read(ids: Uint32Array): Promise<{ batch: NativeTokenBatch; entries: Array<Array<[string, number]>> }> {
    const known = this.keys.known;
    const batch = await this.set.read(ids, known);
    this.keys.absorb(batch, known);
    const entries = [...ids].map((_, i) => {
      const list: Array<[string, number]> = [];
      for (let j = batch.first[i]!; j < batch.first[i + 1]!; j++)
        list.push([this.keys.names[batch.keys[j]!]!, batch.values[j]!]);
      return list;
    });
    return { batch, entries };
  }
}

describe('FileSet on plain files', () => {
  it('reads text whole (3 MB and non-ASCII bytes included), tokens, inodes and the clock in one trip', async () => {
    const { path: large, bytes } = writeLargeBinary('set-large.bin');
    const keyed = join(scratch, 'keyed');
    writeFileSync(keyed, 'cache 4096\ntotal_rss 12\nsome avg10=0.50 total=9\n');
    const set = new native.FileSet(0);
    const ids = new Uint32Array([
      ...set.add([large, '/proc/version'], FileMode.Text),
      ...set.add([keyed], FileMode.Tokens),
      ...set.add([scratch], FileMode.Inode),
      ...set.add([''], FileMode.Clock),
    ]);
    const before = process.hrtime.bigint();
    const { batch, entries } = await new Reader(set).read(ids);
    const after = process.hrtime.bigint();
    expect([...batch.status]).toEqual([0, 0, 0, 0, 0]);
    expect(Buffer.from(batch.texts![0]!, 'latin1').equals(bytes)).toBe(true);
    expect(batch.texts![1]).toBe(readFileSync('/proc/version', 'latin1'));
    expect(entries[2]).toEqual([
      ['cache', 4096],
      ['total_rss', 12],
      ['some avg10', 0.5],
      ['some total', 9],
    ]);
    expect(entries[3]).toEqual([['', statSync(scratch).ino]]);
    const clock = BigInt(Math.round(entries[4]![0]![1]));
    expect(clock).toBeGreaterThanOrEqual(before - 1000n);
    expect(clock).toBeLessThanOrEqual(after + 1000n);
    expect(set.openCount).toBe(0);
  });

  it('tokenize() of a file read as latin1 gives the keys a FileSet read of the file gives, non-ASCII bytes included', async () => {
    const path = join(scratch, 'non-ascii');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('café 5\nnaïve=7 x\n', 'utf8'), Buffer.from([0xff, 0xfe, 0x20, 0x39, 0x0a])]),
    );
    const set = new native.FileSet(0);
    const { entries } = await new Reader(set).read(set.add([path], FileMode.Tokens));
    const tokenized = native.tokenize([readFileSync(path, 'latin1')]);
    const names = new KeyNames(tokenized.newKeys).names;
    const fromText = [...tokenized.keys].map((key, i): [string, number] => [names[key]!, tokenized.values[i]!]);
    expect(fromText).toEqual(entries[0]);
    expect(fromText.map(([, value]) => value)).toEqual([5, 7, NaN, 9]);
  });

  it('reports failures per file: ENOENT at open, EISDIR at read, a stat that fails, a released id', async () => {
    const set = new native.FileSet(4);
    const missing = join(scratch, 'set-missing');
    const ids = new Uint32Array([
      ...set.add([missing, scratch, '/proc/version'], FileMode.Tokens),
      ...set.add([missing], FileMode.Inode),
    ]);
    const [released] = set.add(['/proc/version'], FileMode.Tokens);
    set.release(new Uint32Array([released!]));
    const batch = await set.read(new Uint32Array([...ids, released!]), 0);
    expect([...batch.status]).toEqual([-2, -21, 0, -2, -9]);
    expect([...batch.syscall]).toEqual([1, 2, 0, 3, 2]);
  });

  it('keeps an absent optional file absent for a while, and looks for a required one every time', async () => {
    const dir = mkdtempSync(join(scratch, 'absent-'));
    const set = new native.FileSet(16);
    const [optional] = set.add([join(dir, 'optional')], FileMode.Tokens | FileMode.Optional);
    const [required] = set.add([join(dir, 'required')], FileMode.Tokens);
    const ids = new Uint32Array([optional!, required!]);
    expect([...(await set.read(ids, 0)).status]).toEqual([-2, -2]);
    writeFileSync(join(dir, 'optional'), '1\n');
    writeFileSync(join(dir, 'required'), '2\n');
    let reads = 1;
    let batch = await set.read(ids, 0);
    expect([...batch.status]).toEqual([-2, 0]);
    while (batch.status[0] !== 0 && reads < 100) {
      batch = await set.read(ids, 0);
      reads++;
    }
    expect(batch.status[0]).toBe(0);
    expect(reads).toBeGreaterThan(8);
    expect(reads).toBeLessThanOrEqual(40);
    set.clear();
  });
});

describe('FileSet near the open-file limit', () => {
  it('gives descriptors back and keeps fewer when opens fail with EMFILE, instead of failing reads', () => {
    const dir = mkdtempSync(join(scratch, 'emfile-'));
    const files: string[] = [];
    for (let i = 0; i < 600; i++) {
      files.push(join(dir, `f${i}`));
      writeFileSync(files[i]!, `${i}\n`);
    }
    const script = `
      const native = require(${JSON.stringify(join(import.meta.dirname, '../..', 'node_modules/node-gyp-build'))})(${JSON.stringify(join(import.meta.dirname, '../..'))});
      const set = new native.FileSet(100000);
      const ids = set.add(${JSON.stringify(files)}, 0);
      (async () => {
        const out = [];
        for (let round = 0; round < 3; round++) {
          const batch = await set.read(ids, 0);
          out.push({ failed: [...batch.status].filter((s) => s !== 0).length, open: set.openCount });
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    // Node raises its soft limit to the hard one at start: the hard limit is what binds.
    const child = spawnSync('prlimit', ['--nofile=512:512', process.execPath, '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const rounds = JSON.parse(child.stdout) as Array<{ failed: number; open: number }>;
    for (const round of rounds) {
      expect(round.failed).toBe(0);
      expect(round.open).toBeLessThan(512);
    }
    expect(rounds[2]!.open).toBeGreaterThan(0);
  });
});

describe.skipIf(!cgroupTestsRun)('FileSet on cgroup v1 files (root)', () => {
  const busyCgroup = `${cpuacctRoot}/ctn-busy`;
  const memoryCgroup = `${memoryRoot}/ctn-x`;
  let spinner: ChildProcess | undefined;

  beforeAll(async () => {
    await removeCgroups();
    mkdirSync(busyCgroup);
    // Killed with the test process even if it crashes (parent-death signal).
    spinner = spawn('setpriv', ['--pdeathsig', 'KILL', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
    writeFileSync(`${busyCgroup}/cgroup.procs`, String(spinner.pid));
  });

  afterAll(async () => {
    if (spinner && spinner.exitCode === null && spinner.signalCode === null) {
      const exited = new Promise((resolve) => spinner!.once('exit', resolve));
      spinner.kill('SIGKILL');
      await exited;
    }
    await removeCgroups();
  });

  async function removeCgroups(): Promise<void> {
    for (const dir of [busyCgroup, memoryCgroup]) {
      // The kernel releases an emptied cgroup asynchronously; retry rmdir briefly.
      for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
        try {
          rmdirSync(dir);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
  }

  it('rereads a kept descriptor: cpuacct.usage of a busy cgroup increases, with one descriptor', async () => {
    const set = new native.FileSet(8);
    const reader = new Reader(set);
    const fdsBefore = openFdCount();
    const ids = set.add([`${busyCgroup}/cpuacct.usage`, `${busyCgroup}/cpuacct.stat`], FileMode.Tokens);
    const first = await reader.read(ids);
    expect(set.openCount).toBe(2);
    expect(openFdCount()).toBe(fdsBefore + 2);
    // Reread through the same descriptors until the busy cgroup has used more CPU (it spins, but on a
    // loaded machine how soon it runs again is not known).
    let second = await reader.read(ids);
    const deadline = Date.now() + 10_000;
    while (second.entries[0]![0]![1] <= first.entries[0]![0]![1] && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      second = await reader.read(ids);
    }
    expect(openFdCount()).toBe(fdsBefore + 2);
    expect(second.entries[0]![0]![1]).toBeGreaterThan(first.entries[0]![0]![1]);
    expect(second.entries[1]!.map(([key]) => key)).toEqual(['user', 'system']);
    // Inline (on this thread): the same kind of answer, through the same descriptors.
    const inline = await set.read(ids, reader.keys.known, true);
    expect([...inline.status]).toEqual([0, 0]);
    expect(inline.values[inline.first[0]!]).toBeGreaterThanOrEqual(second.entries[0]![0]![1]);
    expect(openFdCount()).toBe(fdsBefore + 2);
    set.clear();
    expect(set.openCount).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('tokens agree with the files read by fs, and keep at most maxOpen descriptors', async () => {
    const fdsBefore = openFdCount();
    const set = new native.FileSet(3);
    const reader = new Reader(set);
    const files = ['memory.limit_in_bytes', 'memory.usage_in_bytes', 'memory.stat', 'memory.max_usage_in_bytes'].map(
      (name) => `${memoryRoot}/${name}`,
    );
    const ids = set.add(files, FileMode.Tokens);
    const { batch, entries } = await reader.read(ids);
    expect([...batch.status]).toEqual([0, 0, 0, 0]);
    expect(entries[0]).toEqual([['', Number(readFileSync(files[0]!, 'latin1'))]]);
    expect(entries[2]!.map(([key]) => key)).toEqual(statKeys(readFileSync(files[2]!, 'latin1')));
    // Beyond the bound the reads are one-shot: correct content, nothing kept.
    expect(set.openCount).toBe(3);
    expect(openFdCount()).toBe(fdsBefore + 3);
    set.release(ids.subarray(0, 1));
    expect(set.openCount).toBe(2);
    await reader.read(ids.subarray(1));
    expect(set.openCount).toBe(3);
    set.release(ids);
    expect(set.openCount).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('a removed cgroup is a failure and its descriptor is dropped', async () => {
    mkdirSync(memoryCgroup);
    const usagePath = `${memoryCgroup}/memory.usage_in_bytes`;
    const set = new native.FileSet(4);
    const ids = set.add([usagePath], FileMode.Tokens);
    const fdsBefore = openFdCount();
    const first = await set.read(ids, 0);
    expect(first.status[0]).toBe(0);
    expect(set.openCount).toBe(1);
    rmdirSync(memoryCgroup);
    const gone = await set.read(ids, 0);
    expect(['ENODEV', 'ENOENT', 'ESTALE']).toContain(getSystemErrorName(gone.status[0]!));
    expect(gone.syscall[0]).toBe(2);
    expect(set.openCount).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
    // The path itself is gone now: the next read fails at open.
    const again = await set.read(ids, 0);
    expect([again.status[0], again.syscall[0]]).toEqual([-2, 1]);
  });

  it('a release or clear while reads are in flight neither crashes nor leaks, and the reads read what they were given', async () => {
    const fdsBefore = openFdCount();
    const set = new native.FileSet(64);
    const paths = ['memory.stat', 'memory.usage_in_bytes', 'memory.limit_in_bytes'].map(
      (name) => `${memoryRoot}/${name}`,
    );
    for (let i = 0; i < 50; i++) {
      const ids = set.add(paths, FileMode.Tokens);
      const pending = Promise.all([set.read(ids, 0), set.read(ids, 0)]);
      if (i % 2 === 0) set.release(ids);
      else set.clear();
      const batches = await pending;
      for (const batch of batches) expect([...batch.status]).toEqual([0, 0, 0]);
    }
    set.clear();
    expect(set.openCount).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('ids reused by an add after a read was started do not change what that read reads', async () => {
    const set = new native.FileSet(0);
    let mixedUp = 0;
    for (let i = 0; i < 100; i++) {
      const ids = set.add(['/proc/version'], FileMode.Text);
      const pending = set.read(ids, 0);
      set.clear();
      // The same id (0) now names another file, before the pool thread gets to the read.
      expect([...set.add([`${memoryRoot}/memory.usage_in_bytes`], FileMode.Text)]).toEqual([...ids]);
      const batch = await pending;
      if (batch.status[0] !== 0 || batch.texts![0] !== readFileSync('/proc/version', 'latin1')) mixedUp++;
      set.clear();
    }
    expect(mixedUp).toBe(0);
  });

  it('reports the inode of a cgroup made again under the same path, also when its files are kept', async () => {
    // One kept descriptor: the cgroup's other files are read one-shot, so no failing kept descriptor
    // tells that the cgroup was replaced; only its new inode does.
    const set = new native.FileSet(1);
    const reader = new Reader(set);
    mkdirSync(memoryCgroup);
    const ids = new Uint32Array([
      ...set.add([`${memoryCgroup}/memory.usage_in_bytes`, `${memoryCgroup}/memory.limit_in_bytes`], FileMode.Tokens),
      ...set.add([memoryCgroup], FileMode.Inode),
    ]);
    const first = await reader.read(ids);
    expect(first.entries[2]).toEqual([['', statSync(memoryCgroup).ino]]);
    rmdirSync(memoryCgroup);
    mkdirSync(memoryCgroup);
    const replaced = statSync(memoryCgroup).ino;
    expect(replaced).not.toBe(first.entries[2]![0]![1]);
    await reader.read(ids); // the kept descriptor of the removed cgroup fails (ENODEV) and is dropped
    const second = await reader.read(ids);
    expect([...second.batch.status]).toEqual([0, 0, 0]);
    expect(second.entries[2]).toEqual([['', replaced]]);
    set.clear();
    rmdirSync(memoryCgroup);
  });
});
