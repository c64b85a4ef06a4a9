import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine, type RunDetail, type RunSummary } from '../../../src/core/index.js';
import { runCommand } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

// stn runs list|show|cancel over runs recorded by a real runner (the `hello` agent, no tools).
let temp: TempHome;
let model: ModelServer;
let engine: Engine;
const ids: number[] = [];

beforeAll(async () => {
  temp = makeInitializedHome();
  model = await startModelServer({
    script: [
      { text: 'Hi!', usage: { prompt_tokens: 12, completion_tokens: 3 } },
      { status: 400, error: { message: 'bad model' } },
    ],
  });
  engine = openEngine({ home: temp.home, env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-x' } });
  const runner = await engine.runner();
  for (const text of ['first', 'second']) {
    const handle = await runner.submit({ agent: 'hello', environment: 'default', input: { userInput: text } });
    await handle.done;
    ids.push(handle.runId);
  }
});
afterAll(async () => {
  await engine.close();
  await model.close();
  temp.cleanup();
});

describe('stn runs', () => {
  it('list --json: newest first, a stable shape, filters by status and agent', async () => {
    const out = await runCommand(['runs:list', '--json', '--home', temp.home]);
    expect(out.code).toBe(0);
    const runs = JSON.parse(out.stdout) as RunSummary[];
    expect(runs.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect(Object.keys(runs[1]!).sort()).toEqual(
      [
        'agent',
        'createdAt',
        'durationMs',
        'environment',
        'error',
        'finishedAt',
        'id',
        'model',
        'startedAt',
        'status',
        'steps',
        'stopReason',
        'tokens',
        'toolCalls',
        'trigger',
        'scheduledAt',
      ].sort(),
    );
    expect(runs[1]).toMatchObject({
      agent: 'hello',
      environment: 'default',
      status: 'completed',
      stopReason: 'final_answer',
      steps: 1,
      tokens: { input: 12, output: 3, total: 15 },
      error: null,
    });
    expect(runs[0]).toMatchObject({ status: 'failed', error: { code: 'model_bad_request' } });

    const failed = JSON.parse(
      (await runCommand(['runs:list', '--status', 'failed', '--json', '--home', temp.home])).stdout,
    ) as RunSummary[];
    expect(failed.map((r) => r.id)).toEqual([ids[1]]);
    const other = await runCommand(['runs:list', '--agent', 'nobody', '--json', '--home', temp.home]);
    expect(other.code).toBe(3);
    expect(JSON.parse(other.stdout)).toMatchObject({ error: { code: 'not_found' } });
    const bad = await runCommand(['runs:list', '--status', 'exploded', '--home', temp.home]);
    expect(bad.code).toBe(2);
  });

  it('list --trigger keeps runs started that way; an unknown trigger is refused with the valid ones', async () => {
    const list = async (...args: string[]): Promise<number[]> => {
      const out = await runCommand(['runs:list', ...args, '--json', '--home', temp.home]);
      expect(out.code).toBe(0);
      return (JSON.parse(out.stdout) as RunSummary[]).map((r) => r.id);
    };
    expect(await list('--trigger', 'manual')).toEqual([ids[1], ids[0]]);
    expect(await list('--trigger', 'schedule,api')).toEqual([]);
    const none = await runCommand(['runs:list', '--trigger', 'schedule', '--home', temp.home]);
    expect(none.stdout).toBe('No runs match.\n');
    const bad = await runCommand(['runs:list', '--trigger', 'cron', '--home', temp.home]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('manual, api, mcp, schedule, import');
    const shown = await runCommand(['runs:show', String(ids[0]), '--home', temp.home]);
    expect(shown.stdout).toMatch(/^ {2}trigger {4}manual$/m);
  });

  it('list prints a plain table', async () => {
    const out = await runCommand(['runs:list', '--home', temp.home]);
    expect(out.stdout.split('\n')[0]).toMatch(
      /^ID\s+AGENT\s+ENV\s+STATUS\s+STOP\s+STEPS\s+TOOLS\s+TOKENS\s+TIME\s+STARTED$/,
    );
    expect(out.stdout).toMatch(
      new RegExp(`^\\s*${String(ids[0])}\\s+hello\\s+default\\s+completed\\s+final_answer\\s+1\\s+0\\s+15\\s`, 'm'),
    );
    expect(out.stdout).not.toContain('\u001b[');
  });

  it('list pages with --before and filters by --since; the next page is named', async () => {
    const list = async (...args: string[]): Promise<number[]> => {
      const out = await runCommand(['runs:list', ...args, '--json', '--home', temp.home]);
      expect(out.code).toBe(0);
      return (JSON.parse(out.stdout) as RunSummary[]).map((r) => r.id);
    };
    expect(await list('--before', String(ids[1]))).toEqual([ids[0]]);
    expect(await list('--before', String(ids[0]))).toEqual([]);
    expect(await list('--since', '1h')).toEqual([ids[1], ids[0]]);
    expect(await list('--since', '2000-01-01T10:00')).toEqual([ids[1], ids[0]]);
    expect(await list('--since', '2999-01-01')).toEqual([]);
    const page = await runCommand(['runs:list', '--limit', '1', '--home', temp.home]);
    expect(page.stdout).toContain(`Older: stn runs list --before ${String(ids[1])}`);
    const none = await runCommand(['runs:list', '--since', '2999-01-01', '--home', temp.home]);
    expect(none.stdout).toBe('No runs match.\n');
    const bad = await runCommand(['runs:list', '--since', 'yesterday', '--home', temp.home]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('since "yesterday" is neither an age nor a date');
  });

  it('list names a mistyped --env or --agent (exit 3, did you mean); a deleted agent with runs still lists', async () => {
    const agent = await runCommand(['runs:list', '--agent', 'helo', '--home', temp.home]);
    expect(agent.code).toBe(3);
    expect(agent.stderr).toContain('agent "helo" does not exist and has no runs');
    expect(agent.stderr).toContain('Did you mean: "hello"?');
    const env = await runCommand(['runs:list', '--env', 'defualt', '--home', temp.home]);
    expect(env.code).toBe(3);
    expect(env.stderr).toContain('environment "defualt" does not exist and has no runs');
    expect(env.stderr).toContain('Did you mean: "default"?');
    // A known agent with no runs in the window is no error.
    const quiet = await runCommand(['runs:list', '--agent', 'hello', '--since', '2999-01-01', '--home', temp.home]);
    expect(quiet.code).toBe(0);
    const file = join(temp.home, 'environments', 'default', 'agents', 'hello.prompt');
    renameSync(file, `${file}.away`);
    try {
      const gone = await runCommand(['runs:list', '--agent', 'hello', '--json', '--home', temp.home]);
      expect(gone.code).toBe(0);
      expect((JSON.parse(gone.stdout) as RunSummary[]).map((r) => r.id)).toEqual([ids[1], ids[0]]);
    } finally {
      renameSync(`${file}.away`, file);
    }
  });

  it('show --json gives the run, its input and answer, and the full trace', async () => {
    const out = await runCommand(['runs:show', String(ids[0]), '--json', '--home', temp.home]);
    const run = JSON.parse(out.stdout) as RunDetail;
    expect(run).toMatchObject({ id: ids[0], input: { userInput: 'first' }, output: 'Hi!', pid: process.pid });
    expect(run.events.map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'tools.ready',
      'model.request',
      'model.response',
      'run.finished',
    ]);
    const text = await runCommand(['runs:show', String(ids[0]), '--home', temp.home]);
    expect(text.stdout).toContain('--- trace ---');
    expect(text.stdout).toContain('step 1 ·');
    expect(text.stdout).toMatch(/--- answer ---\nHi!\n$/);
  });

  it('show and cancel of an unknown run are exit 3; cancelling a finished run is exit 4', async () => {
    expect((await runCommand(['runs:show', '999', '--home', temp.home])).code).toBe(3);
    const missing = await runCommand(['runs:cancel', '999', '--home', temp.home]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('run 999 does not exist');
    const done = await runCommand(['runs:cancel', String(ids[0]), '--home', temp.home]);
    expect(done.code).toBe(4);
    expect(done.stderr).toContain('already finished (completed)');
  });

  it('cancel stops a run queued or running in this process', async () => {
    model.script([{ text: 'slow', delayMs: 30_000 }]);
    const runner = await engine.runner();
    const handle = await runner.submit({ agent: 'hello', environment: 'default', input: { userInput: 'wait' } });
    await model.waitForRequests(3);
    const out = await runCommand(['runs:cancel', String(handle.runId), '--json', '--home', temp.home]);
    // The command opened its own engine: it asked this process through the database.
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ id: handle.runId, outcome: 'cancelled', status: 'cancelled' });
    expect((await handle.done).status).toBe('cancelled');
  });
});
