import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // TUI tests fail on any React or Ink warning printed while they run.
    setupFiles: ['test/tui/helpers/no-react-warnings.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores here: integration tests start real MCP servers and child processes.
    maxWorkers: 2,
    // CI also writes a JSON report (STATION_TEST_REPORT) from which .ci/run prints a plain closing line.
    reporters: process.env.STATION_TEST_REPORT
      ? ['default', ['json', { outputFile: process.env.STATION_TEST_REPORT }]]
      : ['default'],
  },
});
