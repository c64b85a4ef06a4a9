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

/**
 * Suites run a third time with their stores in PostgreSQL (STATION_TEST_STORE=postgres: every home the helpers make,
 * and the runner rig, keeps its store in a schema of its own on the local server): what runs, records and serves.
 */
const ON_POSTGRES = [
  'test/core/store/**/*.test.ts',
  'test/core/runner/**/*.test.ts',
  'test/core/server/**/*.test.ts',
  'test/core/api/**/*.test.ts',
  'test/core/webhooks/**/*.test.ts',
  'test/core/scheduler/**/*.test.ts',
  'test/core/agents/**/*.test.ts',
  'test/core/security/audit-log.test.ts',
  'test/core/security/key-service.test.ts',
  'test/core/security/secret-service.test.ts',
  'test/commands/agent-run.test.ts',
  'test/commands/key/import.test.ts',
  'test/tui/local-client.test.ts',
];
/** Of those, the ones that are about SQLite itself, or a scale figure of the feed (10 000 runs) kept to SQLite. */
const NOT_ON_POSTGRES = [
  'test/core/store/store-contract.test.ts',
  'test/core/store/run-prune.test.ts',
  'test/core/store/locked-database.test.ts',
  'test/core/store/migrations.test.ts',
  'test/core/store/original-*.test.ts',
  'test/core/runner/run-feed.test.ts',
  'test/core/runner/shared-queue.test.ts',
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
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ON_POSTGRES,
          exclude: NOT_ON_POSTGRES,
          env: { STATION_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
