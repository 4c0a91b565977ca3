import { defineConfig } from 'vitest/config';

// The live cgroup v2 tier. It only makes sense inside the VM that scripts/cgroup2-vm/run-tests.sh
// boots (pure cgroup v2, dockerd, podman); `npm run test:cgroup2` runs it there.
export default defineConfig({
  test: {
    include: ['test/cgroup2/**/*.test.ts'],
    globalSetup: ['test/cgroup2/global-setup.ts'],
    pool: 'forks',
    // One kernel, one set of workloads: files run one after another. The VM emulates its CPU
    // (roughly 10x slower than the host), hence the generous timeouts.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
  },
});
