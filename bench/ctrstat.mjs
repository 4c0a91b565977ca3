// The library under test: loading the built package, recording which files and namespaces it reads,
// and timing its three ways of reading (one call per container, one call for all, kept-fd sweeps).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, newestMtime, nowMs, processCpuMs, repoDir } from './util.mjs';

const distEntry = join(repoDir, 'dist/index.js');

/**
 * Imports dist/index.js, building it first with tsup when it is missing or older than lib/.
 * Returns { lib, native, notes } or { error }.
 */
export async function loadLibrary({ log }) {
  const notes = [];
  const libMtime = newestMtime(join(repoDir, 'lib'), (name) => name.endsWith('.ts'));
  const stale = !existsSync(distEntry) || statSync(distEntry).mtimeMs < libMtime;
  if (stale) {
    log(`dist/index.js ${existsSync(distEntry) ? 'is older than lib/' : 'is missing'}: building with tsup`);
    try {
      execFileSync('npx', ['tsup'], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
      notes.push('dist/ was rebuilt with tsup for this run');
    } catch (err) {
      const output = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      const firstError = output.split('\n').find((l) => /error/i.test(l)) ?? err.message;
      return { error: `the library does not build yet (npx tsup failed: ${firstError.trim().slice(0, 300)})` };
    }
  }
  if (!existsSync(distEntry)) return { error: 'dist/index.js is missing after the build' };
  const addon = findAddon();
  if (addon.error) return { error: addon.error };
  const cppMtime = newestMtime(join(repoDir, 'cpp'), (name) => /\.(cc|h)$/.test(name));
  if (addon.path.includes('/build/') && statSync(addon.path).mtimeMs < cppMtime) {
    notes.push(
      `the native addon ${addon.path.slice(repoDir.length + 1)} is older than cpp/ (not rebuilt by the benchmark: npm run build:native)`,
    );
  }
  let lib;
  try {
    lib = await import(pathToFileURL(distEntry).href);
  } catch (err) {
    return { error: `importing dist/index.js failed: ${err.message}` };
  }
  for (const name of ['readContainerStats', 'StatsSampler', 'resolveContainer']) {
    if (typeof lib[name] !== 'function') return { error: `dist/index.js does not export ${name}` };
  }
  // The addon's exports object is the one the library holds (one module cache for the .node file).
  const native = createRequire(import.meta.url)(addon.path);
  return { lib, native, addonPath: addon.path, notes };
}

function findAddon() {
  try {
    const require = createRequire(join(repoDir, 'package.json'));
    const load = require('node-gyp-build');
    return { path: load.resolve(repoDir) };
  } catch (err) {
    return { error: `the native addon is not built (${err.message.split('\n')[0]})` };
  }
}

/**
 * Runs fn while recording every file ctrstat reads through the addon: the paths registered with a
 * FileSet to be read as tokens or text (not the inode, clock and stat entries) and the namespaces of
 * readNetns. Returns { files, netns } in first-seen order, without duplicates.
 */
export async function recordReads(native, fn) {
  const files = new Set();
  const netns = new Set();
  const restore = [];
  const swap = (key, replacement) => {
    const original = native[key];
    native[key] = replacement(original);
    if (native[key] === original) throw new Error(`cannot record the addon's ${key} (read-only property)`);
    restore.push(() => {
      native[key] = original;
    });
  };
  swap(
    'FileSet',
    (Original) =>
      function RecordingFileSet(maxOpen) {
        const real = new Original(maxOpen);
        return new Proxy(real, {
          get(target, key) {
            if (key === 'add') {
              return (paths, mode) => {
                // Tokens (0) and text (1), optional or not.
                if ((mode & 7) <= 1)
                  for (const path of typeof paths === 'string' ? paths.split('\0') : paths) files.add(path);
                return target.add(paths, mode);
              };
            }
            const value = target[key];
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
  );
  swap('readNetns', (original) => (paths) => {
    for (const path of paths) netns.add(path);
    return original(paths);
  });
  try {
    await fn();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return { files: [...files], netns: [...netns] };
}

/**
 * Counts what the FileSets made while it is installed read: every `read(ids)` call's entries (a file
 * each, plus a container's clock and cgroup-inode entries). The sets made meanwhile go on counting after
 * `restore()`, which only stops new sets from being counted.
 */
export function countFileReads(native) {
  const counter = { entries: 0, reads: 0 };
  const Original = native.FileSet;
  native.FileSet = function CountingFileSet(maxOpen) {
    const real = new Original(maxOpen);
    return new Proxy(real, {
      get(target, key) {
        if (key === 'read') {
          return (ids, ...rest) => {
            counter.entries += ids.length;
            counter.reads += 1;
            return target.read(ids, ...rest);
          };
        }
        const value = target[key];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  if (native.FileSet === Original) throw new Error("cannot count the addon's FileSet reads (read-only property)");
  return {
    counter,
    restore() {
      native.FileSet = Original;
    },
  };
}

/**
 * The list file of bench/baseline.c: a file under one of a container's cgroup directories belongs to
 * it; every other file (/proc/stat, /proc/meminfo, device names) is read once per sample ("host").
 */
export function baselineList(targets, reads) {
  const owners = [];
  targets.forEach((target, index) => {
    for (const dir of new Set(Object.values(target.dirs).filter(Boolean))) owners.push([`${dir}/`, index]);
  });
  // Longest prefix first, so a nested cgroup is not taken for its parent.
  owners.sort((a, b) => b[0].length - a[0].length);
  const lines = [];
  let host = 0;
  const perContainer = new Array(targets.length).fill(0);
  for (const path of reads.files) {
    const owner = owners.find(([prefix]) => path.startsWith(prefix));
    if (owner) {
      lines.push(`file ${owner[1]} ${path}`);
      perContainer[owner[1]]++;
    } else {
      lines.push(`host ${path}`);
      host++;
    }
  }
  const netIndex = new Map();
  targets.forEach((t, i) => {
    if (t.pid !== null) netIndex.set(`/proc/${t.pid}/ns/net`, i);
  });
  let nets = 0;
  for (const path of reads.netns) {
    const index = netIndex.get(path);
    if (index !== undefined) {
      lines.push(`net ${index} ${path}`);
      nets++;
    }
  }
  return { text: lines.join('\n') + '\n', hostFiles: host, containerFiles: perContainer, namespaces: nets };
}

function assertStats(results, what) {
  const failed = results.filter((r) => r instanceof Error);
  if (failed.length)
    throw new Error(
      `${what}: ${failed.length} of ${results.length} failed, first: ${failed[0].code ?? ''} ${failed[0].message}`,
    );
}

/** Times `fn` `rounds` times after one warm-up call; CPU time of this process over the timed calls. */
async function timed(rounds, fn) {
  await fn();
  const times = [];
  const cpu0 = processCpuMs();
  for (let r = 0; r < rounds; r++) {
    const start = nowMs();
    await fn();
    times.push(nowMs() - start);
  }
  return { medianMs: median(times), cpuMsPerCall: (processCpuMs() - cpu0) / rounds };
}

/**
 * ctrstat on the real containers, each way with and without network counters. Per-container figures
 * are µs per container: the call's median time divided by the containers it read.
 */
export async function measureCtrstat(lib, ids, targets, { rounds, sweepRounds }) {
  const n = ids.length;
  const out = {};
  for (const network of [false, true]) {
    const key = network ? 'withNetwork' : 'noNetwork';
    const r = {};
    // readContainerStats(id), one container per call, containers in turn.
    const single = await timed(rounds, async () => {
      for (const id of ids) {
        const stats = await lib.readContainerStats(id, { network });
        if (!stats?.memory || (network && !stats.network))
          throw new Error(`readContainerStats(${id}) returned no ${network ? 'network ' : ''}stats`);
      }
    });
    r.singleUs = (single.medianMs * 1000) / n;
    r.singleCpuMsPerContainer = single.cpuMsPerCall / n;
    // readContainerStats(all): one batch.
    const batch = await timed(rounds, async () => {
      const list = await lib.readContainerStats(ids, { network });
      if (list.length !== n) throw new Error('readContainerStats(all) returned a short list');
    });
    r.batchUs = (batch.medianMs * 1000) / n;
    r.batchCpuMsPerContainer = batch.cpuMsPerCall / n;
    // StatsSampler without kept descriptors on already resolved targets: the reads alone.
    const plain = new lib.StatsSampler({ network });
    try {
      const reads = await timed(rounds, async () => assertStats(await plain.sample(targets), 'StatsSampler.sample'));
      r.samplerOneShotUs = (reads.medianMs * 1000) / n;
    } finally {
      plain.close();
    }
    // Monitor-style sweeps: kept descriptors and netlink sockets, same targets again and again.
    const kept = new lib.StatsSampler({ network, keepFds: true });
    try {
      const sweep = await timed(sweepRounds, async () =>
        assertStats(await kept.sample(targets), 'StatsSampler.sample (keepFds)'),
      );
      r.sweepUs = (sweep.medianMs * 1000) / n;
      r.sweepCpuMsPerContainer = sweep.cpuMsPerCall / n;
    } finally {
      kept.close();
    }
    // A real monitor on the same containers: discovery of its references, the kept-descriptor read,
    // usage maths and events, as an agent runs it.
    const monitor = await monitorSweeps(
      lib,
      ids.map((id) => ({ id })),
      { network },
      Math.min(sweepRounds, 40),
    );
    r.monitorSweepUs = (monitor.sweepMs * 1000) / n;
    r.monitorCpuMsPerContainer = monitor.cpuMsPerSweep / n;
    out[key] = r;
  }
  return out;
}

/**
 * Runs a Monitor over `containers` until `sweeps` sweeps after two warm-up ones, sweeping back to back
 * (a short interval). Returns the median sweep duration, CPU per sweep, the samples of the last sweep
 * and its errors.
 */
export async function monitorSweeps(lib, containers, options, sweeps, onSweep) {
  const monitor = lib.createMonitor({ interval: 5, ...options, containers });
  const durations = [];
  let cpu0 = 0;
  let seen = 0;
  let last = null;
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`monitor: ${seen} sweeps in 300 s`)), 300_000);
      monitor.on('sweep', (sweep) => {
        seen++;
        last = sweep;
        if (sweep.errors.length > 0) {
          clearTimeout(timer);
          reject(new Error(`monitor sweep: ${sweep.errors.length} errors, first: ${sweep.errors[0].message}`));
          return;
        }
        if (seen === 2) cpu0 = processCpuMs();
        if (seen > 2) durations.push(sweep.durationMs);
        onSweep?.(sweep, seen);
        if (durations.length >= sweeps) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    await monitor.close();
  }
  if (last.samples.length !== containers.length)
    throw new Error(`monitor: ${last.samples.length} samples for ${containers.length} containers`);
  return {
    sweepMs: median(durations),
    cpuMsPerSweep: (processCpuMs() - cpu0) / durations.length,
    sweeps: durations.length,
  };
}

export { assertStats };
