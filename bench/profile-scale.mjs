// Not part of the benchmark: a monitor over N synthetic containers at 1 Hz, for profiling
// (node --cpu-prof bench/profile-scale.mjs N SWEEPS [hold]). Prints the event loop's stalls over 5 ms and the
// young-generation GC pauses (node --trace-gc-nvp for what each one copied and promoted). With `hold` the
// listener keeps each sweep until the next one, as an agent keeps the last answer: a sample then outlives two
// young-generation collections and is promoted.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { SyntheticContainers, syntheticLayout } from './synthetic.mjs';
import * as lib from '../dist/index.js';
const n = Number(process.argv[2] ?? 1000);
const sweeps = Number(process.argv[3] ?? 15);
const hold = process.argv[4] === 'hold';
const synthetic = new SyntheticContainers(syntheticLayout());
synthetic.start();
await synthetic.up(n);
const refs = synthetic.targets(n).map((t) => ({ cgroup: t.cgroup.path }));
// As many kept descriptors as the open-file limit allows after a socket per namespace (the default, half the
// limit, keeps only about half of 1 000 containers' files open, and the rest are opened every sweep).
const openFiles = Number(
  readFileSync('/proc/self/limits', 'latin1')
    .split('\n')
    .find((line) => line.startsWith('Max open files'))
    ?.split(/\s+/)[3],
);
const maxFds = Math.max(0, openFiles - n - 1024);
const monitor = lib.createMonitor({ interval: 1000, network: true, keepFds: true, maxFds, containers: refs });
let last = performance.now();
const stalls = [];
const tick = setInterval(() => {
  const now = performance.now();
  if (now - last > 6) stalls.push(Math.round(now - last - 1));
  last = now;
}, 1);
const scavenges = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(entry.duration);
});
let seen = 0;
let held = null;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let cpu0 = 0;
await new Promise((resolve) =>
  monitor.on('sweep', (sweep) => {
    seen++;
    if (hold) held = sweep;
    if (seen === 3) {
      cpu0 = cpu();
      stalls.length = 0;
      gcObserver.observe({ entryTypes: ['gc'] });
    }
    if (seen === sweeps) resolve();
  }),
);
console.log(
  'kept descriptors at most',
  maxFds,
  'cpu ms per sweep (with 1 ms ticker)',
  ((cpu() - cpu0) / (sweeps - 3)).toFixed(1),
  'stalls >5ms',
  stalls
    .sort((a, b) => b - a)
    .slice(0, 30)
    .join(' '),
  'count',
  stalls.length,
  hold ? `(each sweep held until the next: ${held.samples.length} samples)` : '',
);
gcObserver.disconnect();
const sorted = scavenges.sort((a, b) => a - b);
console.log(
  'scavenges',
  sorted.length,
  'median ms',
  (sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1),
  'max ms',
  (sorted.at(-1) ?? 0).toFixed(1),
);
clearInterval(tick);
await monitor.close();
await synthetic.down();
