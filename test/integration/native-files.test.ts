// readFiles and FdCache against fs.readFileSync on real cgroup v1 and proc files.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSystemErrorName } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native, isNativeFailure } from '../../lib/native.js';
import { openFdCount } from '../helpers/netns.js';

const isRoot = process.getuid?.() === 0;
const memoryRoot = '/sys/fs/cgroup/memory';
const cpuacctRoot = '/sys/fs/cgroup/cpuacct';
const hasV1 = existsSync(`${memoryRoot}/memory.stat`) && existsSync(`${cpuacctRoot}/cpuacct.usage`);
const cgroupTestsRun = isRoot && hasV1;
if (!cgroupTestsRun && process.env.CI === 'true') throw new Error('cgroup v1 file tests need root and cgroup v1 memory/cpuacct');

const scratch = mkdtempSync(join(tmpdir(), 'ctn-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function statKeys(text: string): string[] {
  return text.trim().split('\n').map((line) => line.split(' ')[0]!);
}

describe('readFiles', () => {
  it('returns the same bytes as readFileSync for stable files, large and non-ASCII ones included', async () => {
    const large = join(scratch, 'large.bin');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 9)) & 0xff;
    writeFileSync(large, bytes);
    const empty = join(scratch, 'empty');
    writeFileSync(empty, '');
    const paths = ['/proc/version', '/etc/hostname', '/proc/self/cgroup', large, empty];
    if (hasV1) paths.push(`${memoryRoot}/memory.limit_in_bytes`, '/sys/fs/cgroup/cpu/cpu.cfs_period_us');
    const contents = await native.readFiles(paths);
    expect(contents).toEqual(paths.map((path) => readFileSync(path, 'latin1')));
    expect(Buffer.from(contents[3] as string, 'latin1').equals(bytes)).toBe(true);
  });

  it('reads changing kernel files whole (same keys as readFileSync)', async () => {
    const paths = ['/proc/stat', '/proc/meminfo', ...(hasV1 ? [`${memoryRoot}/memory.stat`] : [])];
    const contents = await native.readFiles(paths);
    contents.forEach((content, i) => {
      expect(typeof content).toBe('string');
      expect(statKeys(content as string)).toEqual(statKeys(readFileSync(paths[i]!, 'latin1')));
    });
  });

  it('reports per-item failures: ENOENT at open, EISDIR at read', async () => {
    const missing = join(scratch, 'ctn-missing');
    const answers = await native.readFiles([missing, scratch, '/proc/version']);
    expect(answers[0]).toEqual({ errno: -2, syscall: 'open', path: missing });
    expect(answers[1]).toEqual({ errno: -21, syscall: 'read', path: scratch });
    expect(answers[2]).toBe(readFileSync('/proc/version', 'latin1'));
  });

  it('throws TypeError synchronously for bad arguments', () => {
    expect(() => native.readFiles('/proc/version' as unknown as string[])).toThrow(TypeError);
    expect(() => native.readFiles([null as unknown as string])).toThrow(TypeError);
    expect(() => new native.FdCache(-1)).toThrow(RangeError);
    expect(() => new native.FdCache('4' as unknown as number)).toThrow(TypeError);
  });
});

describe.skipIf(!cgroupTestsRun)('FdCache (cgroup v1, root)', () => {
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

  it('rereads a kept descriptor: cpuacct.usage of a busy cgroup increases', async () => {
    const cache = new native.FdCache(8);
    const fdsBefore = openFdCount();
    const usagePath = `${busyCgroup}/cpuacct.usage`;
    const [first] = await cache.read([usagePath]);
    expect(cache.size).toBe(1);
    expect(openFdCount()).toBe(fdsBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [second] = await cache.read([usagePath]);
    expect(openFdCount()).toBe(fdsBefore + 1);
    expect(BigInt((second as string).trim())).toBeGreaterThan(BigInt((first as string).trim()));
    const [stat] = await cache.read([`${busyCgroup}/cpuacct.stat`]);
    expect(statKeys(stat as string)).toEqual(['user', 'system']);
    expect(cache.size).toBe(2);
    cache.closeAll();
    expect(cache.size).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
  });

  it('counts, closes, closes by prefix, and keeps at most maxFds descriptors', async () => {
    const fdsBefore = openFdCount();
    const cache = new native.FdCache(3);
    const memoryFiles = ['memory.limit_in_bytes', 'memory.usage_in_bytes', 'memory.stat', 'memory.max_usage_in_bytes']
      .map((name) => `${memoryRoot}/${name}`);
    const cpuFiles = ['cpuacct.usage', 'cpuacct.usage_percpu'].map((name) => `${cpuacctRoot}/${name}`);
    const answers = await cache.read([...memoryFiles, ...cpuFiles]);
    expect(answers.every((answer) => typeof answer === 'string')).toBe(true);
    expect(answers[0]).toBe(readFileSync(memoryFiles[0]!, 'latin1'));
    // Beyond the bound the reads are one-shot: correct content, nothing kept.
    expect(cache.size).toBe(3);
    expect(openFdCount()).toBe(fdsBefore + 3);
    cache.close([memoryFiles[0]!, '/not/kept']);
    expect(cache.size).toBe(2);
    await cache.read(cpuFiles);
    expect(cache.size).toBe(3);
    cache.closePrefix(`${memoryRoot}/`);
    expect(cache.size).toBe(1);
    cache.closePrefix(cpuacctRoot);
    expect(cache.size).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
    expect(() => cache.close('x' as unknown as string[])).toThrow(TypeError);
  });

  it('a removed cgroup is a failure and its descriptor is dropped', async () => {
    mkdirSync(memoryCgroup);
    const usagePath = `${memoryCgroup}/memory.usage_in_bytes`;
    const cache = new native.FdCache(4);
    const fdsBefore = openFdCount();
    const [usage] = await cache.read([usagePath]);
    expect((usage as string).trim()).toBe(readFileSync(usagePath, 'latin1').trim());
    expect(cache.size).toBe(1);
    rmdirSync(memoryCgroup);
    const [failure] = await cache.read([usagePath]);
    if (!isNativeFailure(failure)) throw new Error(`expected a failure, got ${JSON.stringify(failure)}`);
    expect(['ENODEV', 'ENOENT', 'ESTALE']).toContain(getSystemErrorName(failure.errno));
    expect(failure).toMatchObject({ syscall: 'read', path: usagePath });
    expect(cache.size).toBe(0);
    expect(openFdCount()).toBe(fdsBefore);
    // The path itself is gone now: the next read fails at open.
    const [again] = await cache.read([usagePath]);
    expect(again).toEqual({ errno: -2, syscall: 'open', path: usagePath });
  });

  it('a close while reads are in flight neither crashes nor leaks', async () => {
    const cache = new native.FdCache(16);
    const fdsBefore = openFdCount();
    const paths = ['memory.stat', 'memory.usage_in_bytes', 'memory.limit_in_bytes'].map((name) => `${memoryRoot}/${name}`);
    for (let i = 0; i < 50; i++) {
      const pending = Promise.all([cache.read(paths), cache.read(paths)]);
      cache.closeAll();
      const results = (await pending).flat();
      expect(results.every((result) => typeof result === 'string')).toBe(true);
    }
    cache.closeAll();
    expect(openFdCount()).toBe(fdsBefore);
  });
});
