import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Many tests wait on child processes and sockets rather than the CPU: three files at a
    // time halve the suite's wall time on two cores (vitest's default there is one).
    maxWorkers: 3,
    // Time limits only catch hangs; CLI-spawning tests run slower beside two other files.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/helpers/require-assertions.ts'],
  },
})
