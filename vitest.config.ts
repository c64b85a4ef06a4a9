import { defineConfig } from 'vitest/config';

/**
 * Suites run a second time on an encrypted station.db (STATION_TEST_ENCRYPT_DB=1: every home the helpers make,
 * and the runner rig, is encrypted): the runner, the server, and the TUI following runs of other processes.
 */
const ON_ENCRYPTED_DB = [
  'test/core/runner/**/*.test.ts',
  'test/core/server/**/*.test.ts',
  'test/tui/runs.test.tsx',
  'test/tui/local-client.test.ts',
  'test/tui/big-trace.test.tsx',
  'test/helpers/encrypt-switch.test.ts',
];

export default defineConfig({
  test: {
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
    projects: [
      { extends: true, test: { name: 'station', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'] } },
      {
        extends: true,
        test: { name: 'encrypted-db', include: ON_ENCRYPTED_DB, env: { STATION_TEST_ENCRYPT_DB: '1' } },
      },
    ],
  },
});
