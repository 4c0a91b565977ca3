// BENCHMARKS.md from the results of one run. Numbers come only from `results`; what is missing is
// said to be missing, with the reason.

const INTRO = `# Benchmarks

ctrstat reads container stats straight from the kernel: the cgroup files of every container in one
batched native read, and network counters by a netlink dump inside each container's network namespace.
This file is written by \`npm run bench\` (\`bench/run.mjs\`); the raw figures are in
\`bench/results.json\`. Everything below comes from one process run on the machine described. The
machine is noisy, so the figures that matter are **ratios** measured side by side in that run: ctrstat
against a plain C loop doing the same reads (the floor), and against Docker's stats API on the same
containers. Absolute times are given for context only.
`;

function fmt(value, unit = '') {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  let text;
  if (abs >= 1000) text = Math.round(value).toLocaleString('en-US');
  else if (abs >= 100) text = String(Math.round(value));
  else if (abs >= 10) text = value.toFixed(1);
  else if (abs >= 1) text = value.toFixed(2);
  else text = value.toPrecision(2);
  return unit ? `${text} ${unit}` : text;
}

const x = (value) => (value === null || value === undefined ? '—' : `${fmt(value)}×`);

/** A target line: measured value, met or missed and by how much. */
function target(label, measured, bound, kind, unit = '×', why = null) {
  if (measured === null || measured === undefined) {
    return `| ${label} | not measured${why ? ` (${why})` : ''} | — |`;
  }
  const shown = unit === '×' ? x(measured) : fmt(measured, unit);
  const boundShown = unit === '×' ? `${fmt(bound)}×` : fmt(bound, unit);
  if (kind === 'max') {
    const met = measured <= bound;
    const miss =
      bound === 0 ? `**missed** (${shown})` : `**missed**: ${fmt(measured / bound)}× the allowed ${boundShown}`;
    return `| ${label} | ${shown} | ${met ? `met (≤ ${boundShown})` : miss} |`;
  }
  const met = measured >= bound;
  return `| ${label} | ${shown} | ${met ? `met (≥ ${boundShown})` : `**missed**: ${fmt(bound / measured)}× short of ${boundShown}`} |`;
}

/** GC pauses per sweep: count and total, then by kind. */
function gcCell(gc) {
  if (!gc) return '—';
  const kinds = Object.entries(gc.byKind ?? {})
    .map(([kind, k]) => `${kind} ${fmt(k.perSweepCount)} / ${fmt(k.perSweepMs, 'ms')}`)
    .join(', ');
  return `${fmt(gc.perSweep.count)} / ${fmt(gc.perSweep.totalMs, 'ms')}${kinds ? ` (${kinds})` : ''}`;
}

export function renderMarkdown(r) {
  const m = r.machine;
  const lines = [INTRO];
  lines.push('## Run');
  lines.push('');
  lines.push('| | |');
  lines.push('|---|---|');
  lines.push(`| CPU | ${m.cpuModel} |`);
  lines.push(`| Cores | ${m.cores} |`);
  lines.push(`| Memory | ${m.memTotalMb ? `${fmt(m.memTotalMb / 1024)} GiB` : '—'} |`);
  lines.push(`| Kernel | ${m.kernel} |`);
  lines.push(`| cgroup mode | ${m.cgroupMode} |`);
  lines.push(`| Node.js | ${m.node} |`);
  if (r.docker?.version) lines.push(`| Docker | ${r.docker.version.version} (API ${r.docker.version.apiVersion}) |`);
  lines.push(`| Date | ${m.date} |`);
  lines.push(`| Command | \`${m.command}\` |`);
  lines.push(`| Mode | ${r.config.quick ? 'quick (reduced rounds and scale)' : 'full'} |`);
  lines.push(`| Duration | ${fmt(r.durationS, 's')} |`);
  lines.push('');
  if (r.error) {
    lines.push(
      `**The run stopped with an error:** \`${String(r.error).split('\n')[0]}\`. The sections below hold what was measured before it.`,
    );
    lines.push('');
  }

  const ra = r.ratios;
  const largest = (r.scale ?? []).filter((row) => !row.error).at(-1);
  const at1000 = (r.scale ?? []).find((row) => row.containers === 1000 && !row.error);
  const at5000 = (r.scale ?? []).find((row) => row.containers === 5000 && !row.error);
  const scaleWhy = (size) =>
    r.skipped?.scale ??
    (r.config.scales.includes(size)
      ? `the ${size} run failed`
      : `not in this run: \`--scale ${r.config.scales.join(',')}\``);
  lines.push('## Targets');
  lines.push('');
  lines.push(
    'Multiples of the floor are ctrstat time ÷ C time for the same reads (lower is better). Multiples against Docker are Docker ÷ ctrstat (higher is better).',
  );
  lines.push('');
  lines.push('| Target | Measured | Result |');
  lines.push('|---|---|---|');
  const noLib = r.skipped?.ctrstat ? 'library not built' : r.skipped?.docker ? 'no Docker containers' : null;
  lines.push(
    target(
      'One-shot reads ≤ 1.5× the open/read/close floor (`readContainerStats(all)`, no network)',
      ra.oneShotVsLimit,
      1.5,
      'max',
      '×',
      noLib,
    ),
  );
  lines.push(
    target(
      'One-shot reads ≤ 1.5× the floor with network (`readContainerStats(all)`; open/read/close, setns + socket + dump)',
      ra.oneShotWithNetworkVsLimit,
      1.5,
      'max',
      '×',
      noLib,
    ),
  );
  lines.push(
    target(
      'One-shot read of a single container ≤ 2× the floor (`readContainerStats(id)`, no network; the host files and its own)',
      ra.oneShotSingleVsLimit,
      2,
      'max',
      '×',
      noLib,
    ),
  );
  lines.push(
    target(
      'One-shot read of a single container ≤ 2× the floor with network (`readContainerStats(id)`)',
      ra.oneShotSingleWithNetworkVsLimit,
      2,
      'max',
      '×',
      noLib,
    ),
  );
  const oneShotAt100 = (r.scale ?? []).find((row) => row.containers === 100 && !row.error);
  lines.push(
    target(
      'One-shot reads ≤ 1.5× the open/read/close floor at 100 synthetic containers (`readContainerStats(all)`, no network)',
      oneShotAt100?.oneShotVsLimit,
      1.5,
      'max',
      '×',
      scaleWhy(100),
    ),
  );
  lines.push(
    target(
      "Monitor sweeps ≤ 1.5× the kept-descriptor floor (Docker containers, no network; the sampler's read)",
      ra.sweepVsKeptFdLimit,
      1.5,
      'max',
      '×',
      noLib,
    ),
  );
  lines.push(
    target(
      "Monitor sweeps ≤ 1.5× the kept-descriptor floor (Docker containers, no network; a whole `createMonitor` sweep against the floor's passes made after the same 5 ms sleep)",
      ra.monitorSweepVsColdKeptFdLimit,
      1.5,
      'max',
      '×',
      noLib,
    ),
  );
  if (largest) {
    lines.push(
      target(
        `Monitor sweeps ≤ 1.5× the kept-descriptor floor at ${largest.containers} synthetic containers (no network; the sampler's read)`,
        largest.sweepVsKeptFdLimit,
        1.5,
        'max',
      ),
    );
    lines.push(
      target(
        `Monitor sweeps ≤ 1.5× the kept-descriptor floor at ${largest.containers} synthetic containers (with network; a whole \`createMonitor\` sweep at 1 Hz against the floor's passes after the same 1 s sleep)`,
        largest.monitorVsColdLimit,
        1.5,
        'max',
      ),
    );
  }
  lines.push(
    target(
      '1 000 containers sampled every second ≤ 5 % of one core',
      at1000?.cpuPercentAt1Hz,
      5,
      'max',
      '%',
      scaleWhy(1000),
    ),
  );
  for (const row of [at1000, at5000].filter(Boolean)) {
    lines.push(
      target(
        `CPU at scale ≤ 1.2× the floor's CPU: a \`createMonitor\` of ${row.containers} containers at 1 Hz (with network) against the C floor's same reads after the same 1 s sleep`,
        row.cpuVsFloorCpu,
        1.2,
        'max',
      ),
    );
  }
  if (!at1000)
    lines.push(
      target("CPU at scale ≤ 1.2× the floor's CPU (1 000 containers at 1 Hz)", null, 1.2, 'max', '×', scaleWhy(1000)),
    );
  lines.push(
    target(
      'Event loop p99 delay < 5 ms during 1 Hz sweeps of 1 000 containers',
      at1000?.eventLoopP99Ms,
      5,
      'max',
      'ms',
      scaleWhy(1000),
    ),
  );
  lines.push(
    target(
      'Event loop p99 delay < 10 ms during 1 Hz sweeps of 5 000 containers',
      at5000?.eventLoopP99Ms,
      10,
      'max',
      'ms',
      scaleWhy(5000),
    ),
  );
  const peers = r.peers;
  lines.push(
    target(
      "ctrstat's `createMonitor` ≤ 0.5× the CPU of netdata's whole process per container-sample (netdata ÷ ctrstat ≥ 2, the smallest over the sizes)",
      peers?.netdataProcessCpuVsCtrstat,
      2,
      'min',
      '×',
      r.skipped?.netdata ?? (peers ? null : 'not in this run'),
    ),
  );
  lines.push(
    target(
      'Agent: a Prometheus scrape every 15 s adds ≤ 10 % to the CPU of 1 Hz sampling (1 000 synthetic containers)',
      r.agent?.scrapeCpuOverheadRatio === undefined ? null : r.agent.scrapeCpuOverheadRatio * 100,
      10,
      'max',
      '%',
      r.skipped?.agent,
    ),
  );
  const longTasks = r.dashboard?.onePage?.longTasksOver50Ms;
  const longTasksLabel =
    'Dashboard: no long task over 50 ms in the browser, one page following 100 containers at 1 Hz with a chart open';
  lines.push(
    longTasks === undefined
      ? target(longTasksLabel, null, 0, 'max', '', r.skipped?.dashboard ?? 'not in this run')
      : `| ${longTasksLabel} | ${longTasks} long task(s) | ${longTasks === 0 ? 'met' : '**missed**'} |`,
  );
  lines.push(
    target(
      '`npm run bench -- --quick` takes about three minutes (≤ 180 s) and includes the 1 000-container row',
      r.config.quick && at1000 ? r.durationS : null,
      180,
      'max',
      's',
      r.config.quick ? scaleWhy(1000) : 'a full run; a quick run states it',
    ),
  );
  const hostScale = ra.singleReadHostScale;
  lines.push(
    target(
      '`readContainerStats(full id)` with 1 000 more container cgroups on the host ≤ 1.2× the time without (with network)',
      hostScale?.fullId,
      1.2,
      'max',
      '×',
      noLib,
    ),
  );
  lines.push(
    target(
      '`readContainerStats(name)` and `(12-character prefix)` with 1 000 more container cgroups ≤ 1.5× the time without',
      hostScale ? Math.max(hostScale.name, hostScale.prefix) : null,
      1.5,
      'max',
      '×',
      noLib,
    ),
  );
  lines.push(
    target('Latency ≥ 1 000× better than `stream=false`', ra.dockerStreamFalseVsOneShot, 1000, 'min', '×', noLib),
  );
  lines.push(target('Latency ≥ 100× better than `one-shot=true`', ra.dockerOneShotVsOneShot, 100, 'min', '×', noLib));
  lines.push('');

  // --- real containers ---
  const c = r.ctrstat;
  const l = r.limit?.perContainer;
  const n = r.config.realContainers;
  lines.push(`## Per container, on ${n} real Docker containers`);
  lines.push('');
  if (!c && !l) {
    lines.push(`Not measured: ${r.skipped?.ctrstat ?? r.skipped?.limitReal ?? r.skipped?.docker ?? 'unknown reason'}.`);
    lines.push('');
  } else {
    if (r.filePlan) {
      lines.push(
        `Files per sample: ${r.filePlan.hostFiles.length} host files (${r.filePlan.hostFiles.map((p) => `\`${p}\``).join(', ')}) read once per call, and ${r.filePlan.filesPerContainer.join('/')} files per container; ${r.filePlan.namespaces} network namespaces. The list is ${r.filePlan.source}; the C floor reads exactly these paths.`,
      );
      lines.push('');
    }
    lines.push(
      `Microseconds per container (median call time ÷ containers in the call). The floor and ctrstat were measured in ${r.config.realRepeats ?? 1} alternating turn(s); each figure is the median of its turns.`,
    );
    lines.push('');
    lines.push('| What | no network | with network | ÷ floor (no network) | ÷ floor (with network) |');
    lines.push('|---|---|---|---|---|');
    if (l) {
      lines.push(
        `| C floor, open + read + close, all containers in one pass | ${fmt(l.oneShotUs)} | ${fmt(l.oneShotUs + l.netSetnsUs)} | 1× | 1× |`,
      );
      lines.push(
        `| C floor, one container alone (host files + its files) | ${fmt(l.oneShotSingleUs)} | ${fmt(l.oneShotSingleUs + l.netSetnsSingleUs)} | 1× | 1× |`,
      );
      lines.push(
        `| C floor, \`pread\` on kept descriptors (+ dump on kept netlink sockets) | ${fmt(l.keptFdUs)} | ${fmt(l.keptFdUs + l.netKeptUs)} | 1× | 1× |`,
      );
      if (l.keptFdColdUs !== undefined)
        lines.push(
          `| C floor, the same after a 5 ms sleep before each pass (a monitor's cadence) | ${fmt(l.keptFdColdUs)} | ${fmt(l.keptFdColdUs + l.netKeptUs)} | 1× | 1× |`,
        );
    }
    if (c && l) {
      const nn = c.noNetwork;
      const wn = c.withNetwork;
      const oneAll = l.oneShotUs;
      const oneAllNet = l.oneShotUs + l.netSetnsUs;
      const single = l.oneShotSingleUs;
      const singleNet = l.oneShotSingleUs + l.netSetnsSingleUs;
      const kept = l.keptFdUs;
      const keptNet = l.keptFdUs + l.netKeptUs;
      lines.push(
        `| \`readContainerStats(id)\`, containers in turn | ${fmt(nn.singleUs)} | ${fmt(wn.singleUs)} | ${x(nn.singleUs / single)} | ${x(wn.singleUs / singleNet)} |`,
      );
      lines.push(
        `| \`readContainerStats(all)\`, one batch | ${fmt(nn.batchUs)} | ${fmt(wn.batchUs)} | ${x(nn.batchUs / oneAll)} | ${x(wn.batchUs / oneAllNet)} |`,
      );
      lines.push(
        `| \`StatsSampler.sample(resolved)\`, no kept descriptors | ${fmt(nn.samplerOneShotUs)} | ${fmt(wn.samplerOneShotUs)} | ${x(nn.samplerOneShotUs / oneAll)} | ${x(wn.samplerOneShotUs / oneAllNet)} |`,
      );
      lines.push(
        `| \`StatsSampler({ keepFds: true })\` sweep | ${fmt(nn.sweepUs)} | ${fmt(wn.sweepUs)} | ${x(nn.sweepUs / kept)} | ${x(wn.sweepUs / keptNet)} |`,
      );
      if (nn.monitorSweepUs !== undefined) {
        const cold = l.keptFdColdUs ?? kept;
        lines.push(
          `| \`createMonitor\` sweep every 5 ms (references kept, usage, events), ÷ the floor after the same sleep | ${fmt(nn.monitorSweepUs)} | ${fmt(wn.monitorSweepUs)} | ${x(nn.monitorSweepUs / cold)} | ${x(wn.monitorSweepUs / (cold + l.netKeptUs))} |`,
        );
      }
    } else if (!c) {
      lines.push(`| ctrstat | not measured: ${r.skipped?.ctrstat} | | | |`);
    }
    lines.push('');
    lines.push(
      'The floor of a one-shot call is compared with open/read/close (and setns + socket + dump); the floor of a sweep with kept descriptors (and kept sockets). `readContainerStats` also resolves the references (and, with network, lists the containers to tell shared namespaces apart), which the floor does not do.',
    );
    lines.push('');
  }

  // --- Docker ---
  lines.push("## Docker's stats API on the same containers");
  lines.push('');
  const methods = r.docker?.methods ?? [];
  if (!methods.length) {
    lines.push(`Not measured: ${r.skipped?.docker ?? 'no containers'}.`);
    lines.push('');
  } else {
    const oneShotUs = c?.withNetwork?.singleUs;
    lines.push(
      `Milliseconds. "One container" is the median of single requests made in turn; "all" is one call for all ${n} containers (concurrent requests, or the library's own list call). Daemon CPU is utime + stime of dockerd, containerd and containerd-shim* from /proc/<pid>/stat over the single requests, per container-sample, less the daemons' idle rate (${fmt(r.docker.idleDaemonCpuMsPerS)} ms/s measured just before); tick resolution 10 ms.`,
    );
    lines.push('');
    lines.push(
      '| Method | one container | all | Docker ÷ ctrstat `readContainerStats(id)` | daemon CPU per sample (raw) |',
    );
    lines.push('|---|---|---|---|---|');
    for (const mm of methods) {
      if (mm.unavailable || mm.error) {
        lines.push(`| ${mm.label} | not measured: ${mm.unavailable ?? mm.error} | | | |`);
        continue;
      }
      // The run's own ratio where it made one (the figures stored in results.json are rounded).
      const stored = {
        httpStreamFalse: ra.dockerStreamFalseVsOneShot,
        httpOneShot: ra.dockerOneShotVsOneShot,
        dockerode: ra.dockerodeVsOneShot,
        systeminformation: ra.systeminformationVsOneShot,
      }[mm.key];
      const vsCtrstat = stored ?? (oneShotUs ? (mm.singleMs * 1000) / oneShotUs : null);
      lines.push(
        `| ${mm.label} | ${fmt(mm.singleMs)} | ${fmt(mm.allMs)} | ${x(vsCtrstat)} | ${fmt(mm.daemonCpuMsPerSampleNet)} ms (${fmt(mm.daemonCpuMsPerSample)} ms) |`,
      );
    }
    if (c) {
      lines.push(
        `| ctrstat \`readContainerStats(id)\`, with network | ${fmt(c.withNetwork.singleUs / 1000)} | ${fmt((c.withNetwork.batchUs * n) / 1000)} | 1× | ctrstat's own CPU: ${fmt(c.withNetwork.singleCpuMsPerContainer)} ms |`,
      );
    }
    lines.push('');
    if (ra.dockerDaemonCpuVsCtrstatCpu !== null && ra.dockerDaemonCpuVsCtrstatCpu !== undefined) {
      lines.push(
        `Docker's daemons spend ${x(ra.dockerDaemonCpuVsCtrstatCpu)} the CPU time per \`one-shot=true\` sample that ctrstat's whole process spends per \`readContainerStats(id)\` (${x(ra.dockerStreamFalseDaemonCpuVsCtrstatCpu)} for \`stream=false\`), not counting the CPU of the client that made the request.`,
      );
      lines.push('');
    }
  }

  // --- scale ---
  lines.push('## Scale: monitor sweeps');
  lines.push('');
  if (r.skipped?.scale) {
    lines.push(`Not measured: ${r.skipped.scale}.`);
    lines.push('');
  } else if (r.scale.length) {
    lines.push(
      `Synthetic containers (plus the ${n} real ones in every sweep). "Sampler" is one \`StatsSampler({ keepFds: true })\` reading all of them back to back (with and without network counters); "monitor" is a \`createMonitor\` over the same containers (given as \`{ cgroup }\` and \`{ id }\` references, with network counters) sweeping once a second, as an agent would. Sweep times are medians; CPU is this process's user + system time (every thread) per monitor sweep, as a percentage of one core (it sweeps at 1 Hz), over the first half of the measured sweeps; the event-loop figure is \`monitorEventLoopDelay\` (10 ms resolution) p99 less the 10 ms timer period, over the second half (the histogram's own timer costs about 9 ms of CPU a second on this machine, which is not the monitor's); RSS and descriptors are taken with the monitor open. The monitor is compared with the floor's passes made after the same one-second sleep; "CPU ÷ floor CPU" divides the monitor's CPU per sweep by the CPU time (\`CLOCK_THREAD_CPUTIME_ID\`) of the floor's pass after the same sleep (\`pread\` of the kept descriptors, then the dump on every kept netlink socket). GC is what \`perf_hooks\` reports (\`PerformanceObserver\`, entry type \`gc\`) over the measured sweeps: pauses per sweep and their total, and the longest pause; RSS growth is per sweep over the same sweeps.`,
    );
    lines.push('');
    lines.push(
      '| containers | setup | sampler sweep | sampler, no network | floor: kept fds + kept sockets | sampler ÷ floor (no network) | monitor sweep (1 Hz) | monitor ÷ floor after a 1 s sleep | CPU at 1 Hz | CPU ÷ floor CPU | loop p99 | GC per sweep | longest GC | RSS (growth per sweep) | fds |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of r.scale) {
      if (row.error) {
        lines.push(`| ${row.containers} | ${fmt(row.setupMs, 'ms')} | failed: ${row.error} | | | | | | | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${row.containers} + ${row.realContainers} | ${fmt(row.setupMs, 'ms')} | ${fmt(row.sweepMs, 'ms')} | ${fmt(row.sweepMsNoNet, 'ms')} | ${fmt(row.keptFdLimitMs)} + ${fmt(row.keptNetLimitMs)} ms | ${x(row.sweepVsKeptFdLimit)} | ${fmt(row.monitorSweepMs, 'ms')} | ${x(row.monitorVsColdLimit)} | ${fmt(row.cpuPercentAt1Hz, '%')} | ${x(row.cpuVsFloorCpu)} (${fmt(row.cpuMsPerSweep)} ÷ ${fmt(row.floorCpuMsPerSweep)} ms) | ${fmt(row.eventLoopP99Ms, 'ms')} | ${gcCell(row.gc)} | ${fmt(row.gc?.maxMs, 'ms')} | ${fmt(row.rssMb, 'MB')} (${row.rssGrowthMbPerSweep === null || row.rssGrowthMbPerSweep === undefined ? '—' : `${row.rssGrowthMbPerSweep >= 0 ? '+' : ''}${fmt(row.rssGrowthMbPerSweep)}`}) | ${fmt(row.fds)} |`,
      );
    }
    lines.push('');
    const oneShots = r.scale.filter((row) => row.oneShotMs != null);
    if (oneShots.length) {
      lines.push(
        "One-shot reads at scale: `readContainerStats` of every synthetic and real container in one call (no network; references as the monitor's, resolved by the call), median of the calls after a first, against the floor's one pass of open, read and close over the same files.",
      );
      lines.push('');
      lines.push('| containers | `readContainerStats(all)` | floor: open/read/close | ÷ floor |');
      lines.push('|---|---|---|---|');
      for (const row of oneShots) {
        lines.push(
          `| ${row.containers} + ${row.realContainers} | ${fmt(row.oneShotMs, 'ms')} | ${fmt(row.oneShotLimitMs, 'ms')} | ${x(row.oneShotVsLimit)} |`,
        );
      }
      lines.push('');
    }
    const cadence = r.scale.filter((row) => row.settingsCadence?.entriesPerSweep != null);
    if (cadence.length) {
      lines.push(
        "Limits and settings (memory and swap limits, CFS quota and period, `pids.max`, cpuset, hugetlb limits) are read when a container is added and then every 10 s (`configRefreshMs`), not every sweep. The sampler's sweeps without network, read back to back, with that cadence and with `configRefreshMs: 0` (everything every sweep, as the floor reads): entries read per sweep (a file each, plus a clock and a cgroup inode per container), sweep time and CPU per sweep. The floor keeps reading everything, so against it the ratio can go below 1: ctrstat then reads less than the floor does.",
      );
      lines.push('');
      lines.push(
        '| containers | entries per sweep: every sweep → every 10 s | sweep: every sweep → every 10 s | CPU per sweep: every sweep → every 10 s | sweep ÷ kept-descriptor floor (every 10 s) |',
      );
      lines.push('|---|---|---|---|---|');
      for (const row of cadence) {
        const c = row.settingsCadence;
        lines.push(
          `| ${row.containers} + ${row.realContainers} | ${fmt(c.entriesPerSweepEverySweep)} → ${fmt(c.entriesPerSweep)} (${fmt((1 - c.entriesPerSweep / c.entriesPerSweepEverySweep) * 100, '%')} fewer) | ${fmt(c.sweepMsEverySweep, 'ms')} → ${fmt(c.sweepMs, 'ms')} | ${fmt(c.cpuMsPerSweepEverySweep, 'ms')} → ${fmt(c.cpuMsPerSweep, 'ms')} | ${x(c.sweepMs / c.floorMs)} |`,
        );
      }
      lines.push('');
    }
    const failed = r.scale.find((row) => row.error);
    if (!failed && r.config.scales.length > r.scale.length)
      lines.push(
        `Sizes not reached: ${r.config.scales.filter((s) => !r.scale.some((row) => row.containers === s)).join(', ')}.`,
      );
    lines.push('');
  }

  // --- the peer ---
  lines.push("## A peer side by side: netdata's cgroups collector");
  lines.push('');
  if (!r.peers) {
    lines.push(`Not measured: ${r.skipped?.netdata ?? 'not in this run'}.`);
    lines.push('');
  } else {
    const p = r.peers;
    lines.push(
      `netdata ${p.version ?? ''} (Debian's package) runs in the foreground with a configuration of its own (\`bench/netdata.mjs\`): the cgroups collector (v1 hierarchies, 1 s updates, 1 s discovery) and \`/proc/net/dev\` only, charting the idle \`bb:local\` containers the run starts under a cgroup parent of their own and no other. A \`createMonitor\` (with network counters, \`{ id }\` references) sweeps the same containers at 1 Hz in the benchmark's process over the same ${fmt(p.windowS)} s window, both at once, after netdata has charted them all. CPU per container-sample: netdata's from \`/proc/<pid>/task/<tid>/stat\` (clock ticks of 10 ms) divided by containers × seconds; "collect thread" is the older of its two \`PLUGIN[cgroups]\` threads (the other discovers), "cgroups threads" both; ctrstat's is this process's CPU less its idle rate just before (the lowest of three 1 s slices), divided by containers × sweeps. Files per container and sweep come from \`strace -c -f\` over ${fmt(p.straceS)} s after the window: \`openat\` calls for netdata (which opens, reads and closes every file each time; its whole process: the discovery thread's walk of the hierarchies every second and \`/proc/net/dev\` included), \`pread64\` + \`openat\` for ctrstat (kept descriptors).`,
    );
    lines.push('');
    lines.push(
      '| containers | netdata collect thread | netdata cgroups threads | netdata whole process | ctrstat `createMonitor` | netdata collect ÷ ctrstat | netdata process ÷ ctrstat | files per container-sweep: netdata / ctrstat | netdata discovery |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const row of p.sizes) {
      if (row.error) {
        lines.push(`| ${row.containers} | failed: ${row.error} | | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${row.containers} | ${fmt(row.netdata.collectThreadUsPerSample, 'µs')} | ${fmt(row.netdata.cgroupsThreadsUsPerSample, 'µs')} | ${fmt(row.netdata.processUsPerSample, 'µs')} | ${fmt(row.ctrstat.usPerSample, 'µs')} | ${x(row.netdataCgroupsCpuVsCtrstat)} | ${x(row.netdataProcessCpuVsCtrstat)} | ${fmt(row.netdataFilesPerContainerSweep)} / ${fmt(row.ctrstatFilesPerContainerSweep)} | ${fmt(row.netdataDiscoveryMs / 1000, 's')} |`,
      );
    }
    lines.push('');
    lines.push(
      `\`peers.netdataCgroupsCpuVsCtrstat\` = ${x(p.netdataCgroupsCpuVsCtrstat)}, \`peers.netdataProcessCpuVsCtrstat\` = ${x(p.netdataProcessCpuVsCtrstat)} (the smallest over the sizes; above 1 ctrstat is the cheaper). netdata reads less per container here: no block I/O for idle containers (it re-checks zero charts now and then), no pids, no PSI on v1, and on this layout no \`cpu.stat\` (no throttling); it takes network counters from the host's \`/proc/net/dev\` (the host end of each container's veth pair, found once by its \`cgroup-network\` helper), read once for all containers, where ctrstat dumps each namespace's links over netlink.`,
    );
    lines.push('');
  }

  // --- the agent ---
  lines.push('## The agent (`ctrstat/agent`, `ctrstat serve`)');
  lines.push('');
  if (!r.agent) {
    lines.push(`Not measured: ${r.skipped?.agent ?? 'not in this run'}.`);
    lines.push('');
  } else {
    const a = r.agent;
    lines.push(
      `An agent in the benchmark's process over synthetic containers (given as \`{ cgroup }\` references, with network counters), sampling every ${fmt(a.intervalMs / 1000)} s. "Render" is the first request after a sweep, which renders that sweep's answer (the agent keeps it until the next sweep); "cached" is the next request (the client is \`node:http\` in the same process, so reading the answer is in both figures). The event-loop figure is the longest delay (\`monitorEventLoopDelay\`, 1 ms resolution) over the rendering requests. Scrape CPU is this process's CPU (every thread) over one gzip-compressed \`/metrics\` request made just after a sweep, so that it overlaps none; the overhead is that once per ${a.scrapeEverySeconds} s over the monitor's CPU in ${a.scrapeEverySeconds} s. Requests per second and p99 come from wrk (1 thread, 8 connections, gzip) on loopback, at 100 containers.`,
    );
    lines.push('');
    lines.push(
      '| containers | /metrics render | /metrics cached | /metrics size | /containers/usage render | cached | event loop max | sampling CPU (1 Hz) | CPU per scrape | scrape every 15 s adds | /metrics req/s | p99 |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of [...a.byContainers].sort((x, y) => x.containers - y.containers)) {
      lines.push(
        `| ${row.containers} | ${fmt(row.metricsRenderMs, 'ms')} | ${fmt(row.metricsCachedMs, 'ms')} | ${fmt(row.metricsBytes / 1024, 'KiB')} | ${fmt(row.usageRenderMs, 'ms')} | ${fmt(row.usageCachedMs, 'ms')} | ${fmt(row.eventLoopMaxDuringRenderMs, 'ms')} | ${fmt(row.monitorCpuPercent, '%')} | ${fmt(row.scrapeCpuMs, 'ms')} | ${fmt(row.scrapeCpuOverheadRatio * 100, '%')} | ${row.metricsRps ? fmt(row.metricsRps) : '—'} | ${row.metricsP99Ms ? fmt(row.metricsP99Ms, 'ms') : '—'} |`,
      );
    }
    lines.push('');
  }

  // --- the live stream and the dashboard ---
  lines.push('## The live stream and the dashboard');
  lines.push('');
  if (!r.dashboard) {
    lines.push(`Not measured: ${r.skipped?.dashboard ?? 'not in this run'}.`);
    lines.push('');
  } else {
    const d = r.dashboard;
    lines.push(
      `An agent in the benchmark's process over ${d.containers} synthetic containers, sampling every ${fmt(d.intervalMs / 1000)} s: ${d.seconds} s with no page open, then ${d.seconds} s with one dashboard open in headless Chromium (showing a container's charts), then ${d.seconds} s with ${d.pages} open. Agent CPU is this process's CPU (every thread; Chromium runs in processes of its own) as % of one core. Sweep to browser is the time from the end of a sweep (its \`timestamp\` + \`durationMs\`) to the page having applied it (same machine, same clock), over every page and sweep; page script is the page's own time per sweep (\`performance.measure\`); long tasks are Chromium's \`longtask\` entries (over 50 ms) while the pages update. With ${d.pages} renderer processes on this machine's ${r.machine?.cores} cores, a page's task also waits for the others.`,
    );
    lines.push('');
    lines.push(
      '| pages | agent CPU | sweep to browser (median / p99) | page script per sweep (median / max) | long tasks > 50 ms (longest) | subscribers cut off |',
    );
    lines.push('|---|---|---|---|---|---|');
    lines.push(`| 0 | ${fmt(d.agentCpuPercentNoPages, '%')} | — | — | — | — |`);
    for (const row of [d.onePage, d.manyPages]) {
      lines.push(
        `| ${row.pages} | ${fmt(row.agentCpuPercent, '%')} | ${fmt(row.sweepToBrowserMsMedian, 'ms')} / ${fmt(row.sweepToBrowserMsP99, 'ms')} | ${fmt(row.pageScriptMsPerSweepMedian, 'ms')} / ${fmt(row.pageScriptMsPerSweepMax, 'ms')} | ${row.longTasksOver50Ms} (${fmt(row.longestTaskMs, 'ms')}) | ${row.droppedSlow} |`,
      );
    }
    lines.push('');
    lines.push(
      `The agent's CPU per open dashboard: ${fmt(d.agentCpuPercentPerPage, '%')} of a core (the ${d.pages}-page figure less the no-page one, over ${d.pages}). Sampling the containers costs the same with or without pages; what the stream adds (one message rendered per sweep, written to each page) is below what ${d.seconds}-second windows on a shared machine can tell apart, so this figure can come out negative.`,
    );
    lines.push('');
  }

  lines.push('## Method');
  lines.push('');
  lines.push(
    `- **Floor** (\`bench/baseline.c\`, compiled by the run with \`cc -O2\`): for the exact paths ctrstat reads (recorded from its calls into the native addon during one read of the same containers), (a) \`open\` + \`read\` (to a short read, which ends a regenerated cgroup or proc file, as in ctrstat) + \`close\` of every file; (b) \`pread\` at offset 0 on descriptors opened beforehand (cgroup files regenerate on every read); (c) on one thread, for every container: open + fstat \`/proc/<pid>/ns/net\`, \`setns\`, a \`NETLINK_ROUTE\` socket, \`setns\` back, an \`RTM_GETLINK\` dump to \`NLMSG_DONE\` reading \`IFLA_STATS64\`; (d) the dump alone on sockets kept per namespace. Medians over ${r.config.baselineIterations} passes (network ${r.config.baselineNetIterations}) after a warm-up pass (at scale, at most ${fmt(r.config.scaleBaselineFileReads)} file reads and ${fmt(r.config.scaleBaselineNetDumps)} dumps in all, and at least 5 and 3 passes); per-container figures divide a pass by the containers in it.`,
  );
  lines.push(
    `- **ctrstat**: the built package (\`dist/index.js\`) with its native addon. Each way of reading is timed ${r.config.ctrstatRounds} times (sweeps ${r.config.sweepRounds}) after a warm-up call; medians. CPU time is \`process.cpuUsage()\` (every thread of the process, the addon's included).`,
  );
  lines.push(
    `- **Docker**: requests over \`/var/run/docker.sock\` with \`node:http\` (keep-alive agent), dockerode 5.0.1 and systeminformation 5.33.23; ${r.config.dockerSlowRounds} round(s) for the \`stream=false\` kinds (each takes about two daemon collection cycles) and ${r.config.dockerFastRounds} for \`one-shot=true\`, after one warm-up request. systeminformation's \`dockerContainerStats\` inspects and then asks \`stats?stream=0\` for every id.${r.config.quick ? ' The quick run times the HTTP kinds only.' : ''}`,
  );
  lines.push(
    '- **Synthetic containers** (`bench/spawn.c`): for each one a cgroup `<prefix>-bench/ctb-<i>` (prefix `ctb` unless `CTRSTAT_BENCH_PREFIX` says otherwise) in every v1 controller (memory, cpu, cpuacct, blkio, pids, cpuset) and in the unified hierarchy, holding one sleeping process that entered a new network namespace with loopback up and an extra interface `d0` (a dummy, or a veth pair inside the namespace where the kernel has no dummy driver). They are synthetic: no runtime made them; the sampler gets them as `ResolvedContainer` objects (runtime `cgroup`) built by the bench, the monitor as `{ cgroup }` references, so discovery never lists them as containers. They are removed at the end of the run (also on failure and on SIGINT/SIGTERM; `npm run bench -- --cleanup` removes leftovers), as are the `<prefix>-bench-<i>` Docker containers.',
  );
  lines.push(
    '- Sampler sweeps for the scale table run back to back (the next starts on `setImmediate` after the last answer) for at least ' +
      `${r.config.scaleMinSweeps} sweeps and ${fmt(r.config.scaleMinSweepMs / 1000)} s; monitor sweeps at 1 Hz after two warm-up ones: ${r.config.scaleMonitorCpuSweeps} for the CPU (the census of shared network namespaces is taken again every 10 s, so ten sweeps count it once), then ${r.config.scaleMonitorDelaySweeps} for the event-loop delay${r.config.scaleMonitorDelayFrom > 0 ? ` (at ${fmt(r.config.scaleMonitorDelayFrom)} containers and more only)` : ''}; "CPU at 1 Hz" is CPU time per monitor sweep ÷ 1 s.`,
  );
  lines.push('');
  const notes = [...(r.notes ?? [])];
  // Why the event-loop target is missed where it is: a pause of the collector alone is longer than the target.
  for (const row of (r.scale ?? []).filter((x) => !x.error && x.gc && x.eventLoopP99Ms > 5)) {
    const longest = Object.entries(row.gc.byKind ?? {}).sort((a, b) => b[1].maxMs - a[1].maxMs)[0];
    if (longest && longest[1].maxMs >= 5)
      notes.push(
        `scale ${row.containers}: the event loop's p99 (${fmt(row.eventLoopP99Ms, 'ms')}) is above the target, and one garbage-collection pause alone is longer than the target: ${fmt(row.gc.perSweep.count)} pause(s) per sweep, ${fmt(row.gc.perSweep.totalMs, 'ms')} in all, the longest ${fmt(longest[1].maxMs, 'ms')} (${longest[0]}); a sweep's samples are alive while the next chunks of it are built, so the young generation's collections copy them`,
      );
  }
  if (r.syntheticSetupMs !== undefined)
    notes.push(
      `synthetic setup took ${fmt(r.syntheticSetupMs, 'ms')} in all${r.cleanup?.syntheticTeardownMs !== undefined ? `, teardown ${fmt(r.cleanup.syntheticTeardownMs, 'ms')}` : ''}`,
    );
  const skipped = Object.entries(r.skipped ?? {});
  if (notes.length || skipped.length) {
    lines.push('## Notes');
    lines.push('');
    for (const note of notes) lines.push(`- ${note}`);
    for (const [what, why] of skipped) lines.push(`- Not run (${what}): ${why}`);
    lines.push('');
  }
  return lines.join('\n');
}
