// A real Station for screen tests: a temporary home (real SQLite), the default environment with
// server-filesystem (started with node from devDependencies) on a temp folder, an agent that lists a
// folder, the test model server, an open engine, its application layer and the local client; the TUI is
// rendered on it with renderTui (screen.tsx). Everything is closed by close(); no process is left behind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Application, openEngine, type Engine } from '../../../src/core/index.js';
import type { StationClient } from '../../../src/tui/client/station-client.js';
import { LocalClient } from '../../../src/tui/client/local-client.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../helpers/model-server.js';
import { packageEntry } from '../../core/mcp/helpers.js';
import { renderTui, type Screen } from './screen.js';

export const FILESYSTEM_SERVER = packageEntry('@modelcontextprotocol/server-filesystem');

/** An agent that lists a folder with the filesystem server; its input has a required path. */
export const LISTER_PROMPT = `---
metadata:
  name: lister
  description: Lists a folder and says what is in it.
model: test-model
max_steps: 5
tools:
  - filesystem__list_directory
input:
  schema:
    type: object
    properties:
      userInput:
        type: string
        description: what to look for
      path:
        type: string
        description: the folder to list
    required: [path]
---
{{role "system"}}
List {{path}} with the tool, then answer.

{{role "user"}}
{{userInput}}
`;

export interface TuiStation {
  home: TempHome;
  /** The folder the filesystem server serves (PROJECT_ROOT). */
  files: string;
  model: ModelServer;
  engine: Engine;
  /** The application layer of this process, which the client calls as the local user. */
  app: Application;
  client: LocalClient;
  /** Opens another engine on the same home: what another `stn` process would see and do. */
  otherProcess(): Engine;
  close(): Promise<void>;
}

export async function makeStation(modelOptions: ModelServerOptions = {}): Promise<TuiStation> {
  const home = makeInitializedHome();
  const files = join(home.home, 'project');
  mkdirSync(files, { recursive: true });
  for (const name of ['alpha.txt', 'beta.txt', 'gamma.md']) writeFileSync(join(files, name), `${name}\n`);
  const envDir = join(home.paths.environments, 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify(
      { mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, files] } } },
      null,
      2,
    ),
  );
  writeFileSync(join(envDir, 'agents', 'lister.prompt'), LISTER_PROMPT);
  const model = await startModelServer(modelOptions);
  const env = {
    ...process.env,
    STATION_HOME: home.home,
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: 'test-key',
    NO_COLOR: '1',
  };
  const engine = openEngine({ home: home.home, env });
  const app = new Application(engine);
  const client = new LocalClient(app, { pollMs: 50 });
  const others: Engine[] = [];
  return {
    home,
    files,
    model,
    engine,
    app,
    client,
    otherProcess: () => {
      const other = openEngine({ home: home.home, env });
      others.push(other);
      return other;
    },
    close: async () => {
      await client.close();
      for (const other of others) await other.close();
      await engine.close();
      await model.close();
      home.cleanup();
    },
  };
}

/**
 * For a describe block: opens a station and renders the TUI on it, and closes both after each test
 * (unmount, client, engines, model server, home).
 */
export function stationPerTest(): {
  open(modelOptions?: ModelServerOptions): Promise<TuiStation>;
  show(client: StationClient, options?: Parameters<typeof renderTui>[1]): Promise<Screen>;
} {
  let station: TuiStation | undefined;
  let screen: Screen | undefined;
  afterEach(async () => {
    screen?.unmount();
    await station?.close();
    screen = undefined;
    station = undefined;
  });
  return {
    open: async (modelOptions) => (station = await makeStation(modelOptions)),
    show: async (client, options) => (screen = await renderTui(client, options)),
  };
}
