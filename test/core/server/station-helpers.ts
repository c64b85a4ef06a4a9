// A full `stn serve` in this process (startStation over a real engine): a temp home whose default
// environment runs the filesystem MCP server from node_modules (never npx), the test model server as
// the model endpoint, and one API key per role.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { vi } from 'vitest';
import { ApiClient, openEngine, type Engine, type RunDetail } from '../../../src/core/index.js';
import { startStation, type RunningStation, type ServeOptions } from '../../../src/core/server/serve.js';
import { rawHttp, type ApiRequestOptions, type ApiResponse } from './raw-http.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../helpers/model-server.js';

const require = createRequire(import.meta.url);

export function filesystemServerEntry(): string {
  return join(dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')), 'dist', 'index.js');
}

/** Points the default environment's filesystem server at the package in node_modules. */
export function pointAtLocalFilesystemServer(temp: TempHome, root: string): void {
  writeFileSync(
    join(temp.home, 'environments', 'default', 'template.json'),
    JSON.stringify(
      { mcpServers: { filesystem: { command: process.execPath, args: [filesystemServerEntry(), root] } } },
      null,
      2,
    ),
  );
}

export interface Station {
  temp: TempHome;
  engine: Engine;
  running: RunningStation;
  model: ModelServer;
  url: string;
  logs: string[];
  /** A folder the filesystem server serves. */
  files: string;
  keys: { admin: string; user: string; viewer: string; userOther: string; viewerOther: string; revoked: string };
  /** The API client with the admin key (`api.withKey(key)` for another). */
  api: ApiClient;
  /** Raw HTTP, for tests of the HTTP itself (status codes, headers, malformed bodies). */
  raw(method: string, path: string, options?: ApiRequestOptions): Promise<ApiResponse>;
  /** Waits until the run has finished and returns it with its events. */
  waitRun(id: number, timeoutMs?: number): Promise<RunDetail>;
  stop(): Promise<void>;
}

export async function startStationForTest(
  options: {
    config?: string;
    /** Changes the config.yaml init wrote (keeping its store setting), after `config` if both are given. */
    editConfig?: (yaml: string) => string;
    model?: ModelServerOptions;
    environments?: string[];
    /** When the server's retention pass runs. */
    retention?: ServeOptions['retention'];
  } = {},
): Promise<Station> {
  const temp = makeInitializedHome();
  const files = join(temp.home, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'README.md'), '# Test project\n');
  pointAtLocalFilesystemServer(temp, files);
  if (options.config !== undefined) writeFileSync(join(temp.home, 'config.yaml'), options.config);
  if (options.editConfig !== undefined) {
    writeFileSync(temp.paths.config, options.editConfig(readFileSync(temp.paths.config, 'utf8')));
  }
  const model = await startModelServer(options.model ?? { fallback: { text: 'Hello from the test model.' } });
  const engine = openEngine({
    home: temp.home,
    env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test-model-key' },
  });
  for (const env of options.environments ?? ['other']) engine.environments.create(env);
  const keys = {
    admin: engine.keys.create({ name: 'admin', role: 'admin' }).key,
    user: engine.keys.create({ name: 'user', role: 'user', environments: ['default'] }).key,
    viewer: engine.keys.create({ name: 'viewer', role: 'viewer', environments: ['default'] }).key,
    userOther: engine.keys.create({ name: 'user-other', role: 'user', environments: ['other'] }).key,
    viewerOther: engine.keys.create({ name: 'viewer-other', role: 'viewer', environments: ['other'] }).key,
    revoked: engine.keys.create({ name: 'revoked', role: 'admin' }).key,
  };
  engine.keys.revoke('revoked');
  const logs: string[] = [];
  const running = await startStation(engine, {
    host: '127.0.0.1',
    port: 0,
    writeLog: (l) => logs.push(l),
    logLevel: 'debug',
    graceMs: 2000,
    ...(options.retention === undefined ? {} : { retention: options.retention }),
  });
  const api = new ApiClient({ url: running.url, key: keys.admin });
  return {
    temp,
    engine,
    running,
    model,
    url: running.url,
    logs,
    files,
    keys,
    api,
    raw: rawHttp(
      () => running.url,
      () => keys.admin,
    ),
    waitRun: (id, timeoutMs = 20_000) =>
      vi.waitFor(
        async () => {
          const run = await api.getRun(id);
          if (['queued', 'running'].includes(run.status)) throw new Error(`run ${String(id)} still ${run.status}`);
          return run;
        },
        { timeout: timeoutMs, interval: 25 },
      ),
    async stop() {
      await running.close();
      await engine.close();
      await model.close();
      temp.cleanup();
    },
  };
}
