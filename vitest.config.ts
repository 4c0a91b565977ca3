import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/package/**/*.test.ts',
      'test/agent/**/*.test.ts',
    ],
    pool: 'forks',
    // Integration tests share one Docker engine and one kernel: run files one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
