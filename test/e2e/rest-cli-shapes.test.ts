// The same objects through every door: for one home, the REST API (`stn serve`) answers with what the
// CLI prints with --json, field for field: environments, agents, tools, runs, one run with its events.
// (No CLI command but `stn ui --remote` talks to a server; its screens read these same REST objects.)
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { startModelServer, toolMessages, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

let model: ModelServer;
let home: RunHome;
let serve: ReturnType<typeof startStn>;
let url: string;
let key: string;
let runId: number;

async function cli(args: string[]): Promise<unknown> {
  const r = await runStn([...args, '--json'], { env: home.envFor(model.url) });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

async function rest(path: string): Promise<unknown> {
  const response = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status, path).toBe(200);
  return await response.json();
}

beforeAll(async () => {
  model = await startModelServer();
  model.script((request) =>
    toolMessages(request).length === 0
      ? { toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }] }
      : { text: 'One file.' },
  );
  home = makeRunHome();
  await cli(['sync']);
  const ran = await runStn(['agent', 'run', 'reader', 'What is there?', '--json'], { env: home.envFor(model.url) });
  expect(ran.code, ran.stderr).toBe(0);
  runId = (JSON.parse(ran.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
  key = ((await cli(['key', 'create', 'shapes', '--role', 'admin'])) as { key: string }).key;
  serve = startStn(['serve', '--port', '0'], home.envFor(model.url));
  url = await vi.waitFor(
    () => {
      const found = /Station listening on (\S+)/.exec(serve.output().stdout)?.[1];
      if (found === undefined) throw new Error('not listening yet');
      return found;
    },
    { timeout: 30_000, interval: 50 },
  );
}, 120_000);

afterAll(async () => {
  serve.child.kill('SIGTERM');
  await serve.exited;
  await model.close();
  home.cleanup();
});

describe('REST answers are the CLI --json objects', { timeout: 60_000 }, () => {
  const pairs: [string, () => string[], () => string][] = [
    ['environments', () => ['env', 'list'], () => '/environments'],
    ['one environment', () => ['env', 'show', 'default'], () => '/environments/default'],
    ['agents', () => ['agent', 'list', '--env', 'default'], () => '/environments/default/agents'],
    ['tools', () => ['mcp', 'tools', '--env', 'default'], () => '/environments/default/tools'],
    ['runs', () => ['runs', 'list'], () => '/runs'],
    ['one run with its events', () => ['runs', 'show', String(runId)], () => `/runs/${String(runId)}`],
  ];
  it.each(pairs)('%s', async (_name, cliArgs, path) => {
    const [fromCli, fromRest] = await Promise.all([cli(cliArgs()), rest(path())]);
    expect(shapeOf(fromRest)).toEqual(shapeOf(fromCli));
    expect(fromRest).toEqual(fromCli);
  });

  // REST's one agent is {agent, text, hash, warnings, run} (the remote TUI edits the file with text and hash);
  // `agent show --json` prints the agent with its warnings and what a run uses: the same fields, flattened.
  it('one agent', async () => {
    const fromCli = await cli(['agent', 'show', 'reader', '--env', 'default']);
    const fromRest = (await rest('/environments/default/agents/reader')) as {
      agent: object;
      warnings: unknown;
      run: unknown;
    };
    expect(Object.keys(fromRest).sort()).toEqual(['agent', 'hash', 'run', 'text', 'warnings']);
    expect({ ...fromRest.agent, warnings: fromRest.warnings, run: fromRest.run }).toEqual(fromCli);
  });
});

/** Field names and JSON types, recursively (arrays by their elements' shapes). */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value))
    return [...new Set(value.map((v) => JSON.stringify(shapeOf(v))))].map((s): unknown => JSON.parse(s));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}
