// What each command loads, through the built binary (bin/run.js; needs `npm run build` first): a command
// loads what it needs and nothing heavier (the renderer, the agent runner's SDKs, template and schema
// compilers, archive and schedule libraries, the HTTP stack), which is most of what makes `stn` feel instant.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';
import { serveStn } from './run-home.js';

const TRACE = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));

/** Modules by what they are, as they appear in a loaded module's URL. */
const M = {
  react: '/node_modules/react/',
  ink: '/node_modules/ink/',
  tui: '/dist/tui/',
  mcpSdk: '/node_modules/@modelcontextprotocol/',
  openai: '/node_modules/openai/',
  dotprompt: '/node_modules/dotprompt/',
  handlebars: '/node_modules/handlebars/',
  ajv: '/node_modules/ajv/',
  tar: '/node_modules/tar/',
  croner: '/node_modules/croner/',
  ws: '/node_modules/ws/',
  promClient: '/node_modules/prom-client/',
  /** prom-client's index: its default metrics, summary, push gateway and cluster aggregator too. */
  promClientIndex: '/node_modules/prom-client/index.js',
  otel: '/node_modules/@opentelemetry/',
  sqlite: '/node_modules/better-sqlite3-multiple-ciphers/',
  core: '/dist/core/index.js',
  oclif: '/dist/cli/chunks/execute-oclif-',
  http: 'node:http',
  https: 'node:https',
  zlib: 'node:zlib',
  dns: 'node:dns',
  // node:worker_threads (the PostgreSQL store's) cannot be told apart here: the tracer's hooks run on a worker.
  childProcess: 'node:child_process',
  crypto: 'node:crypto',
  yaml: '/yaml',
} as const;
type Module = keyof typeof M;

/** Loaded by no command that runs no agent, serves nothing and draws no screen. */
const AGENT_AND_SCREEN: Module[] = [
  'react',
  'ink',
  'tui',
  'mcpSdk',
  'openai',
  'dotprompt',
  'handlebars',
  'ajv',
  'ws',
  'promClient',
];
/** Also not loaded by commands that only read the database and the agent files. */
const READERS: Module[] = [
  ...AGENT_AND_SCREEN,
  'tar',
  'croner',
  'http',
  'https',
  'zlib',
  'dns',
  // ~5 ms to load (with net and dgram): needed to start processes (MCP servers, git, ps).
  'childProcess',
];

interface Row {
  args: string[];
  mustNotLoad: Module[];
  /** What it does load: shows that the trace sees both ES modules and CommonJS ones. */
  loads?: Module[];
}

const TABLE: Row[] = [
  { args: ['--version'], mustNotLoad: [...READERS, 'oclif', 'core', 'sqlite'] },
  { args: ['--help'], mustNotLoad: [...READERS, 'core', 'sqlite'], loads: ['oclif'] },
  { args: ['env', 'list', '--help'], mustNotLoad: [...READERS, 'core', 'sqlite'], loads: ['oclif'] },
  { args: ['agent', 'run', '--help'], mustNotLoad: [...READERS, 'core', 'sqlite'] },
  { args: ['__complete', 'bash', '--', 'agent', 'run', ''], mustNotLoad: [...READERS, 'oclif', 'core', 'sqlite'] },
  { args: ['env', 'list', '--json'], mustNotLoad: READERS, loads: ['oclif', 'core', 'sqlite'] },
  { args: ['env', 'show', 'default', '--json'], mustNotLoad: READERS },
  { args: ['agent', 'list', '--json'], mustNotLoad: READERS, loads: ['core', 'sqlite'] },
  { args: ['agent', 'show', 'hello', '--json'], mustNotLoad: [...AGENT_AND_SCREEN, 'tar', 'http', 'https', 'zlib'] },
  { args: ['runs', 'list', '--json'], mustNotLoad: READERS },
  { args: ['key', 'list', '--json'], mustNotLoad: READERS },
  { args: ['secret', 'list', '--json'], mustNotLoad: READERS },
  { args: ['mcp', 'list', '--json'], mustNotLoad: READERS },
  { args: ['schedule', 'list', '--json'], mustNotLoad: [...AGENT_AND_SCREEN, 'tar', 'http', 'https', 'zlib'] },
  { args: ['webhook', 'list', '--json'], mustNotLoad: READERS },
  { args: ['audit', '--json'], mustNotLoad: READERS },
  // Rendering an agent compiles its template and input schema: the control that the trace sees CommonJS.
  {
    args: ['agent', 'render', 'hello', 'hi', '--json'],
    mustNotLoad: ['react', 'ink', 'tui', 'openai', 'mcpSdk'],
    loads: ['dotprompt', 'ajv'],
  },
];

describe('what each command loads (bin/run.js)', () => {
  let temp: TempHome;
  beforeAll(() => {
    temp = makeInitializedHome();
  });
  afterAll(() => temp.cleanup());

  /** The environment that records what `stn ARGS` loads, and what it recorded once the process has exited. */
  function trace(args: string[]): { env: NodeJS.ProcessEnv; loaded: () => (m: Module) => boolean } {
    const traceFile = join(temp.home, `imports-${args.join('-').replace(/[^\w-]/g, '_')}.txt`);
    writeFileSync(traceFile, '');
    const env: NodeJS.ProcessEnv = { ...temp.env, NODE_OPTIONS: `--import=${TRACE}`, STATION_TRACE_IMPORTS: traceFile };
    // As people run it: vitest's NODE_ENV=test puts oclif in development mode (it registers tsx to look for sources).
    delete env.NODE_ENV;
    return {
      env,
      loaded: () => {
        const urls = readFileSync(traceFile, 'utf8').split('\n');
        return (m: Module): boolean => urls.some((url) => url.includes(M[m]));
      },
    };
  }

  /** Runs `stn ARGS` and gives what it loaded. */
  async function loadedBy(args: string[]): Promise<(m: Module) => boolean> {
    const { env, loaded } = trace(args);
    const out = await runStn(args, { env });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    return loaded();
  }

  /** What `stn serve` loaded by the time it stopped (SIGTERM), having done `meanwhile(url)`. */
  async function loadedByServe(
    name: string,
    meanwhile: (url: string) => Promise<void>,
  ): Promise<(m: Module) => boolean> {
    const { env, loaded } = trace(['serve', name]);
    const { url, server: stn } = await serveStn(env, [], ['--log-level', 'warn']);
    await meanwhile(url);
    stn.child.kill('SIGTERM');
    expect(await stn.exited).toBe(0);
    return loaded();
  }

  it.each(TABLE)('stn $args', async ({ args, mustNotLoad, loads = [] }) => {
    const has = await loadedBy(args);
    expect(mustNotLoad.filter(has)).toEqual([]);
    expect(loads.filter((m) => !has(m))).toEqual([]);
  });

  it('stn serve loads prom-client without its index (nor OpenTelemetry behind it), and ws only once a WebSocket opens', async () => {
    const idle = await loadedByServe('idle', () => Promise.resolve());
    expect((['promClient', 'sqlite', 'http'] as const).filter((m) => !idle(m))).toEqual([]);
    expect((['promClientIndex', 'otel', 'ws', 'openai', 'tui'] as const).filter(idle)).toEqual([]);

    const out = await runStn(['key', 'create', 'imports', '--role', 'viewer', '--json'], { env: temp.env });
    const { key } = JSON.parse(out.stdout) as { key: string };
    const viewed = await loadedByServe('websocket', async (url) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers: { Authorization: `Bearer ${key}` } });
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
      });
      ws.close();
    });
    expect(viewed('ws')).toBe(true);
    expect(viewed('promClientIndex')).toBe(false);
  });

  it("loads no node:crypto to read, once the home's caches are written (~2 ms of every start)", async () => {
    for (const args of [
      ['env', 'list', '--json'],
      ['agent', 'list', '--json'],
      ['runs', 'list', '--json'],
      ['secret', 'list', '--json'],
      ['__complete', 'bash', '--', 'agent', 'run', ''],
    ]) {
      // The first run writes the caches (config.yaml's parse, the agent index) with temp files of random names.
      await runStn(args, { env: temp.env });
      expect({ args, crypto: (await loadedBy(args))('crypto') }).toEqual({ args, crypto: false });
    }
  });

  it('loads no YAML parser once config.yaml has been read and the agent files indexed', async () => {
    writeFileSync(temp.paths.config, `${readFileSync(temp.paths.config, 'utf8')}\n# edited\n`);
    expect((await loadedBy(['agent', 'list', '--json']))('yaml')).toBe(true);
    for (const args of [
      ['agent', 'list', '--json'],
      ['env', 'list', '--json'],
      ['runs', 'list', '--json'],
      // No agent file says "schedule": none is parsed to find one.
      ['schedule', 'list', '--json'],
    ]) {
      expect((await loadedBy(args))('yaml')).toBe(false);
    }
  });
});
