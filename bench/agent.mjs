// The agent (`ctrstat/agent`) over synthetic containers: how long /metrics and /containers/usage take to
// render at 100 and 1 000 containers (and how long the event loop is held meanwhile), what a Prometheus
// scrape every 15 s adds to the CPU of 1 Hz sampling, and /metrics requests per second and p99 latency
// under wrk at 100 containers.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median, nowMs, processCpuMs, repoDir } from './util.mjs';

const REPORTER = join(repoDir, 'bench/wrk-report.lua');
const INTERVAL_MS = 1000;
/** Prometheus's default scrape interval, as the overhead target states it. */
const SCRAPE_EVERY_S = 15;

function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: nowMs() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

function nextSweep(monitor) {
  return new Promise((resolve) => monitor.once('sweep', resolve));
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function wrk(url, { connections, seconds, headers }) {
  const args = ['-s', REPORTER, '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  return new Promise((resolve, reject) => {
    execFile('wrk', [...args, url], { timeout: (seconds + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrk: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

/**
 * The first request after a sweep renders that sweep's answer; the next is served from it. Both are timed
 * `rounds` times (one per sweep), with the event loop's longest delay over the rendering request.
 */
async function renderTimes(agent, url, rounds) {
  const out = {
    metricsFirstMs: [],
    metricsCachedMs: [],
    usageFirstMs: [],
    usageCachedMs: [],
    loopMaxMs: [],
    metricsBytes: 0,
  };
  for (let round = 0; round < rounds; round++) {
    const sweep = await nextSweep(agent.monitor);
    const stamp = String(sweep.timestamp / 1000);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    // The snapshot follows the sweep once the host's figures are read: ask until the answer is this sweep's.
    let first;
    for (;;) {
      first = await get(`${url}metrics`);
      if (first.body.includes(stamp)) break;
      await wait(5);
    }
    const usage = await get(`${url}containers/usage`);
    histogram.disable();
    out.metricsFirstMs.push(first.ms);
    out.usageFirstMs.push(usage.ms);
    out.loopMaxMs.push(Math.max(0, histogram.max / 1e6 - 1));
    out.metricsCachedMs.push((await get(`${url}metrics`)).ms);
    out.usageCachedMs.push((await get(`${url}containers/usage`)).ms);
    out.metricsBytes = first.body.length;
    out.containersInUsage = Object.keys(JSON.parse(usage.body.toString())).length;
  }
  return {
    metricsRenderMs: median(out.metricsFirstMs),
    metricsCachedMs: median(out.metricsCachedMs),
    usageRenderMs: median(out.usageFirstMs),
    usageCachedMs: median(out.usageCachedMs),
    eventLoopMaxDuringRenderMs: Math.max(...out.loopMaxMs),
    metricsBytes: out.metricsBytes,
    containersInUsage: out.containersInUsage,
  };
}

/**
 * CPU of sampling alone against the CPU a scrape adds: each scrape (gzip, as Prometheus asks) is made
 * just after a sweep so that it overlaps none, and its CPU (every thread of the process) is taken over
 * the request. The overhead is that CPU once per 15 s over the monitor's CPU in 15 s.
 */
async function scrapeOverhead(agent, url, sweeps) {
  await nextSweep(agent.monitor);
  const sweepCpu = [];
  const scrapeCpu = [];
  for (let i = 0; i < sweeps; i++) {
    const cpu0 = processCpuMs();
    await nextSweep(agent.monitor);
    const cpu1 = processCpuMs();
    sweepCpu.push(cpu1 - cpu0);
    // A fresh snapshot each time: the scrape renders and compresses it.
    await wait(100);
    const before = processCpuMs();
    const reply = await get(`${url}metrics`, { 'Accept-Encoding': 'gzip' });
    if (reply.status !== 200) throw new Error(`scrape: HTTP ${reply.status}`);
    scrapeCpu.push(processCpuMs() - before);
  }
  // Each sweep window starts after the previous scrape ended and holds one whole sweep: sampling alone.
  const monitorCpuPerSecondMs = (median(sweepCpu) * 1000) / INTERVAL_MS;
  const scrapeCpuMs = median(scrapeCpu);
  return {
    monitorCpuPercent: monitorCpuPerSecondMs / 10,
    scrapeCpuMs,
    scrapeCpuOverheadRatio: scrapeCpuMs / (monitorCpuPerSecondMs * SCRAPE_EVERY_S),
  };
}

export async function measureAgent({ synthetic, quick, log }) {
  const { createAgent } = await import(pathToFileURL(join(repoDir, 'dist/agent.js')).href);
  const rounds = quick ? 3 : 8;
  const out = { intervalMs: INTERVAL_MS, scrapeEverySeconds: SCRAPE_EVERY_S, byContainers: [] };
  for (const n of [100, 1000]) {
    await synthetic.up(n);
    const refs = synthetic.targets(n).map((target) => ({ cgroup: target.cgroup.path }));
    const agent = createAgent({ listen: '127.0.0.1:0', interval: INTERVAL_MS, containers: refs });
    try {
      const { url } = await agent.listen();
      // Two sweeps: the second has rates.
      await nextSweep(agent.monitor);
      await nextSweep(agent.monitor);
      const row = { containers: n, ...(await renderTimes(agent, url, rounds)) };
      if (row.containersInUsage !== n)
        throw new Error(`/containers/usage holds ${row.containersInUsage} of ${n} containers`);
      Object.assign(row, await scrapeOverhead(agent, url, rounds));
      if (n === 100) {
        const seconds = quick ? 3 : 10;
        const load = await wrk(`${url}metrics`, { connections: 8, seconds, headers: { 'Accept-Encoding': 'gzip' } });
        const errors = Object.values(load.errors).reduce((a, b) => a + b, 0);
        if (errors > 0) throw new Error(`wrk: ${JSON.stringify(load.errors)}`);
        row.wrk = { connections: 8, seconds, requests: load.requests };
        row.metricsRps = load.requests / (load.durationUs / 1e6);
        row.metricsP99Ms = load.latencyUs.p99 / 1000;
      }
      log(
        `agent at ${n}: /metrics render ${row.metricsRenderMs.toFixed(1)} ms (cached ${row.metricsCachedMs.toFixed(2)} ms, ${(row.metricsBytes / 1024).toFixed(0)} KiB), /containers/usage ${row.usageRenderMs.toFixed(1)} ms, loop max ${row.eventLoopMaxDuringRenderMs.toFixed(1)} ms, scrape CPU ${row.scrapeCpuMs.toFixed(1)} ms = ${(row.scrapeCpuOverheadRatio * 100).toFixed(2)} % of 15 s of sampling${row.metricsRps ? `, ${row.metricsRps.toFixed(0)} req/s p99 ${row.metricsP99Ms.toFixed(1)} ms` : ''}`,
      );
      out.byContainers.push(row);
    } finally {
      await agent.close();
    }
  }
  const at = (n) => out.byContainers.find((row) => row.containers === n);
  out.metricsRenderMsAt1000 = at(1000).metricsRenderMs;
  out.scrapeCpuOverheadRatio = at(1000).scrapeCpuOverheadRatio;
  out.metricsRps = at(100).metricsRps;
  out.metricsP99Ms = at(100).metricsP99Ms;
  return out;
}
