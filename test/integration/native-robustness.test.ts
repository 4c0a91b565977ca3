// readNetns under load, from worker threads, at process exit, and on every kind of bad target.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETNS_PRIVILEGE_HINT, PermissionDeniedError } from '../../lib/errors.js';
import { native, isNativeFailure, type NativeFailure, type NativeNetnsAnswer } from '../../lib/native.js';
import { networkNamespaceError, readNetworkNamespace, readNetworkNamespaces } from '../../lib/network/netns.js';
import {
  NamespaceLab,
  netnsInodeOf,
  netnsUnavailable,
  openFdCount,
  repoRoot,
  readNetnsAnswers,
  threadNetnsLinks,
} from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const NAMESPACES = 20;
const nodeGypBuild = `${repoRoot}/node_modules/node-gyp-build`;

/** A node script that loads the built addon by absolute path (for children and worker threads). */
function addonScript(body: string): string {
  return `const native = require(${JSON.stringify(nodeGypBuild)})(${JSON.stringify(repoRoot)});\n${body}`;
}

function expectAnswer(value: NativeNetnsAnswer | NativeFailure | undefined, inode: number): void {
  if (value === undefined || isNativeFailure(value))
    throw new Error(`expected an answer, got ${JSON.stringify(value)}`);
  expect(value.inode).toBe(inode);
  expect(value.interfaces.some((link) => link.name === 'lo')).toBe(true);
}

function runNode(script: string, options: { prefix?: string[] } = {}) {
  const prefix = options.prefix ?? [];
  const [command, ...args] = [...prefix, process.execPath, '-e', script];
  return spawnSync(command, args, { encoding: 'utf8', cwd: '/tmp', timeout: 30_000 });
}

describe.skipIf(netnsUnavailable !== null)('readNetns robustness (real kernel)', () => {
  const lab = new NamespaceLab();
  const targets: string[] = [];
  const inodes: number[] = [];
  const home = readlinkSync('/proc/self/ns/net');

  beforeAll(async () => {
    for (let i = 0; i < NAMESPACES; i++) {
      const pid = await lab.spawnPrivateNetns();
      targets.push(`/proc/${pid}/ns/net`);
      inodes.push(netnsInodeOf(`/proc/${pid}/ns/net`));
    }
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('3000 calls into 20 namespaces leave every thread home, no fd behind and RSS bounded', async () => {
    const round = async (width: number) => {
      const calls = Array.from({ length: width }, (_, i) => readNetnsAnswers([targets[i % NAMESPACES]!]));
      const answers = await Promise.all(calls);
      answers.forEach(([answer], i) => expectAnswer(answer, inodes[i % NAMESPACES]!));
    };
    for (let i = 0; i < 10; i++) await round(20); // warm-up: thread stacks, allocator arenas
    const fdsBefore = openFdCount();
    const rssBefore = process.memoryUsage().rss;
    let calls = 0;
    while (calls < 3000) {
      await round(25);
      calls += 25;
      // Batches too: one thread serving all 20 namespaces.
      const batch = await readNetnsAnswers(targets);
      batch.forEach((answer, i) => expectAnswer(answer, inodes[i]!));
      calls += 1;
    }
    // Every call has answered, so every thread is home already; waited for rather than assumed.
    await waitFor(() => threadNetnsLinks().every((link) => link === home), 'every thread home', 5_000);
    expect(openFdCount()).toBe(fdsBefore);
    const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    expect(growthMb).toBeLessThan(30);
  });

  it('200 concurrent calls all answer for their own namespace, on at most 4 namespace threads', async () => {
    const threadsBefore = readdirSync('/proc/self/task').length;
    let mostThreads = threadsBefore;
    const calls = Array.from({ length: 200 }, (_, i) => readNetnsAnswers([targets[i % NAMESPACES]!]));
    // Sampled while the calls are in flight (every turn of the event loop until they are answered).
    let answered = false;
    const all = Promise.all(calls).finally(() => {
      answered = true;
    });
    while (!answered) {
      mostThreads = Math.max(mostThreads, readdirSync('/proc/self/task').length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answers = await all;
    answers.forEach(([answer], i) => expectAnswer(answer, inodes[i % NAMESPACES]!));
    expect(mostThreads - threadsBefore).toBeLessThanOrEqual(4);
    expect(threadNetnsLinks().every((link) => link === home)).toBe(true);
  });

  it('works from worker threads, and survives workers terminated mid-flight', async () => {
    const workerCode = addonScript(`
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        for (let i = 0; i < workerData.rounds; i++) {
          const batches = await Promise.all(workerData.targets.map((t) => native.readNetns([t])));
          parentPort.postMessage(batches.map((batch) => batch.inode[0]));
        }
        parentPort.postMessage('done');
      })();`);
    const finished = new Worker(workerCode, { eval: true, workerData: { targets, rounds: 5 } });
    const seen: number[][] = [];
    await new Promise<void>((resolve, reject) => {
      finished.on('message', (message) => (message === 'done' ? resolve() : seen.push(message as number[])));
      finished.on('error', reject);
    });
    await finished.terminate();
    expect(seen).toHaveLength(5);
    for (const round of seen) expect(round).toEqual(inodes);

    for (let i = 0; i < 10; i++) {
      const doomed = new Worker(workerCode, { eval: true, workerData: { targets, rounds: 1000 } });
      await new Promise<void>((resolve, reject) => {
        doomed.once('message', () => resolve());
        doomed.once('error', reject);
      });
      // Calls are in flight now: 20 threads inside or about to enter namespaces.
      await doomed.terminate();
    }
    const [answer] = await readNetnsAnswers([targets[0]!]);
    expectAnswer(answer, inodes[0]!);
    // The terminated workers' threads finish the job they run, return home and are joined.
    await waitFor(() => threadNetnsLinks().every((link) => link === home), 'every thread home', 5_000);
  });

  it('process.exit with calls in flight exits cleanly', () => {
    for (const delayMs of [0, 1, 3, 10]) {
      const child = runNode(
        addonScript(`
        const targets = ${JSON.stringify(targets)};
        for (let i = 0; i < 100; i++) native.readNetns(targets);
        setTimeout(() => process.exit(7), ${delayMs});`),
      );
      expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
        status: 7,
        signal: null,
        stderr: '',
      });
    }
  });

  it('a missing target is ENOENT from open, with the path', async () => {
    const [failure] = await readNetnsAnswers(['/nonexistent/ctn-missing']);
    expect(failure).toEqual({ errno: -2, syscall: 'open', path: '/nonexistent/ctn-missing' });
    await expect(readNetworkNamespace('/nonexistent/ctn-missing')).rejects.toMatchObject({
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      path: '/nonexistent/ctn-missing',
    });
  });

  it('an exited PID is ENOENT, and a PID exiting mid-call yields only answers or ENOENT', async () => {
    const gone = spawn('true');
    const gonePid = gone.pid!;
    await new Promise((resolve) => gone.once('exit', resolve));
    await expect(readNetworkNamespace({ pid: gonePid })).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });

    // Thirty processes that exit while they are read: the kernel may answer the open of one that is
    // going EACCES or ESRCH, which the reader must tell from a denial (it opens the path again).
    const outcomes = new Set<string>();
    for (let round = 0; round < 30; round++) {
      const shortLived = lab.track(spawn('unshare', ['--net', 'sleep', '0.05'], { stdio: 'ignore' }));
      const exited = new Promise((resolve) => shortLived.once('exit', resolve));
      const target = `/proc/${shortLived.pid}/ns/net`;
      let sawExit = false;
      void exited.then(() => {
        sawExit = true;
      });
      let sawGone = false;
      while (!sawExit || !sawGone) {
        const batch = await readNetnsAnswers(Array.from({ length: 50 }, () => target));
        for (const item of batch) {
          const outcome = isNativeFailure(item) ? `${item.errno}:${item.syscall}` : 'answer';
          outcomes.add(outcome);
          if (outcome === '-2:open') sawGone = true;
        }
      }
    }
    // Answers while it lives (before unshare ran, for its parent's namespace), then only ENOENT at open.
    expect([...outcomes].sort()).toEqual(['-2:open', 'answer']);
  });

  it('a file that is not a network namespace is EINVAL from setns', async () => {
    const answers = await readNetnsAnswers(['/etc/hostname', '/proc/self/ns/uts', '/proc/self/ns/mnt']);
    expect(answers).toEqual([
      { errno: -22, syscall: 'setns', path: '/etc/hostname' },
      { errno: -22, syscall: 'setns', path: '/proc/self/ns/uts' },
      { errno: -22, syscall: 'setns', path: '/proc/self/ns/mnt' },
    ]);
    const [typed] = await readNetworkNamespaces(['/etc/hostname']);
    expect(typed).toMatchObject({ code: 'EINVAL', syscall: 'setns' });
  });

  it('a FIFO, a regular file, a directory and /dev/null are refused at once (EINVAL), with no thread held or fd left behind', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ctn-nsfile-'));
    try {
      const fifo = join(scratch, 'fifo');
      // mkfifo(1): no writer ever opens it, so a blocking open for reading would wait forever.
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const regular = join(scratch, 'regular');
      writeFileSync(regular, 'not a namespace');
      const targets = [fifo, regular, scratch, '/dev/null'];
      const threads = () => readdirSync('/proc/self/task').length;
      // Warm up: the first calls create the libuv pool's threads and allocator arenas.
      await readNetnsAnswers(['/etc/hostname']);
      const threadsBefore = threads();
      const fdsBefore = openFdCount();
      const deadline = <T>(promise: Promise<T>, what: string): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what} did not settle within 5 s`)), 5000);
        });
        return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
      };
      const expected = targets.map((path) => ({ errno: -22, syscall: 'setns', path }));
      // One target per call (a thread each) and all in one call, through readNetns and a NetlinkCache.
      const single = await deadline(
        Promise.all(targets.map(async (target) => (await readNetnsAnswers([target]))[0])),
        'readNetns',
      );
      expect(single).toEqual(expected);
      expect(await deadline(readNetnsAnswers(targets), 'readNetns (batch)')).toEqual(expected);
      const cache = new native.NetlinkCache(8);
      const cached = await deadline(cache.read(targets), 'NetlinkCache.read');
      expect([...cached.status]).toEqual(targets.map(() => -22));
      expect(cached.failures).toEqual(expected);
      expect(cache.size).toBe(0);
      for (const target of targets) {
        await expect(deadline(readNetworkNamespace(target), target)).rejects.toMatchObject({
          code: 'EINVAL',
          syscall: 'setns',
          path: target,
          message: expect.stringMatching(/not a network namespace/),
        });
      }
      // No thread waits in the kernel for a FIFO's writer (wchan fifo_open / wait_for_partner), and the
      // namespace threads kept for later calls are at most 4.
      const waitingForWriter = readdirSync('/proc/self/task').filter((tid) => {
        try {
          return /fifo|partner/.test(readFileSync(`/proc/self/task/${tid}/wchan`, 'utf8'));
        } catch {
          return false; // the thread exited meanwhile
        }
      });
      expect(waitingForWriter).toEqual([]);
      expect(threads() - threadsBefore).toBeLessThanOrEqual(4);
      expect(openFdCount()).toBe(fdsBefore);
      expect(threadNetnsLinks().every((link) => link === home)).toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('argument errors throw synchronously (native) or reject the whole call (wrapper)', async () => {
    expect(() => native.readNetns('x' as unknown as string[])).toThrow(TypeError);
    expect(() => native.readNetns([1 as unknown as string])).toThrow(TypeError);
    expect(() => native.readNetns(['/proc/self/ns/net\0x'])).toThrow(TypeError);
    await expect(readNetworkNamespaces([{ pid: -3 }])).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      option: 'target',
    });
    expect(await readNetnsAnswers([])).toEqual([]);
  });

  it('without privilege: EACCES/EPERM become PermissionDeniedError with the hint', async () => {
    const named = lab.addNamedNetns('ctn-p');
    const script = addonScript(`
      native.readNetns(${JSON.stringify([targets[0], named])}).then((r) => process.stdout.write(JSON.stringify(r.failures)));`);
    const asNobody = runNode(script, {
      prefix: [
        'setpriv',
        '--reuid',
        '65534',
        '--regid',
        '65534',
        '--clear-groups',
        '--inh-caps=-all',
        '--bounding-set=-all',
      ],
    });
    expect(asNobody.stderr).toBe('');
    const nobody = JSON.parse(asNobody.stdout) as NativeFailure[];
    // Another user's process: /proc/<pid>/ns/net is refused at open (ptrace access check).
    expect(nobody[0]).toEqual({ errno: -13, syscall: 'open', path: targets[0] });
    // /run/netns files are world-readable: entering is what needs CAP_SYS_ADMIN.
    expect(nobody[1]).toEqual({ errno: -1, syscall: 'setns', path: named });

    const rootWithoutCaps = runNode(script, { prefix: ['setpriv', '--inh-caps=-all', '--bounding-set=-all'] });
    expect(rootWithoutCaps.stderr).toBe('');
    const capless = JSON.parse(rootWithoutCaps.stdout) as NativeFailure[];
    expect(capless[1]).toEqual({ errno: -1, syscall: 'setns', path: named });

    for (const failure of [...nobody, ...capless]) {
      const error = networkNamespaceError(failure);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      // Node-style: the system code, errno, syscall and path, with the privilege named.
      expect(error).toMatchObject({
        code: failure.errno === -13 ? 'EACCES' : 'EPERM',
        errno: failure.errno,
        syscall: failure.syscall,
        path: failure.path,
        privilege: NETNS_PRIVILEGE_HINT,
      });
    }
  });
});
