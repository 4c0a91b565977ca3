// The live stream and the dashboard under load: an agent sampling 100 synthetic containers at 1 Hz, with
// no page open and then with 10 dashboards open in Debian's Chromium (one of them showing a container's
// charts). Measured: the agent's CPU in both states (its process only: Chromium runs in processes of its
// own), the sweep-to-browser latency (from the end of a sweep to the page having drawn it, same clock),
// and the browser's long tasks (over 50 ms) while the pages update.
//
//   node bench/dashboard.mjs [--containers 100] [--pages 10] [--seconds 20]
/* global window, document, MutationObserver, PerformanceObserver */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, processCpuMs, repoDir, sleep } from './util.mjs';

const INTERVAL_MS = 1000;

function chromiumPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Installed in each page: the latency of every sweep drawn, and every long task, from now on. */
function recordInPage() {
  const state = { latencies: [], longTasks: [], scriptMs: [] };
  performance.clearMeasures('ctrstat:sweep');
  window.__bench = state;
  new MutationObserver(() => state.latencies.push(Number(document.body.dataset.latencyMs))).observe(document.body, {
    attributes: true,
    attributeFilter: ['data-sweeps'],
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) state.longTasks.push(entry.duration);
  }).observe({ type: 'longtask' });
}

/** The agent's CPU (this process) over `seconds`, as % of one core. */
async function cpuPercentOver(seconds) {
  const before = processCpuMs();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return ((processCpuMs() - before) / (performance.now() - t0)) * 100;
}

/** One measuring window over the pages open: the agent's CPU, and what each page recorded meanwhile. */
async function window_(pages, seconds, agent) {
  await Promise.all(pages.map((page) => page.evaluate(recordInPage)));
  const agentCpuPercent = await cpuPercentOver(seconds);
  const recorded = await Promise.all(
    pages.map((page) =>
      page.evaluate(() => ({
        ...window.__bench,
        scriptMs: performance.getEntriesByName('ctrstat:sweep').map((entry) => entry.duration),
      })),
    ),
  );
  const latencies = recorded.flatMap((r) => r.latencies).filter((v) => Number.isFinite(v));
  const longTasks = recorded.flatMap((r) => r.longTasks);
  const scriptMs = recorded.flatMap((r) => r.scriptMs);
  const counts = agent.streamCounts();
  return {
    pages: pages.length,
    agentCpuPercent,
    sweepToBrowserMsMedian: median(latencies),
    sweepToBrowserMsP99: percentile(latencies, 99),
    sweepsDrawn: latencies.length,
    pageScriptMsPerSweepMedian: median(scriptMs),
    pageScriptMsPerSweepMax: scriptMs.length === 0 ? null : Math.max(...scriptMs),
    longTasksOver50Ms: longTasks.length,
    longestTaskMs: longTasks.length === 0 ? 0 : Math.max(...longTasks),
    subscribers: counts.subscribers,
    droppedSlow: counts.droppedSlow,
  };
}

export async function measureDashboard({
  synthetic,
  containers = 100,
  pages = 10,
  seconds = 20,
  settleSweeps = 2,
  log,
}) {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error('chromium is not installed (scripts/setup-machine.sh installs it)');
  const { chromium } = await import('playwright-core');
  const { createAgent } = await import(pathToFileURL(join(repoDir, 'dist/agent.js')).href);
  await synthetic.up(containers);
  const refs = synthetic.targets(containers).map((target) => ({ cgroup: target.cgroup.path }));
  const agent = createAgent({ listen: '127.0.0.1:0', interval: INTERVAL_MS, containers: refs });
  let browser = null;
  try {
    const { url } = await agent.listen();
    await new Promise((resolve) => agent.monitor.once('sweep', resolve));
    const idleCpuPercent = await cpuPercentOver(seconds);

    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const opened = [];
    const open = async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(url);
      await page.waitForFunction(
        (n) => document.querySelectorAll('#containers > tbody > tr').length === n,
        containers,
        {
          timeout: 60_000,
        },
      );
      opened.push(page);
      return page;
    };
    // One page with a container's charts open, then the others beside it.
    const first = await open();
    await first.locator('#containers > tbody > tr button.open').first().click();
    await sleep(settleSweeps * INTERVAL_MS);
    const onePage = await window_(opened, seconds, agent);
    // The others at once: each waits for the stream's next sweep to fill its table.
    await Promise.all(Array.from({ length: pages - opened.length }, open));
    await sleep(settleSweeps * INTERVAL_MS);
    const manyPages = await window_(opened, seconds, agent);
    const result = {
      containers,
      pages,
      seconds,
      intervalMs: INTERVAL_MS,
      agentCpuPercentNoPages: idleCpuPercent,
      agentCpuPercentWithPages: manyPages.agentCpuPercent,
      agentCpuPercentPerPage: (manyPages.agentCpuPercent - idleCpuPercent) / pages,
      onePage,
      manyPages,
    };
    for (const row of [onePage, manyPages]) {
      log?.(
        `dashboard, ${row.pages} page(s) at ${containers} containers: agent CPU ${row.agentCpuPercent.toFixed(2)} % (${idleCpuPercent.toFixed(2)} % with none); sweep to browser median ${row.sweepToBrowserMsMedian} ms, p99 ${row.sweepToBrowserMsP99} ms over ${row.sweepsDrawn} sweeps drawn; page script per sweep median ${row.pageScriptMsPerSweepMedian?.toFixed(1)} ms (max ${row.pageScriptMsPerSweepMax?.toFixed(1)}); long tasks over 50 ms: ${row.longTasksOver50Ms} (longest ${row.longestTaskMs.toFixed(0)} ms)`,
      );
    }
    return result;
  } finally {
    await browser?.close();
    await agent.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { SyntheticContainers, syntheticLayout } = await import('./synthetic.mjs');
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const layout = syntheticLayout();
  if (layout.error) throw new Error(layout.error);
  const synthetic = new SyntheticContainers(layout);
  synthetic.start();
  try {
    const result = await measureDashboard({
      synthetic,
      containers: arg('--containers', 100),
      pages: arg('--pages', 10),
      seconds: arg('--seconds', 20),
      log: (m) => process.stderr.write(`${m}\n`),
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await synthetic.down();
  }
}
