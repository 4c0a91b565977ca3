#!/usr/bin/env node
// ctrstat benchmark: `npm run bench` (full) or `npm run bench -- --quick` (about three minutes).
//
//   --quick            2 Docker containers, scale 100 and 1000 only (the targets' rows), Docker's HTTP API
//                      only (not dockerode and systeminformation, which wrap it), fewer rounds, shorter windows
//   --cleanup          only remove leftovers of an interrupted run (ctb-* containers, ctb-bench cgroups)
//   --containers N     real Docker containers to start (default 5, --quick 2)
//   --scale A,B,...    synthetic container counts (default 10,100,1000,5000; --quick 100,1000)
//   --no-docker        skip everything that needs dockerd
//   --no-scale         skip the synthetic scale runs
//   (one read by id, name and prefix is also timed with 1 000 extra empty container cgroups on the host)
//   --no-agent         skip the agent section (ctrstat/agent at 100 and 1 000 synthetic containers)
//   --no-dashboard     skip the live stream's section (10 dashboards in Chromium at 100 synthetic containers)
//   --no-netdata       skip the peer: netdata's cgroups collector against a monitor on the same containers
//   --netdata-sizes A,B   idle Docker containers for the peer (default 20,100; --quick 20)
//   --netdata-window S    seconds of each peer window (default 60; --quick 15)
//
// CTRSTAT_BENCH_PREFIX names what the run makes on the host (default ctb; see bench/util.mjs).
//
// Writes bench/results.json and BENCHMARKS.md. Every figure is measured in this one process run; a
// section that cannot run is reported with the reason and no number.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, constants as perfConstants, monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { measureAgent } from './agent.mjs';
import { measureDashboard } from './dashboard.mjs';
import { cleanupHostScale, measureHostScale } from './host-scale.mjs';
import {
  assertStats,
  baselineList,
  countFileReads,
  loadLibrary,
  measureCtrstat,
  monitorSweeps,
  recordReads,
} from './ctrstat.mjs';
import {
  daemonIdleRate,
  dockerMethods,
  dockerUnavailable,
  dockerVersion,
  measureDockerMethod,
  CONTAINER_PREFIX,
  removeContainers,
  startContainers,
} from './docker.mjs';
import { measureNetdata, netdataUnavailable, removePeerContainers, stopNetdata } from './netdata.mjs';
import { renderMarkdown } from './report.mjs';
import { SyntheticContainers, cleanupSynthetic, syntheticLayout } from './synthetic.mjs';
import {
  benchDir,
  compileC,
  machineInfo,
  median,
  nowMs,
  openFdCount,
  processCpuMs,
  repoDir,
  rssMb,
  round,
  workDir,
} from './util.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const startedAt = nowMs();
const log = (message) => process.stderr.write(`[bench ${((nowMs() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);

const config = {
  quick,
  realContainers: Number(option('--containers') ?? (quick ? 2 : 5)),
  scales: (option('--scale') ?? (quick ? '100,1000' : '10,100,1000,5000'))
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
  docker: !flag('--no-docker'),
  scale: !flag('--no-scale'),
  agent: !flag('--no-agent'),
  netdata: !flag('--no-netdata'),
  dashboard: !flag('--no-dashboard'),
  netdataSizes: (option('--netdata-sizes') ?? (quick ? '20' : '20,100'))
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
  netdataWindowS: Number(option('--netdata-window') ?? (quick ? 15 : 60)),
  ctrstatRounds: 60,
  realRepeats: quick ? 1 : 3,
  sweepRounds: quick ? 30 : 200,
  baselineIterations: quick ? 300 : 3000,
  baselineNetIterations: quick ? 100 : 1000,
  // At scale, the floor's passes are capped by the files (and namespaces) they read in all.
  scaleBaselineFileReads: quick ? 1e5 : 2e5,
  scaleBaselineNetDumps: quick ? 1.5e4 : 5e4,
  dockerSlowRounds: quick ? 1 : 3,
  dockerFastRounds: quick ? 1 : 5,
  idleWindowMs: quick ? 1000 : 3000,
  scaleMinSweepMs: quick ? 700 : 3000,
  scaleMinSweeps: quick ? 5 : 10,
  scaleOneShotRounds: quick ? 5 : 11,
  // A monitor's CPU is taken over ten sweeps at 1 Hz: the census of shared network namespaces is taken
  // again every 10 s (CENSUS_MAX_AGE_MS), so a shorter window counts that walk of the host wholly or not at all.
  scaleMonitorCpuSweeps: 10,
  // The delay over eight sweeps (some 800 ticks of its 10 ms timer): over three, its p99 is the third worst tick.
  scaleMonitorDelaySweeps: 8,
  // The quick run takes the delay where target 2 is stated (1 000 containers and more) only.
  scaleMonitorDelayFrom: quick ? 1000 : 0,
  scaleColdPasses: quick ? 3 : 5,
};

// --- cleanup, also on interruption ---
let synthetic = null;
let cleaning = null;
async function cleanupAll() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    const report = {};
    await stopNetdata().catch(() => {});
    await removePeerContainers();
    if (synthetic) {
      await synthetic.down().catch(() => {});
      report.syntheticTeardownMs = synthetic.teardownMs;
    }
    report.leftoverCgroups = await cleanupSynthetic().catch((err) => ({ error: err.message }));
    report.dockerContainersRemoved = await removeContainers().catch(() => 0);
    report.hostScaleCgroupsRemoved = cleanupHostScale();
    return report;
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    cleanupAll().finally(() => process.exit(130));
  });
}

if (flag('--cleanup')) {
  const report = await cleanupAll();
  log(
    `removed ${report.dockerContainersRemoved} ${CONTAINER_PREFIX}* containers, killed ${report.leftoverCgroups.processes ?? 0} processes, removed ${report.leftoverCgroups.directories ?? 0} cgroup directories`,
  );
  process.exit(0);
}

const results = {
  machine: machineInfo(argv),
  config,
  notes: [],
  skipped: {},
  ratios: {
    oneShotVsLimit: null,
    sweepVsKeptFdLimit: null,
    dockerStreamFalseVsOneShot: null,
    dockerOneShotVsOneShot: null,
    dockerDaemonCpuVsCtrstatCpu: null,
  },
  scale: [],
};

function fdLimits() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map(Number);
  return { soft, hard };
}

/** Raises this process's descriptor limit (root may raise the hard limit too); returns the soft limit. */
function ensureFdLimit(need) {
  const { soft, hard } = fdLimits();
  if (soft >= need) return soft;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${Math.max(need, hard)}`], {
      stdio: 'ignore',
    });
    results.notes.push(`RLIMIT_NOFILE raised from ${soft} to ${need} for the kept descriptors of the largest scale`);
  } catch {
    // stays as it is; the sampler's maxFds is bounded below
  }
  return fdLimits().soft;
}

/**
 * The monitors' intervals: on the real containers 5 ms (many sweeps in little time), at scale 1 s, the
 * cadence an agent samples at (so that CPU at 1 Hz and the event loop are measured, not extrapolated).
 * The C floor's cold passes sleep as long as the monitor it is compared with.
 */
const MONITOR_INTERVAL_MS = 5;
const SCALE_MONITOR_INTERVAL_MS = 1000;

function runBaseline(
  listText,
  name,
  iterations,
  netIterations,
  maxKept = -1,
  coldGapMs = MONITOR_INTERVAL_MS,
  coldPasses = null,
) {
  const listPath = join(workDir, `${name}.list`);
  writeFileSync(listPath, listText);
  const args = [listPath, String(iterations), String(netIterations), String(coldGapMs * 1000), String(maxKept)];
  if (coldPasses !== null) args.push(String(coldPasses));
  const output = execFileSync(join(workDir, 'baseline'), args, {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: 600_000,
  });
  return JSON.parse(output);
}

/** The C floor for n containers, µs per container, composed from baseline.c's passes. */
function limitsPerContainer(b, n) {
  const one = b.oneShot.medianUs;
  const kept = b.keptFd.medianUs;
  const hostOne = b.hostOneShot.medianUs;
  const hostKept = b.hostKeptFd.medianUs;
  const net = b.netSetns.medianUs;
  const netKept = b.netKept.medianUs;
  return {
    // All containers in one pass, the host files once (as every ctrstat call reads them).
    oneShotUs: (one + hostOne) / n,
    keptFdUs: (kept + hostKept) / n,
    // Kept descriptors after sleeping between passes as a monitor does (container files only).
    keptFdColdUs: b.keptFdCold.medianUs / n,
    netSetnsUs: net / n,
    netKeptUs: netKept / n,
    // One container read alone: the host files plus one container's share.
    oneShotSingleUs: hostOne + one / n,
    netSetnsSingleUs: net / n,
  };
}

async function main() {
  log(
    `${quick ? 'quick' : 'full'} run on ${results.machine.cpuModel}, ${results.machine.cores} cores, kernel ${results.machine.kernel}`,
  );
  const leftovers = await cleanupSynthetic();
  const oldContainers = config.docker ? await removeContainers().catch(() => 0) : 0;
  if (leftovers.processes || leftovers.directories || oldContainers) {
    results.notes.push(
      `removed leftovers of an earlier run first (${oldContainers} containers, ${leftovers.directories} cgroup directories)`,
    );
  }

  // --- C programs ---
  try {
    compileC('baseline', ['-pthread']);
    compileC('spawn');
  } catch (err) {
    throw new Error(`cc failed: ${err.stderr?.toString() ?? err.message}`, { cause: err });
  }

  // --- the library ---
  const loaded = await loadLibrary({ log });
  if (loaded.error) {
    results.skipped.ctrstat = loaded.error;
    log(`ctrstat sections skipped: ${loaded.error}`);
  } else {
    results.notes.push(...loaded.notes);
  }
  const { lib, native } = loaded;

  // --- real containers ---
  let ids = [];
  let realTargets = [];
  if (config.docker) {
    const why = await dockerUnavailable();
    if (why) results.skipped.docker = why;
    else {
      results.docker = { version: await dockerVersion() };
      const t0 = nowMs();
      ids = await startContainers(config.realContainers);
      results.docker.startMs = nowMs() - t0;
      log(`started ${ids.length} Docker containers (bb:local) in ${(results.docker.startMs / 1000).toFixed(1)} s`);
    }
  } else results.skipped.docker = 'disabled by --no-docker';

  // --- limit and ctrstat on the real containers ---
  if (lib && ids.length) {
    realTargets = await Promise.all(ids.map((id) => lib.resolveContainer(id)));
    const reads = await recordReads(native, async () => {
      await lib.readContainerStats(ids, { network: true });
    });
    const list = baselineList(realTargets, reads);
    results.filePlan = {
      source: 'recorded from the addon calls of readContainerStats(all containers)',
      hostFiles: reads.files.filter((_, i) => list.text.split('\n')[i]?.startsWith('host')),
      filesPerContainer: list.containerFiles,
      exampleContainerFiles: reads.files.filter((p) =>
        Object.values(realTargets[0].dirs).some((d) => d && p.startsWith(`${d}/`)),
      ),
      namespaces: list.namespaces,
    };
    log(
      `file plan: ${list.hostFiles} host files + ${list.containerFiles.join('/')} per container, ${list.namespaces} namespaces`,
    );
    // The floor and ctrstat take turns, REAL_REPEATS times: on a noisy machine a drift then touches both,
    // and each figure is the median of its turns.
    const floors = [];
    const turns = [];
    for (let turn = 0; turn < config.realRepeats; turn++) {
      const b = runBaseline(list.text, 'real', config.baselineIterations, config.baselineNetIterations);
      if (turn === 0 && Object.values(b.failures).some((v) => v > 0))
        results.notes.push(`baseline.c failures on the real containers: ${JSON.stringify(b.failures)}`);
      floors.push({ raw: b, perContainer: limitsPerContainer(b, ids.length) });
      turns.push(
        await measureCtrstat(lib, ids, realTargets, { rounds: config.ctrstatRounds, sweepRounds: config.sweepRounds }),
      );
      log(
        `turn ${turn + 1}/${config.realRepeats}: floor kept ${round(floors.at(-1).perContainer.keptFdUs)} µs, ctrstat sweep ${round(turns.at(-1).noNetwork.sweepUs)} µs per container`,
      );
    }
    results.limit = { raw: floors.map((f) => f.raw), perContainer: medianOfEach(floors.map((f) => f.perContainer)) };
    results.ctrstat = {
      noNetwork: medianOfEach(turns.map((r) => r.noNetwork)),
      withNetwork: medianOfEach(turns.map((r) => r.withNetwork)),
    };
    log(
      `limit: one-shot ${round(results.limit.perContainer.oneShotUs)} µs, kept ${round(results.limit.perContainer.keptFdUs)} µs, netns ${round(results.limit.perContainer.netSetnsUs)} µs per container`,
    );
    log(`ctrstat: ${JSON.stringify(results.ctrstat, (k, v) => (typeof v === 'number' ? round(v) : v))}`);
  } else if (!lib) {
    results.skipped.limitReal = 'the file list comes from the library, which is not built';
  } else {
    results.skipped.limitReal = 'no real containers (Docker unavailable)';
  }

  // --- one read on a host with 1 000 more containers ---
  if (lib && ids.length) {
    results.hostScale = await measureHostScale(lib, {
      id: realTargets[0].id,
      name: realTargets[0].name,
      extra: 1000,
      rounds: quick ? 120 : 400,
      log,
    });
    results.ratios.singleReadHostScale = results.hostScale.ratio;
    log(
      `host scale: readContainerStats(ref) with 1 000 more container cgroups ÷ without: ${JSON.stringify(results.hostScale.ratio, (k, v) => (typeof v === 'number' ? round(v) : v))}`,
    );
  }

  // --- Docker's API and its daemons' CPU ---
  if (ids.length) {
    const idleRate = await daemonIdleRate(config.idleWindowMs);
    results.docker.idleDaemonCpuMsPerS = idleRate;
    results.docker.methods = [];
    const methods = (await dockerMethods()).filter((method) => !quick || method.key.startsWith('http'));
    for (const method of methods) {
      const slow = method.key !== 'httpOneShot';
      log(
        `Docker: ${method.key} (${slow ? config.dockerSlowRounds : config.dockerFastRounds} round(s) over ${ids.length} containers)`,
      );
      const m = await measureDockerMethod(
        method,
        ids,
        slow ? config.dockerSlowRounds : config.dockerFastRounds,
        idleRate,
      );
      results.docker.methods.push(m);
      if (m.error) log(`  failed: ${m.error}`);
      else
        log(
          `  ${round(m.singleMs)} ms per container, all ${round(m.allMs)} ms, daemon CPU ${round(m.daemonCpuMsPerSampleNet)} ms per sample`,
        );
    }
  }

  // --- a peer: netdata (before the synthetic containers exist, which its discovery would walk) ---
  if (!config.netdata) results.skipped.netdata = 'disabled by --no-netdata';
  else if (!lib) results.skipped.netdata = `needs the library: ${results.skipped.ctrstat}`;
  else if (!config.docker || results.skipped.docker)
    results.skipped.netdata = `needs Docker: ${results.skipped.docker}`;
  else {
    const why = await netdataUnavailable();
    if (why) results.skipped.netdata = why;
    else {
      results.peers = await measureNetdata(lib, {
        sizes: config.netdataSizes,
        windowS: config.netdataWindowS,
        straceS: quick ? 3 : 5,
        log,
      });
      if (results.peers.netdataProcessCpuVsCtrstat === undefined)
        results.skipped.netdata = `failed: ${results.peers.sizes.find((r) => r.error)?.error}`;
    }
  }

  // --- scale ---
  if (!config.scale) results.skipped.scale = 'disabled by --no-scale';
  else if (!lib) results.skipped.scale = `needs the library: ${results.skipped.ctrstat}`;
  else {
    const layout = syntheticLayout();
    if (layout.error) results.skipped.scale = layout.error;
    else await runScale(lib, native, layout, realTargets);
  }

  // --- the agent ---
  if (!config.agent) results.skipped.agent = 'disabled by --no-agent';
  else if (!lib) results.skipped.agent = `needs the library: ${results.skipped.ctrstat}`;
  else await runAgent();

  // --- the live stream and the dashboard ---
  if (!config.dashboard) results.skipped.dashboard = 'disabled by --no-dashboard';
  else if (!lib) results.skipped.dashboard = `needs the library: ${results.skipped.ctrstat}`;
  else await runDashboard();

  computeRatios();
}

async function runAgent() {
  const layout = syntheticLayout();
  if (layout.error) {
    results.skipped.agent = layout.error;
    return;
  }
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version exits 1 after printing its version; only a missing binary is fatal here.
    if (err.code === 'ENOENT') {
      results.skipped.agent = 'wrk is not installed (scripts/setup-machine.sh installs it)';
      return;
    }
  }
  if (!synthetic) {
    synthetic = new SyntheticContainers(layout);
    synthetic.start();
  }
  try {
    results.agent = await measureAgent({ synthetic, quick, log });
  } catch (err) {
    results.skipped.agent = `failed: ${err.message}`;
    log(`agent section failed: ${err.message}`);
  }
}

async function runDashboard() {
  const layout = syntheticLayout();
  if (layout.error) {
    results.skipped.dashboard = layout.error;
    return;
  }
  if (!synthetic) {
    synthetic = new SyntheticContainers(layout);
    synthetic.start();
  }
  try {
    results.dashboard = await measureDashboard({
      synthetic,
      containers: 100,
      pages: 10,
      seconds: quick ? 5 : 30,
      settleSweeps: quick ? 1 : 2,
      log,
    });
  } catch (err) {
    results.skipped.dashboard = `failed: ${err.message}`;
    log(`dashboard section failed: ${err.message}`);
  }
}

async function runScale(lib, native, layout, realTargets) {
  synthetic = new SyntheticContainers(layout);
  synthetic.start();
  for (const n of [...config.scales].sort((a, b) => a - b)) {
    const row = { containers: n, realContainers: realTargets.length, synthetic: true };
    try {
      row.setupMs = await synthetic.up(n);
      const targets = [...synthetic.targets(n), ...realTargets];
      log(`scale ${n}: ${n} synthetic containers up (+${round(row.setupMs)} ms), ${targets.length} targets`);

      // What a sample reads (and a check that every target reads cleanly).
      let first;
      const reads = await recordReads(native, async () => {
        // Made inside: its FileSet is the recording one.
        const plain = new lib.StatsSampler({ network: true });
        try {
          first = await plain.sample(targets);
        } finally {
          plain.close();
        }
      });
      assertStats(first, `sample of ${targets.length} targets`);
      const list = baselineList(targets, reads);
      row.filesPerSweep = reads.files.length;
      row.namespaces = list.namespaces;

      // The descriptors the sampler may keep: all of them where the open-file limit allows, else what
      // leaves room for the sockets and the rest of the process; the floor keeps the same number.
      const need = reads.files.length + list.namespaces + 512;
      const soft = ensureFdLimit(need + 1024);
      const maxFds = Math.max(0, Math.min(reads.files.length + 64, soft - list.namespaces - 1024));
      const maxSockets = list.namespaces + 16;
      row.samplerOptions = { keepFds: true, maxFds, maxSockets };
      if (maxFds < reads.files.length) {
        results.notes.push(
          `scale ${n}: the open-file limit (${soft}) lets ${maxFds} of ${reads.files.length} files stay open; the rest are opened, read and closed every sweep, by ctrstat and by the floor alike`,
        );
      }

      const iterations = Math.max(
        5,
        Math.min(config.baselineIterations, Math.round(config.scaleBaselineFileReads / reads.files.length)),
      );
      const netIterations = Math.max(
        3,
        Math.min(config.baselineNetIterations, Math.round(config.scaleBaselineNetDumps / Math.max(1, list.namespaces))),
      );
      const b = runBaseline(
        list.text,
        `scale-${n}`,
        iterations,
        netIterations,
        maxFds,
        SCALE_MONITOR_INTERVAL_MS,
        config.scaleColdPasses,
      );
      row.keptFdLimitMs = (b.keptFd.medianUs + b.hostKeptFd.medianUs) / 1000;
      row.keptFdColdLimitMs = b.keptFdCold.medianUs / 1000;
      // The floor's whole sweep after the same sleep (kept descriptors, then the dumps on kept sockets):
      // its time and its CPU, which the monitor's CPU per sweep is compared with.
      row.floorColdSweepMs = b.keptFdNetCold.medianUs / 1000;
      row.floorCpuMsPerSweep = b.keptFdNetColdCpu.medianUs / 1000;
      row.keptNetLimitMs = b.netKept.medianUs / 1000;
      row.oneShotLimitMs = b.oneShot.medianUs / 1000;
      row.keptDescriptors = b.keptDescriptors;

      // One-shot reads of them all (no network), against the floor's open/read/close pass.
      const refs = targets.map((t) => (t.runtime === 'cgroup' ? { cgroup: t.cgroup.path } : { id: t.id }));
      const oneShot = [];
      for (let round = 0; round <= config.scaleOneShotRounds; round++) {
        const start = nowMs();
        const list = await lib.readContainerStats(refs, { network: false });
        if (round > 0) oneShot.push(nowMs() - start);
        if (list.length !== refs.length) throw new Error('readContainerStats(all) returned a short list');
      }
      row.oneShotMs = median(oneShot);
      row.oneShotVsLimit = row.oneShotMs / row.oneShotLimitMs;

      // Sweeps without network: against the kept-descriptor floor.
      const noNet = await sweeps(lib, targets, { network: false, keepFds: true, maxFds }, false, native);
      row.sweepMsNoNet = noNet.sweepMs;
      row.sweepVsKeptFdLimit = noNet.sweepMs / row.keptFdLimitMs;
      // The same with limits and settings read every sweep (configRefreshMs: 0), as the floor does: what
      // reading them every 10 s instead saves.
      const everySweep = await sweeps(
        lib,
        targets,
        { network: false, keepFds: true, maxFds, configRefreshMs: 0 },
        false,
        native,
      );
      row.settingsCadence = {
        entriesPerSweep: noNet.entriesPerSweep,
        entriesPerSweepEverySweep: everySweep.entriesPerSweep,
        sweepMs: noNet.sweepMs,
        sweepMsEverySweep: everySweep.sweepMs,
        cpuMsPerSweep: noNet.cpuMsPerSweep,
        cpuMsPerSweepEverySweep: everySweep.cpuMsPerSweep,
        floorMs: row.keptFdLimitMs,
      };

      // Sampler sweeps with network: the read alone.
      const s = await sweeps(lib, targets, { network: true, keepFds: true, maxFds, maxSockets }, false);
      row.sweepMs = s.sweepMs;
      row.sweepWithNetworkVsLimit = s.sweepMs / (row.keptFdLimitMs + row.keptNetLimitMs);

      // A real monitor over the same containers (references resolved once, usage, events): time, CPU,
      // event loop, memory, descriptors.
      const m = await monitorRun(
        lib,
        refs,
        { network: true, keepFds: true, maxFds, maxSockets, interval: SCALE_MONITOR_INTERVAL_MS },
        n >= config.scaleMonitorDelayFrom ? config.scaleMonitorDelaySweeps : 0,
      );
      Object.assign(row, m);
      row.monitorVsKeptFdLimit = m.monitorSweepMs / (row.keptFdLimitMs + row.keptNetLimitMs);
      row.monitorVsColdLimit = m.monitorSweepMs / (row.keptFdColdLimitMs + row.keptNetLimitMs);
      row.cpuVsFloorCpu = m.cpuMsPerSweep / row.floorCpuMsPerSweep;
      log(
        `scale ${n}: sampler sweep ${round(row.sweepMs)} ms (no network ${round(row.sweepMsNoNet)} ms; floor ${round(row.keptFdLimitMs)} + ${round(row.keptNetLimitMs)} ms), monitor sweep ${round(row.monitorSweepMs)} ms, CPU ${round(row.cpuMsPerSweep)} ms per sweep = ${round(row.cpuVsFloorCpu)}× the floor's ${round(row.floorCpuMsPerSweep)} ms, loop p99 ${round(row.eventLoopP99Ms)} ms, GC ${round(row.gc.perSweep.count)} pauses ${round(row.gc.perSweep.totalMs)} ms (max ${round(row.gc.maxMs)} ms) per sweep, RSS ${round(row.rssMb)} MB, ${row.fds} fds`,
      );
    } catch (err) {
      row.error = err.message;
      log(`scale ${n} failed: ${err.message}`);
      results.scale.push(row);
      break;
    }
    results.scale.push(row);
  }
  results.syntheticSetupMs = synthetic.setupMs;
}

const GC_KINDS = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Collects the GC pauses (perf_hooks 'gc' entries) from start() to stop(), by kind. */
function gcRecorder() {
  const entries = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  let on = false;
  return {
    start() {
      if (on) return;
      on = true;
      observer.observe({ entryTypes: ['gc'] });
    },
    /** Count, total and longest pause (ms) in all and by kind; perSweep divides count and total by sweeps. */
    async stop(sweeps) {
      // The entries of the last collections are delivered on a later turn of the loop.
      await new Promise((resolve) => setTimeout(resolve, 20));
      observer.disconnect();
      const byKind = {};
      let count = 0;
      let totalMs = 0;
      let maxMs = 0;
      for (const entry of entries) {
        const kind = GC_KINDS[entry.detail?.kind ?? entry.kind] ?? 'other';
        const k = (byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
        k.count++;
        k.totalMs += entry.duration;
        k.maxMs = Math.max(k.maxMs, entry.duration);
        count++;
        totalMs += entry.duration;
        maxMs = Math.max(maxMs, entry.duration);
      }
      const per = (x) => (sweeps > 0 ? x / sweeps : null);
      for (const k of Object.values(byKind)) {
        k.perSweepCount = per(k.count);
        k.perSweepMs = per(k.totalMs);
      }
      return { sweeps, count, totalMs, maxMs, perSweep: { count: per(count), totalMs: per(totalMs) }, byKind };
    },
  };
}

/**
 * A monitor's sweeps with its CPU, the event loop's delay, RSS, GC pauses and descriptors measured while it
 * runs (from the end of the second, warm-up, sweep on). The CPU is taken over the first sweeps and the delay
 * over those after: the delay histogram's own 10 ms timer costs some 9 ms of CPU a second here, which is not
 * the monitor's.
 */
async function monitorRun(lib, refs, options, delaySweeps) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const gc = gcRecorder();
  const cpuSweeps = config.scaleMonitorCpuSweeps;
  let rss = null;
  let fds = null;
  let cpu0 = 0;
  let cpuMsPerSweep = null;
  const rssBySweep = [];
  // monitorSweeps counts the sweeps after its two warm-up ones.
  const total = cpuSweeps + delaySweeps;
  const result = await monitorSweeps(lib, refs, options, total, (sweep, seen) => {
    if (seen === 2) {
      cpu0 = processCpuMs();
      gc.start();
    } else if (seen === 2 + cpuSweeps) {
      cpuMsPerSweep = (processCpuMs() - cpu0) / cpuSweeps;
      histogram.enable();
    }
    rss = rssMb();
    if (seen > 2) rssBySweep.push(rss);
    fds = openFdCount();
  });
  histogram.disable();
  const gcStats = await gc.stop(result.sweeps);
  // The histogram records the timer's whole period; the delay is what exceeds the 10 ms resolution.
  const p99Raw = delaySweeps > 0 ? histogram.percentile(99) / 1e6 : null;
  return {
    monitorSweepMs: result.sweepMs,
    monitorSweeps: result.sweeps,
    cpuMsPerSweep,
    cpuPercentAt1Hz: (cpuMsPerSweep / 1000) * 100,
    eventLoopP99Ms: p99Raw === null ? null : Math.max(0, p99Raw - 10),
    eventLoopP99RawMs: p99Raw,
    eventLoopMaxMs: p99Raw === null ? null : Math.max(0, histogram.max / 1e6 - 10),
    gc: gcStats,
    rssMb: rss,
    rssMbBySweep: rssBySweep,
    rssGrowthMbPerSweep: rssBySweep.length > 1 ? (rssBySweep.at(-1) - rssBySweep[0]) / (rssBySweep.length - 1) : null,
    fds,
  };
}

/** Back-to-back sweeps of one kept-descriptor sampler (one warm-up sweep opens everything). */
async function sweeps(lib, targets, options, full, native) {
  // With `native`: the entries the sampler reads per sweep after the first, counted on its FileSet.
  const counting = native === undefined ? null : countFileReads(native);
  let sampler;
  try {
    sampler = new lib.StatsSampler(options);
  } finally {
    counting?.restore();
  }
  try {
    const t0 = nowMs();
    assertStats(await sampler.sample(targets), 'first sweep');
    const firstSweepMs = nowMs() - t0;
    const entries0 = counting?.counter.entries ?? 0;
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    const times = [];
    const cpu0 = processCpuMs();
    const start = nowMs();
    histogram.enable();
    while (times.length < config.scaleMinSweeps || nowMs() - start < config.scaleMinSweepMs) {
      const s = nowMs();
      const answer = await sampler.sample(targets);
      times.push(nowMs() - s);
      assertStats(answer, 'sweep');
      await new Promise((resolve) => setImmediate(resolve));
    }
    histogram.disable();
    const cpuMsPerSweep = (processCpuMs() - cpu0) / times.length;
    const entriesPerSweep = counting === null ? null : (counting.counter.entries - entries0) / times.length;
    const out = { sweepMs: median(times), sweeps: times.length, cpuMsPerSweep, entriesPerSweep };
    if (!full) return out;
    // The histogram records the timer's whole period; the delay is what exceeds the 10 ms resolution.
    const p99Raw = histogram.percentile(99) / 1e6;
    return {
      ...out,
      firstSweepMs,
      cpuMsPerSweep,
      cpuPercentAt1Hz: (cpuMsPerSweep / 1000) * 100,
      eventLoopP99Ms: Math.max(0, p99Raw - 10),
      eventLoopP99RawMs: p99Raw,
      eventLoopMaxMs: Math.max(0, histogram.max / 1e6 - 10),
      rssMb: rssMb(),
      fds: openFdCount(),
    };
  } finally {
    sampler.close();
  }
}

/** The median of each numeric field over a list of objects with the same fields. */
function medianOfEach(list) {
  const out = {};
  for (const key of Object.keys(list[0])) out[key] = median(list.map((item) => item[key]));
  return out;
}

function ratio(a, b) {
  return a === null || a === undefined || !b ? null : a / b;
}

function computeRatios() {
  const r = results.ratios;
  const c = results.ctrstat;
  const l = results.limit?.perContainer;
  const byKey = Object.fromEntries(
    (results.docker?.methods ?? []).filter((m) => !m.error && !m.unavailable).map((m) => [m.key, m]),
  );
  if (c && l) {
    r.oneShotVsLimit = ratio(c.noNetwork.batchUs, l.oneShotUs);
    r.sweepVsKeptFdLimit = ratio(c.noNetwork.sweepUs, l.keptFdUs);
    r.oneShotSingleVsLimit = ratio(c.noNetwork.singleUs, l.oneShotSingleUs);
    r.samplerOneShotVsLimit = ratio(c.noNetwork.samplerOneShotUs, l.oneShotUs);
    r.oneShotWithNetworkVsLimit = ratio(c.withNetwork.batchUs, l.oneShotUs + l.netSetnsUs);
    r.oneShotSingleWithNetworkVsLimit = ratio(c.withNetwork.singleUs, l.oneShotSingleUs + l.netSetnsSingleUs);
    r.sweepWithNetworkVsLimit = ratio(c.withNetwork.sweepUs, l.keptFdUs + l.netKeptUs);
    r.monitorSweepVsKeptFdLimit = ratio(c.noNetwork.monitorSweepUs, l.keptFdUs);
    r.monitorSweepVsColdKeptFdLimit = ratio(c.noNetwork.monitorSweepUs, l.keptFdColdUs);
    r.monitorSweepWithNetworkVsLimit = ratio(c.withNetwork.monitorSweepUs, l.keptFdUs + l.netKeptUs);
  }
  if (c) {
    const oneShotUs = c.withNetwork.singleUs;
    r.dockerStreamFalseVsOneShot = ratio(byKey.httpStreamFalse?.singleMs * 1000, oneShotUs);
    r.dockerOneShotVsOneShot = ratio(byKey.httpOneShot?.singleMs * 1000, oneShotUs);
    r.dockerodeVsOneShot = ratio(byKey.dockerode?.singleMs * 1000, oneShotUs);
    r.systeminformationVsOneShot = ratio(byKey.systeminformation?.singleMs * 1000, oneShotUs);
    r.dockerDaemonCpuVsCtrstatCpu = ratio(
      byKey.httpOneShot?.daemonCpuMsPerSampleNet,
      c.withNetwork.singleCpuMsPerContainer,
    );
    r.dockerStreamFalseDaemonCpuVsCtrstatCpu = ratio(
      byKey.httpStreamFalse?.daemonCpuMsPerSampleNet,
      c.withNetwork.singleCpuMsPerContainer,
    );
  }
  const largest = results.scale.filter((row) => !row.error).at(-1);
  if (largest && r.sweepVsKeptFdLimit !== null) r.sweepVsKeptFdLimitAtLargestScale = largest.sweepVsKeptFdLimit;
}

let failure = null;
try {
  await main();
} catch (err) {
  failure = err;
  results.error = err.stack ?? String(err);
  log(`failed: ${err.message}`);
} finally {
  log('cleaning up');
  results.cleanup = await cleanupAll();
  const left = await cleanupSynthetic();
  if (left.processes || left.directories) results.cleanup.secondPass = left;
}
results.durationS = (nowMs() - startedAt) / 1000;
const json = JSON.stringify(results, (key, value) => (typeof value === 'number' ? round(value) : value), 2);
writeFileSync(join(benchDir, 'results.json'), json + '\n');
writeFileSync(join(repoDir, 'BENCHMARKS.md'), renderMarkdown(JSON.parse(json)));
log(`wrote bench/results.json and BENCHMARKS.md in ${results.durationS.toFixed(1)} s`);
process.exit(failure ? 1 : 0);
