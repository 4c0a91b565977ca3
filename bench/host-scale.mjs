// Does one read depend on how many other containers the host runs? The median readContainerStats(ref)
// (with network) of one real Docker container, by full id, by name and by a 12-character prefix, first
// as the host is, then with 1 000 extra (empty) container cgroups under docker/ in every hierarchy,
// in the same process run. The ratio with ÷ without is `ratios.singleReadHostScale`.
//
// Run alone: node bench/host-scale.mjs [--extra N] [--rounds N] (starts and removes its own container).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PREFIX, median, nowMs } from './util.mjs';

const CGROUP_ROOT = '/sys/fs/cgroup';
const V1_HIERARCHIES = ['memory', 'cpu', 'cpuacct', 'cpuacct,cpu', 'cpu,cpuacct', 'blkio', 'pids', 'cpuset', 'unified'];

/** The directories Docker's cgroupfs driver puts containers under on this host. */
function dockerParents() {
  if (existsSync(`${CGROUP_ROOT}/cgroup.controllers`)) return [`${CGROUP_ROOT}/docker`];
  const dirs = V1_HIERARCHIES.map((h) => `${CGROUP_ROOT}/${h}/docker`).filter((dir) => existsSync(dir));
  // cpu and cpuacct are often links to one cpu,cpuacct hierarchy.
  return [...new Set(dirs.map((dir) => realpathSync(dir)))];
}

/** 64-hex ids no real container has: a hash of a fixed marker, so that leftovers are found again. */
function fakeId(i) {
  return createHash('sha256').update(`${PREFIX}-host-scale-${i}`).digest('hex');
}

function removeFakeCgroups(count) {
  let removed = 0;
  for (const parent of dockerParents()) {
    const present = new Set(readdirSync(parent));
    for (let i = 0; i < count; i++) {
      const id = fakeId(i);
      if (!present.has(id)) continue;
      rmdirSync(join(parent, id));
      removed += 1;
    }
  }
  return removed;
}

/** Removes the extra container cgroups an interrupted run left behind; returns how many. */
export function cleanupHostScale(count = 1000) {
  return removeFakeCgroups(count);
}

function makeFakeCgroups(count) {
  for (const parent of dockerParents()) {
    for (let i = 0; i < count; i++) mkdirSync(join(parent, fakeId(i)), { recursive: true });
  }
}

async function timeReads(lib, ref, rounds, into) {
  for (let i = 0; i < rounds; i++) {
    const t0 = nowMs();
    await lib.readContainerStats(ref, { network: true });
    into.push(nowMs() - t0);
  }
}

const REFS = ['fullId', 'name', 'prefix'];

/**
 * Measures the three references of one running Docker container with and without `extra` empty
 * container cgroups. The two states alternate in `blocks` blocks (so that warm-up and drift fall on
 * both alike); each state's figure is the median over all its reads. Returns
 * { extra, rounds, without, with, ratio: { fullId, name, prefix } }.
 */
export async function measureHostScale(lib, { id, name, extra = 1000, rounds = 200, blocks = 4, log = () => {} }) {
  const refs = { fullId: id, name, prefix: id.slice(0, 12) };
  const times = { without: {}, with: {} };
  for (const state of Object.keys(times)) for (const ref of REFS) times[state][ref] = [];
  const perBlock = Math.max(1, Math.ceil(rounds / blocks));
  removeFakeCgroups(extra);
  // Warm: the first calls build the caches a long-lived process keeps (layout, name index).
  for (const ref of REFS) for (let i = 0; i < 20; i++) await lib.readContainerStats(refs[ref], { network: true });
  try {
    for (let block = 0; block < blocks; block++) {
      for (const state of ['without', 'with']) {
        const t0 = nowMs();
        if (state === 'with') makeFakeCgroups(extra);
        else removeFakeCgroups(extra);
        if (block === 0)
          log(
            `host scale: ${extra} container cgroups ${state === 'with' ? 'made' : 'removed'} in ${Math.round(nowMs() - t0)} ms`,
          );
        // One untimed read per reference after the change (the index notices it and is rebuilt once).
        for (const ref of REFS) await lib.readContainerStats(refs[ref], { network: true });
        for (const ref of REFS) await timeReads(lib, refs[ref], perBlock, times[state][ref]);
      }
    }
  } finally {
    removeFakeCgroups(extra);
  }
  const summary = (state) => Object.fromEntries(REFS.map((ref) => [`${ref}Ms`, median(times[state][ref])]));
  const without = summary('without');
  const withExtra = summary('with');
  return {
    extra,
    rounds: perBlock * blocks,
    without,
    with: withExtra,
    ratio: Object.fromEntries(REFS.map((ref) => [ref, withExtra[`${ref}Ms`] / without[`${ref}Ms`]])),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { execFileSync } = await import('node:child_process');
  const { repoDir } = await import('./util.mjs');
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const lib = await import(pathToFileURL(join(repoDir, 'dist/index.js')).href);
  const name = `${PREFIX}-host-scale-${process.pid}`;
  const id = execFileSync('docker', ['run', '-d', '--name', name, 'bb:local', 'sleep', '3600'], {
    encoding: 'utf8',
  }).trim();
  try {
    const result = await measureHostScale(lib, {
      id,
      name,
      extra: arg('--extra', 1000),
      rounds: arg('--rounds', 200),
      log: (m) => process.stderr.write(`${m}\n`),
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  }
}
