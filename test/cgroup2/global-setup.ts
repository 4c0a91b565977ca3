// Starts the workloads once per run (one VM boot) and hands their descriptions to the test files.
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startScenarios, stopScenarios, type Scenarios } from './scenarios.js';

declare module 'vitest' {
  export interface ProvidedContext {
    scenarios: Scenarios;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.CTRSTAT_VM !== '1') {
    throw new Error(
      'the cgroup v2 tier runs inside its VM: use `npm run test:cgroup2` (scripts/cgroup2-vm/run-tests.sh)',
    );
  }
  const t0 = Date.now();
  const scenarios = await startScenarios();
  const mem = readFileSync('/proc/meminfo', 'utf8').match(/MemAvailable:\s+(\d+)/)?.[1];
  console.log(
    `[scenarios] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s ${JSON.stringify(scenarios.timings)}; MemAvailable ${mem} kB`,
  );
  project.provide('scenarios', scenarios);
  return async () => {
    await stopScenarios();
  };
}
