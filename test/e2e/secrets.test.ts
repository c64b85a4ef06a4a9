import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ApiClient } from '../../src/core/index.js';
import { runStn, type CliResult } from '../helpers/cli.js';
import { startModelServer, toolMessages, type ModelServer, type ScriptFunction } from '../helpers/model-server.js';
import { dumpDatabase } from '../core/mcp/helpers.js';
import { FS_ENTRY, makeRunHome, startStn, type RunHome } from './run-home.js';

// Secrets never leak through someone else's message: an MCP server that prints its environment on
// stderr and puts it in results and errors, a model endpoint that quotes the Authorization header. After
// real commands (`stn sync`, `stn agent run`, `stn serve` with a WebSocket viewer), everything Station
// wrote is searched for the values: stdout and stderr of every command, the server log, the WebSocket
// stream, the REST answers, exports, and the database (every row, and the raw bytes of its files).

const LEAKY = fileURLToPath(new URL('../fixtures/mcp/leaky-server.js', import.meta.url));
const TOKEN = 'tok-leaky-0123456789';
const CONNECTION = 'conn-5a4b3c2d1e0f9a';
const STATIC_KEY = 'literal-key-77aa88bb99';
/** The model API key of makeRunHome's envFor. */
const MODEL_KEY = 'sk-e2e-secret-key-123';
const SECRETS = [TOKEN, CONNECTION, STATIC_KEY, MODEL_KEY];

let model: ModelServer;
let home: RunHome;
beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  home = makeRunHome();
  const envDir = join(home.home, 'environments', 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify({
      mcpServers: {
        filesystem: { command: process.execPath, args: [FS_ENTRY, home.files] },
        leaky: {
          command: process.execPath,
          args: [LEAKY, '--stderr-env', 'LEAKY_TOKEN', '--stderr-env', 'CONN', '--stderr-env', 'STATIC_API_KEY'],
          env: { LEAKY_TOKEN: '{{ .LEAKY_TOKEN }}', CONN: '{{ .CONNECTION }}', STATIC_API_KEY: STATIC_KEY },
        },
      },
    }),
  );
  writeFileSync(join(envDir, 'variables.yml'), `LEAKY_TOKEN: ${TOKEN}\nCONNECTION: ${CONNECTION}\n`, { mode: 0o600 });
  home.writeAgent(
    'leaky',
    `---
metadata:
  name: leaky
  description: Logs in.
max_steps: 3
tools:
  - leaky__reveal
  - leaky__fail
  - leaky__reject
---
{{role "system"}}
You log in.
{{role "user"}}
{{userInput}}
`,
  );
  model.requests.length = 0;
  model.script(leakyConversation);
});
afterEach(() => {
  home.cleanup();
});

/** First turn: every tool, each asked for a secret; then an answer quoting the tool results. */
const leakyConversation: ScriptFunction = (request) =>
  toolMessages(request).length === 0
    ? {
        toolCalls: [
          { name: 'leaky__reveal', arguments: { name: 'LEAKY_TOKEN' } },
          { name: 'leaky__fail', arguments: { name: 'CONN' } },
          { name: 'leaky__reject', arguments: { name: 'STATIC_API_KEY' } },
        ],
      }
    : {
        text: `Found: ${toolMessages(request)
          .map((m) => m.content ?? '')
          .join(' | ')}`,
      };

const refusesKey: ScriptFunction = () => ({
  status: 401,
  error: { message: 'invalid credentials' },
  echoAuthorization: true,
});

/** The labels that show where each secret was. */
const LABELS = ['[secret:LEAKY_TOKEN]', '[secret:CONNECTION]', '[secret:leaky.env.STATIC_API_KEY]'];

function expectNoSecret(what: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${what} shows ${secret}`).toBe(false);
}

/** Every row of the database, and the raw bytes of its files (the WAL included). */
function databaseText(): string {
  const raw = readdirSync(home.home)
    .filter((f) => f.startsWith('station.db'))
    .map((f) => readFileSync(join(home.home, f)).toString('latin1'));
  return [dumpDatabase(home.paths.database), ...raw].join('\n');
}

function output(r: CliResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

describe('secrets in what Station writes', () => {
  it('stn sync, stn agent run (trace, --json, answer, failure), runs, exports and the database show labels, never values', async () => {
    const env = home.envFor(model.url);
    const outputs: [string, string][] = [];
    const stn = async (args: string[]): Promise<CliResult> => {
      const r = await runStn(args, { env, timeoutMs: 60_000 });
      outputs.push([`stn ${args.join(' ')}`, output(r)]);
      return r;
    };

    const sync = await stn(['sync']);
    expect(sync.code).toBe(0);

    const json = await stn(['agent', 'run', 'leaky', `log in with ${TOKEN}`, '--json']);
    expect(json.code).toBe(0);
    // The MCP server and the model did get the real values (a JSON-RPC error is masked by the MCP pool
    // before it becomes the tool's answer, as before).
    expect(model.requests[0]?.body.messages.at(-1)?.content).toBe(`log in with ${TOKEN}`);
    expect(toolMessages(model.requests[1]!).map((m) => m.content)).toEqual([
      `LEAKY_TOKEN is ${TOKEN}`,
      `cannot log in with ${CONNECTION}`,
      expect.stringContaining('the server refused [secret:leaky.env.STATIC_API_KEY]'),
    ]);
    const lines = json.stdout.trim().split('\n');
    const result = JSON.parse(lines.at(-1)!) as { runId: number; output: string };
    expect(result.output).toMatch(
      /^Found: LEAKY_TOKEN is \[secret:LEAKY_TOKEN\] \| cannot log in with \[secret:CONNECTION\] \| .*the server refused \[secret:leaky\.env\.STATIC_API_KEY\]$/,
    );

    const plain = await stn(['agent', 'run', 'leaky', 'log in']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('LEAKY_TOKEN is [secret:LEAKY_TOKEN]');

    model.script(refusesKey);
    const refused = await stn(['agent', 'run', 'leaky', 'log in']);
    expect(model.requests.at(-1)?.headers.authorization).toBe(`Bearer ${MODEL_KEY}`);
    expect(refused.code).toBe(10);
    expect(refused.stderr).toContain('invalid credentials (Authorization: Bearer [secret:OPENAI_API_KEY])');
    const refusedJson = await stn(['agent', 'run', 'leaky', 'log in', '--json']);
    expect(refusedJson.code).toBe(10);

    const list = await stn(['runs', 'list', '--json']);
    const ids = (JSON.parse(list.stdout) as { id: number }[]).map((r) => r.id);
    expect(ids).toHaveLength(4);
    for (const id of ids) await stn(['runs', 'show', String(id), '--json']);
    await stn(['runs', 'show', String(result.runId)]);
    await stn(['runs', 'show', String(ids[0])]);
    await stn(['agent', 'export', 'leaky']);
    await stn(['mcp', 'list', '--json']);
    await stn(['mcp', 'check', '--json']);
    await stn(['env', 'show', 'default', '--json']);

    const all = outputs.map(([, text]) => text).join('\n');
    for (const label of [...LABELS, '[secret:OPENAI_API_KEY]']) expect(all).toContain(label);
    // The stderr the server wrote at start (recorded by sync, shown by mcp list and check) is masked too.
    expect(all).toContain('starting with LEAKY_TOKEN=[secret:LEAKY_TOKEN]');
    for (const [command, text] of outputs) expectNoSecret(command, text);
    expectNoSecret('the database', databaseText());
  }, 180_000);

  it('stn serve: the REST answers, the WebSocket stream and the server log show labels, never values', async () => {
    const created = await runStn(['key', 'create', 'viewer', '--role', 'admin', '--json'], { env: home.env });
    const key = (JSON.parse(created.stdout) as { key: string }).key;
    const serve = startStn(['serve', '--port', '0', '--log-level', 'debug'], home.envFor(model.url));
    try {
      const url = await vi.waitFor(
        () => {
          const found = /Station listening on (https?:\/\/\S+)/.exec(serve.output().stdout)?.[1];
          if (found === undefined) throw new Error(`stn serve does not listen yet: ${serve.output().stderr}`);
          return found;
        },
        { timeout: 30_000, interval: 50 },
      );
      const api = new ApiClient({ url, key });

      // A viewer of every run, recording each message as it arrives on the wire.
      const frames: string[] = [];
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers: { Authorization: `Bearer ${key}` } });
      ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.send(JSON.stringify({ type: 'subscribe', scope: 'all' }));
      await vi.waitFor(() => expect(frames.some((f) => f.includes('ws.subscribed'))).toBe(true));

      const finishedOn = (runId: number): Promise<void> =>
        vi.waitFor(
          () => {
            const done = frames.some((f) => f.includes('"run.finished"') && f.includes(`"runId":${String(runId)}`));
            if (!done) throw new Error(`run ${String(runId)} has not finished on the WebSocket`);
          },
          { timeout: 60_000, interval: 50 },
        );
      const answered = await api.startRun('default', 'leaky', { input: { userInput: `log in with ${TOKEN}` } });
      await finishedOn(answered.id);
      model.script(refusesKey);
      const refused = await api.startRun('default', 'leaky', { input: { userInput: 'log in' } });
      await finishedOn(refused.id);
      ws.close();

      const rest = [
        await api.getRun(answered.id),
        await api.getRun(refused.id),
        await api.listRuns(),
        await api.listRunEvents(answered.id, { limit: 1000 }),
        await api.listServers('default'),
        await api.checkServers('default'),
      ].map((v) => JSON.stringify(v));
      const stream = frames.join('\n');
      expect(stream).toContain('LEAKY_TOKEN is [secret:LEAKY_TOKEN]');
      expect(stream).toContain('(Authorization: Bearer [secret:OPENAI_API_KEY])');
      expect(rest[0]).toContain('log in with [secret:LEAKY_TOKEN]');
      expectNoSecret('the WebSocket stream', stream);
      for (const text of rest) expectNoSecret('a REST answer', text);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    const log = serve.output();
    expect(log.stderr).toContain('"msg":"request"');
    expectNoSecret('the stn serve output and log', `${log.stdout}\n${log.stderr}`);
    expectNoSecret('the database', databaseText());
  }, 120_000);
});
