// Load on loopback (wrk, bounded to a few seconds): /metrics and /containers/usage under concurrent
// clients while the monitor keeps sweeping on schedule, every request answered 200.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../lib/agent/index.js';
import { httpRequest, pollUntil } from '../helpers/agent.js';
import { ensureTestImage, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { requireCommand, requireDocker, requireRoot } from '../helpers/env.js';

const ready = requireRoot() && requireDocker() && requireCommand('wrk');
const REPORTER = join(import.meta.dirname, '../../bench/wrk-report.lua');
const INTERVAL_MS = 500;
const LOAD_SECONDS = 4;

interface WrkReport {
  requests: number;
  durationUs: number;
  errors: Record<'connect' | 'read' | 'write' | 'status' | 'timeout', number>;
  latencyUs: { p50: number; p99: number; max: number };
}

function wrk(url: string, connections: number): Promise<WrkReport> {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-s', REPORTER, '-t1', `-c${connections}`, `-d${LOAD_SECONDS}s`, '--timeout', '5s', url],
      { timeout: (LOAD_SECONDS + 20) * 1000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`wrk failed: ${stderr || error.message}`));
          return;
        }
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as WrkReport);
        } catch {
          reject(new Error(`wrk printed no report: ${stdout}`));
        }
      },
    );
  });
}

describe.skipIf(!ready)('the agent under load', () => {
  const containers = withContainers('ctm-agent-load-');
  let agent: Agent;
  let url: string;

  beforeAll(async () => {
    await ensureTestImage();
    for (const i of [1, 2, 3]) await containers.run(['--name', containers.name(`c${i}`), TEST_IMAGE, 'sleep', '3600']);
    agent = createAgent({ listen: '127.0.0.1:0', interval: INTERVAL_MS });
    url = (await agent.listen()).url;
    await pollUntil(
      async () => ((await httpRequest(`${url}healthz`)).status === 200 ? true : undefined),
      30_000,
      'healthz 200',
    );
  });

  afterAll(async () => {
    await agent?.close();
    await containers.removeAll();
  });

  it('serves /metrics and /containers/usage to 16 connections while sweeps stay on schedule', async () => {
    const sweepTimes: number[] = [];
    const onSweep = () => sweepTimes.push(performance.now());
    agent.monitor.on('sweep', onSweep);
    const started = performance.now();
    const [metrics, usage] = await Promise.all([wrk(`${url}metrics`, 8), wrk(`${url}containers/usage`, 8)]);
    const ended = performance.now();
    agent.monitor.off('sweep', onSweep);

    for (const [what, report] of [
      ['/metrics', metrics],
      ['/containers/usage', usage],
    ] as const) {
      expect(report.requests, what).toBeGreaterThan(100);
      // Non-2xx answers and socket errors alike.
      expect(report.errors, what).toEqual({ connect: 0, read: 0, write: 0, status: 0, timeout: 0 });
    }
    // Sampling went on at its interval: no gap between sweeps (or before the first, after the last) of
    // more than one interval past the one due.
    const marks = [started, ...sweepTimes, ended];
    const gaps = marks.slice(1).map((t, i) => t - marks[i]!);
    expect(sweepTimes.length).toBeGreaterThanOrEqual(Math.floor((LOAD_SECONDS * 1000) / INTERVAL_MS) - 2);
    expect(Math.max(...gaps), `gaps between sweeps: ${gaps.map(Math.round).join(', ')} ms`).toBeLessThanOrEqual(
      2 * INTERVAL_MS,
    );
    expect((await httpRequest(`${url}healthz`)).status).toBe(200);
  });
});
