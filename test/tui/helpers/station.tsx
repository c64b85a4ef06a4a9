// A real Station for screen tests: a temporary home (real SQLite), the default environment with
// server-filesystem (started with node from devDependencies) on a temp folder, an agent that lists a
// folder, the test model server, an open engine, the local client, and the TUI rendered with
// ink-testing-library. Everything is closed by close(); no process is left behind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, vi } from 'vitest';
import { openEngine, type Engine } from '../../../src/core/index.js';
import { Root } from '../../../src/tui/app/root.js';
import type { ScreenId } from '../../../src/tui/app/reducer.js';
import { LocalClient } from '../../../src/tui/client/local-client.js';
import { makeTheme } from '../../../src/tui/theme.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../helpers/model-server.js';
import { packageEntry } from '../../core/mcp/helpers.js';

export const FILESYSTEM_SERVER = packageEntry('@modelcontextprotocol/server-filesystem');

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  esc: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlS: '\u0013',
} as const;

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
  const client = new LocalClient(engine, { pollMs: 50 });
  const others: Engine[] = [];
  return {
    home,
    files,
    model,
    engine,
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

export interface Screen {
  frame(): string;
  /** Sends keys (one write per key, as a terminal does) and waits a tick. */
  press(...keys: string[]): Promise<void>;
  /** Types text as one write (like a paste). */
  type(text: string): Promise<void>;
  /** Polls the frame until `check` holds; fails with the last frame after `timeoutMs`. */
  waitFor(check: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): void;
  unmount(): void;
}

const tick = (ms = 10): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function renderTui(
  client: LocalClient,
  options: { screen?: ScreenId; columns?: number; rows?: number; color?: boolean } = {},
): Promise<Screen> {
  const instance = render(
    <Root
      client={client}
      theme={makeTheme(options.color ?? false)}
      environment="default"
      {...(options.screen === undefined ? {} : { screen: options.screen })}
    />,
  );
  const stdout = instance.stdout as unknown as NodeJS.EventEmitter & { columns: number; rows: number };
  const setSize = (columns: number, rows: number): void => {
    Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
  };
  if (options.columns !== undefined || options.rows !== undefined) {
    setSize(options.columns ?? 100, options.rows ?? 24);
    stdout.emit('resize');
  }
  await tick(50);
  const frame = (): string => instance.lastFrame() ?? '';
  return {
    frame,
    press: async (...keys) => {
      for (const key of keys) {
        instance.stdin.write(key);
        await tick(20);
      }
    },
    type: async (text) => {
      instance.stdin.write(text);
      await tick(20);
    },
    waitFor: (check, timeoutMs = 30_000) => {
      const test =
        typeof check === 'string'
          ? (f: string) => f.includes(check)
          : check instanceof RegExp
            ? (f: string) => check.test(f)
            : check;
      return vi.waitFor(
        () => {
          const f = frame();
          if (!test(f)) throw new Error(`timed out waiting for ${String(check)}; last frame:\n${f}`);
          return f;
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    resize: (columns, rows) => {
      setSize(columns, rows);
      stdout.emit('resize');
    },
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}

/**
 * For a describe block: opens a station and renders the TUI on it, and closes both after each test
 * (unmount, client, engines, model server, home).
 */
export function stationPerTest(): {
  open(modelOptions?: ModelServerOptions): Promise<TuiStation>;
  show(client: LocalClient, options?: Parameters<typeof renderTui>[1]): Promise<Screen>;
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
