import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, type RunHome } from '../e2e/run-home.js';
import { dumpPgStore, pgStoreOf } from '../helpers/stores.js';

// `stn agent run` as users run it: the built binary, a real Station home, the filesystem MCP server,
// and the test model server. (Needs `npm run build` first, like every test that spawns bin/run.js.)

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
  model.requests.length = 0;
  model.script([]);
});
afterEach(() => {
  home.cleanup();
});

interface Line {
  type: string;
  runId: number | null;
  seq?: number;
  ts?: string;
  data?: Record<string, unknown>;
  status?: string;
  exitCode?: number;
  output?: string | null;
  error?: { code: string; message: string } | null;
}

function ndjson(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

describe('stn agent run', () => {
  it('prints only the answer when piped, and uses the configured model and the API key from the environment', async () => {
    model.push({ text: 'Hello from the model.' });
    const out = await runStn(['agent', 'run', 'hello', 'Say hi'], { env: home.envFor(model.url) });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('Hello from the model.\n');
    const body = model.requests[0]!.body;
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'Say hi' });
    expect(body.tools).toBeUndefined();
    expect(model.requests[0]!.headers.authorization).toBe('Bearer sk-e2e-secret-key-123');
  });

  it("--model overrides the agent's model, which overrides the configured one", async () => {
    model.push({ text: '{"total": 3}' }, { text: '{"total": 3}' });
    const byAgent = await runStn(['agent', 'run', 'counter', 'go', '--input', '{"count": 3}'], {
      env: home.envFor(model.url),
    });
    expect(byAgent.code).toBe(0);
    expect(model.requests[0]!.body.model).toBe('agent-model');
    const byRun = await runStn(['agent', 'run', 'counter', 'go', '--input', '{"count": 3}', '--model', 'run-model'], {
      env: home.envFor(model.url),
    });
    expect(byRun.code).toBe(0);
    expect(model.requests[1]!.body.model).toBe('run-model');
    expect(byRun.stdout).toBe('{"total": 3}\n');
  });

  it('--json prints every event as NDJSON and ends with one result record', async () => {
    model.push(
      {
        toolCalls: [
          { id: 'call_1', name: 'filesystem__read_text_file', arguments: { path: `${home.files}/readme.txt` } },
        ],
      },
      { text: 'It says: Station test file' },
    );
    const out = await runStn(['agent', 'run', 'reader', 'read the readme', '--json'], { env: home.envFor(model.url) });
    expect(out.code).toBe(0);
    const lines = ndjson(out.stdout);
    const events = lines.slice(0, -1);
    expect(events.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'tools.ready',
      'model.request',
      'model.response',
      'tool.started',
      'tool.finished',
      'model.request',
      'model.response',
      'run.finished',
    ]);
    for (const [i, e] of events.entries()) {
      expect(Object.keys(e).sort()).toEqual(['data', 'runId', 'seq', 'ts', 'type']);
      expect(e.seq).toBe(i + 1);
      expect(e.runId).toBe(events[0]!.runId);
    }
    expect(events[6]!.data).toMatchObject({
      tool: 'filesystem__read_text_file',
      result: 'Station test file\n',
      isError: false,
    });
    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      runId: events[0]!.runId,
      status: 'completed',
      exitCode: 0,
      output: 'It says: Station test file',
    });
    // The tool result went back as a tool message with the call's id.
    expect(model.requests[1]!.body.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_1',
      content: 'Station test file\n',
    });
  });

  it('bad input is exit 5 with the field named, and never reaches the model; --json ends with one result line', async () => {
    const notJson = await runStn(['agent', 'run', 'hello', '--input', '{nope'], { env: home.envFor(model.url) });
    expect(notJson.code).toBe(5);
    expect(notJson.stderr).toContain('--input is not valid JSON');

    const badField = await runStn(['agent', 'run', 'counter', 'go', '--input', '{"count": "three"}', '--json'], {
      env: home.envFor(model.url),
    });
    expect(badField.code).toBe(5);
    const lines = ndjson(badField.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      type: 'result',
      runId: null,
      status: 'error',
      exitCode: 5,
      error: { code: 'invalid' },
    });
    expect(lines[0]!.error!.message).toContain('count');
    // oclif's own usage errors end the same way, with the exit code in the record.
    const badFlag = await runStn(['agent', 'run', 'hello', '--bogus', '--json'], { env: home.envFor(model.url) });
    expect(badFlag.code).toBe(2);
    expect(ndjson(badFlag.stdout)).toEqual([
      {
        type: 'result',
        runId: null,
        status: 'error',
        exitCode: 2,
        error: { code: 'usage', message: 'Nonexistent flag: --bogus', hints: ['See: stn agent run --help'] },
      },
    ]);

    // A required field left out: stdin is not a terminal, so it is an error, never a prompt.
    const missingField = await runStn(['agent', 'run', 'counter', 'go'], { env: home.envFor(model.url) });
    expect(missingField.code).toBe(5);
    expect(missingField.stderr).toContain('count');

    const badTimeout = await runStn(['agent', 'run', 'hello', 'x', '--timeout', 'soon'], {
      env: home.envFor(model.url),
    });
    expect(badTimeout.code).toBe(5);
    expect(badTimeout.stderr).toContain('timeout "soon" is not a duration');

    const missing = await runStn(['agent', 'run', 'no-such-agent', 'x'], { env: home.envFor(model.url) });
    expect(missing.code).toBe(3);
    expect(model.requests).toHaveLength(0);
  });

  it('exit codes: 10 failed, 11 timed out, 13 max steps', async () => {
    model.push({ status: 401, error: { message: 'Incorrect API key provided' } });
    const failed = await runStn(['agent', 'run', 'hello', 'x'], { env: home.envFor(model.url) });
    expect(failed.code).toBe(10);
    expect(failed.stderr).toContain('refused the API key');
    expect(failed.stderr).toContain('stn runs show 1');

    model.push({ text: 'late', delayMs: 5000 });
    const timedOut = await runStn(['agent', 'run', 'hello', 'x', '--timeout', '300ms', '--json'], {
      env: home.envFor(model.url),
    });
    expect(timedOut.code).toBe(11);
    expect(ndjson(timedOut.stdout).at(-1)).toMatchObject({ type: 'result', status: 'timed_out', exitCode: 11 });

    model.script((request) =>
      Array.isArray(request.body.tools)
        ? { toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }] }
        : { text: 'gave up' },
    );
    const maxed = await runStn(['agent', 'run', 'reader', 'loop'], { env: home.envFor(model.url) });
    expect(maxed.code).toBe(13);
    expect(maxed.stdout).toBe('gave up\n');
    expect(maxed.stderr).toContain('max_steps');

    // `runs list` marks it as stopped at max_steps, not as a plain completed run (--json keeps the status).
    const list = await runStn(['runs', 'list'], { env: home.env });
    expect(list.stdout).toMatch(/^\s*3\s+reader\s+default\s+max_steps\s+max_steps\s/m);
    expect(list.stdout).not.toMatch(/^\s*3\s+.*completed/m);
    const json = await runStn(['runs', 'list', '--json'], { env: home.env });
    expect(JSON.parse(json.stdout)).toContainEqual(
      expect.objectContaining({ id: 3, status: 'completed', stopReason: 'max_steps' }),
    );
  }, 90_000);

  it('on a terminal streams a readable trace (steps, tool calls with arguments, durations, tokens), then the answer', async () => {
    model.push(
      {
        toolCalls: [
          { id: 'call_1', name: 'filesystem__read_text_file', arguments: { path: `${home.files}/readme.txt` } },
        ],
        usage: { prompt_tokens: 40, completion_tokens: 9 },
      },
      { text: 'The readme says hello.', usage: { prompt_tokens: 60, completion_tokens: 6 } },
    );
    // util-linux `script` gives the command a pseudo-terminal; NO_COLOR keeps the text plain.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} agent run reader "read the readme"`;
    const tty = await runScript(command, { ...home.envFor(model.url), COLUMNS: '120' });
    expect(tty.status).toBe(0);
    const lines = tty.stdout.replaceAll('\r', '').trim().split('\n');
    expect(lines[0]).toMatch(/^run 1 · agent reader · env default · model gpt-4o-mini · max 4 steps$/);
    expect(lines).toContainEqual(expect.stringMatching(/^step 1 · model \d+ms · tokens 40→9 · 1 tool call$/));
    expect(lines).toContain(`  → filesystem__read_text_file {"path":"${home.files}/readme.txt"}`);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ filesystem__read_text_file \d+ms · 18 B$/));
    expect(lines).toContainEqual(expect.stringMatching(/^completed · [\d.]+m?s · 2 steps · 1 tool call · 115 tokens$/));
    expect(lines.at(-1)).toBe('The readme says hello.');
    expect(tty.stdout).not.toContain('\u001b[');
  });

  it('reads the input from a file, and TEXT becomes userInput (TEXT and a userInput in the file exit 5)', async () => {
    const file = join(home.home, 'input.json');
    writeFileSync(file, JSON.stringify({ count: 2, userInput: 'from file' }));
    model.push({ text: '{"total": 2}' });
    const out = await runStn(['agent', 'run', 'counter', '--input-file', file], { env: home.envFor(model.url) });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(model.requests[0]!.body.messages.map((m) => m.content).join('\n')).toContain('Count to 2.');
    expect(model.requests[0]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'from file' });
    const twice = await runStn(['agent', 'run', 'counter', 'from the argument', '--input-file', file], {
      env: home.envFor(model.url),
    });
    expect(twice.code).toBe(5);
    expect(twice.stderr).toContain('the TEXT argument and the userInput of --input-file both give the user input');
    writeFileSync(file, JSON.stringify({ count: 2 }));
    model.push({ text: '{"total": 2}' });
    const withText = await runStn(['agent', 'run', 'counter', 'from the argument', '--input-file', file], {
      env: home.envFor(model.url),
    });
    expect(withText.code).toBe(0);
    expect(model.requests[1]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'from the argument' });
    const both = await runStn(['agent', 'run', 'counter', 'x', '--input', '{}', '--input-file', file], {
      env: home.envFor(model.url),
    });
    expect(both.code).toBe(2);
    expect(model.requests).toHaveLength(2);
  });

  it('never writes the API key to output or the database', async () => {
    model.push({ status: 401, error: { message: 'Incorrect API key provided: sk-e2e-*****' } });
    const out = await runStn(['agent', 'run', 'hello', 'x', '--json'], { env: home.envFor(model.url) });
    expect(out.stdout + out.stderr).not.toContain('sk-e2e-secret-key-123');
    // The store's bytes: the SQLite file, or every row of the PostgreSQL schema.
    const pg = pgStoreOf(home.home);
    const stored = pg === undefined ? readFileSync(home.paths.database).toString('latin1') : dumpPgStore(pg);
    expect(stored.includes('sk-e2e-secret-key-123')).toBe(false);
  });
});

/** Runs a shell command under a pseudo-terminal (util-linux `script`), without blocking this process. */
function runScript(command: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env,
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
    child.stdin.end();
  });
}
