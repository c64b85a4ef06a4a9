// A test rig for the runner: a real SQLite file, the test model server, and real MCP servers
// (server-filesystem on a temp folder, server-everything) in an McpPool.
import { RIG_TEST_KEY, TEST_ENCRYPT_DB } from '../../helpers/home.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpServerConfig } from '../../../src/core/config/mcp-config.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { RunEvent } from '../../../src/core/events/run-events.js';
import { McpPool } from '../../../src/core/mcp/pool.js';
import { ModelClient } from '../../../src/core/model/model-client.js';
import { agentToolProvider } from '../../../src/core/runner/mcp-tools.js';
import { Runner, type PreparedRun, type RunnerOptions, type RunRequest } from '../../../src/core/runner/runner.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { openPostgres } from '../../../src/core/store/open-store.js';
import type { StoreDb } from '../../../src/core/store/store-db.js';
import { makePgSchema, rememberPgStore, TEST_ON_POSTGRES } from '../../helpers/stores.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

const require = createRequire(import.meta.url);

/** JS entry of an MCP server package from devDependencies (started with node, never npx). */
export function serverEntry(
  pkg: '@modelcontextprotocol/server-filesystem' | '@modelcontextprotocol/server-everything',
): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  return join(dirname(manifest), 'dist', 'index.js');
}

export const WIRE_TAP = fileURLToPath(new URL('./fixtures/mcp-wire-tap.mjs', import.meta.url));
const TINY_SERVER = fileURLToPath(new URL('../../fixtures/mcp/tiny-server.js', import.meta.url));

export function stdioServer(name: string, args: string[], cwd: string): McpServerConfig {
  return {
    name,
    file: 'test',
    timeoutMs: 20_000,
    disabled: false,
    transport: 'stdio',
    command: process.execPath,
    args,
    env: {},
    cwd,
  };
}

export interface Rig {
  dir: string;
  /** Folder served by the filesystem server. */
  files: string;
  db: StoreDb;
  repo: RunRepo;
  bus: EventBus;
  model: ModelServer;
  pool: McpPool;
  /** Every event published, in order. */
  events: RunEvent[];
  /** The tools/call wire log of the tapped server-everything (when `tap` was asked). */
  wireLog: string | undefined;
  runner(options?: Partial<RunnerOptions> & { plan?: Partial<PreparedRun> }): Runner;
  close(): Promise<void>;
}

export interface RigOptions {
  everything?: boolean;
  /** Put a wire tap in front of server-everything. */
  tap?: boolean;
  /** Add the tiny fixture server as "tiny" (defined in template.json), with these settings. */
  tiny?: Partial<McpServerConfig>;
}

export async function makeRig(options: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'station-runner-'));
  const files = join(dir, 'files');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(files);
  // STATION_TEST_ENCRYPT_DB=1: the same runs on an encrypted database (a fixed test key).
  const testKey = { key: RIG_TEST_KEY, source: { kind: 'env' as const, variable: 'STATION_ENCRYPTION_KEY' } };
  // STATION_TEST_STORE=postgres: on a PostgreSQL schema of its own.
  const schema = TEST_ON_POSTGRES ? makePgSchema() : undefined;
  if (schema !== undefined) rememberPgStore(dir, schema.url);
  const db =
    schema === undefined
      ? openDatabase(join(dir, 'station.db'), TEST_ENCRYPT_DB ? { encrypt: true, key: () => testKey } : {})
      : openPostgres(schema.url);
  const repo = new RunRepo(db);
  const bus = new EventBus();
  const events: RunEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const model = await startModelServer();
  const servers = [stdioServer('fs', [serverEntry('@modelcontextprotocol/server-filesystem'), files], dir)];
  const wireLog = options.tap === true ? join(dir, 'wire.log') : undefined;
  if (options.everything === true || wireLog !== undefined) {
    const everything = [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'];
    servers.push(
      stdioServer(
        'everything',
        wireLog === undefined ? everything : [WIRE_TAP, wireLog, '--', process.execPath, ...everything],
        dir,
      ),
    );
  }
  if (options.tiny !== undefined) {
    servers.push({
      ...stdioServer('tiny', [TINY_SERVER], dir),
      file: join(dir, 'template.json'),
      ...options.tiny,
    } as McpServerConfig);
  }
  const pool = await McpPool.start(servers, { guard: false });
  const runners: Runner[] = [];
  const client = new ModelClient({
    settings: { baseUrl: model.url, apiKey: 'sk-rig-secret-key', apiKeyVariable: 'OPENAI_API_KEY' },
    retryBaseMs: 1,
    retryMaxMs: 10,
  });
  return {
    dir,
    files,
    db,
    repo,
    bus,
    model,
    pool,
    events,
    wireLog,
    runner: (over = {}) => {
      const { plan, ...runnerOptions } = over;
      const prepare = (request: RunRequest): Promise<PreparedRun> =>
        Promise.resolve({
          agent: request.agent,
          environment: request.environment,
          input: request.input,
          model: request.model ?? 'test-model',
          messages: [
            { role: 'system', content: 'You are a test agent.' },
            { role: 'user', content: typeof request.input.userInput === 'string' ? request.input.userInput : 'go' },
          ],
          maxSteps: 10,
          timeoutMs: request.timeoutMs ?? 20_000,
          tools: ['fs__read_text_file', '__list_directory'],
          ...plan,
        });
      const runner = new Runner({
        repo,
        bus,
        prepare,
        resources: (run) => Promise.resolve({ model: client, tools: agentToolProvider(pool, run.tools, run.agent) }),
        workers: 2,
        queueSize: 10,
        maxToolResultBytes: 65_536,
        cancelPollMs: 50,
        ...runnerOptions,
      });
      runners.push(runner);
      return runner;
    },
    close: async () => {
      for (const r of runners) await r.shutdown({ graceMs: 0 });
      await pool.close();
      await model.close();
      db.close();
      schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The events of one run, by type. */
export function eventsOf(rig: Rig, runId: number, type?: RunEvent['type']): RunEvent[] {
  return rig.events.filter((e) => e.runId === runId && (type === undefined || e.type === type));
}
