import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests share one Docker engine and fixed port ranges: run files one by one.
    fileParallelism: false,
    pool: 'forks'
  }
})
