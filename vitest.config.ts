import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'emulators/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/chaos/run.ts'],
    // hang guards only, so generous: on two loaded cores (often beside another suite) a heavy test
    // takes minutes; tests wait for what they need by polling, never by a guess at how long it takes
    testTimeout: 600_000,
    hookTimeout: 600_000,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // two cores: one test file per core keeps PostgreSQL and the emulators from starving each other
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
})
