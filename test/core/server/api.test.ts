import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, ExitCode, type AgentDraft, type ReadyView, type RunEvent } from '../../../src/core/index.js';
import { toolLoop } from '../../helpers/model-server.js';
import { startStationForTest, type Station } from './station-helpers.js';

/** The error a call failed with (the test fails if it did not). */
async function failure(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('REST API over the engine (stn serve in process)', () => {
  let s: Station;
  afterEach(async () => {
    await s.stop();
  });

  it('agents: CRUD through the same service the CLI uses, with field errors and conflicts', async () => {
    s = await startStationForTest();
    const list = await s.api.withKey(s.keys.viewer).listAgents('default');
    expect(list.map((a) => [a.name, a.lastRun])).toEqual([
      ['file-explorer', null],
      ['hello', null],
    ]);
    const hello = await s.api.getAgent('default', 'hello');
    expect(hello).toMatchObject({
      agent: { name: 'hello', maxSteps: 3 },
      text: expect.stringContaining('friendly'),
      hash: expect.any(String),
    });

    const draft = {
      name: 'summarizer',
      description: 'Sums up',
      prompt: 'Summarize the input.',
      inputFields: { text: 'string, what to sum up' },
    };
    expect(await s.api.createAgent('default', draft)).toMatchObject({ name: 'summarizer', description: 'Sums up' });
    expect(s.engine.agents.get('default', 'summarizer').description).toBe('Sums up');
    // The Location header is HTTP itself: raw.
    const located = await s.raw('POST', '/api/v1/environments/default/agents', {
      body: { name: 'located', prompt: 'x' },
    });
    expect(located.status).toBe(201);
    expect(located.headers.get('location')).toBe('/api/v1/environments/default/agents/located');

    const bad = await failure(s.api.createAgent('default', { name: 'x', maxSteps: 0, color: 'red' } as AgentDraft));
    expect(bad).toMatchObject({ status: 400, code: 'invalid', exitCode: ExitCode.INVALID });
    expect(bad.details?.issues).toEqual(
      expect.arrayContaining([
        { field: 'maxSteps', message: 'must be >= 1' },
        { field: 'color', message: 'is not a known field' },
      ]),
    );
    expect(await failure(s.api.createAgent('default', { name: 'a/b' }))).toMatchObject({ status: 400 });
    expect(await failure(s.api.createAgent('default', { name: 'summarizer', prompt: 'x' }))).toMatchObject({
      status: 409,
      code: 'conflict',
      exitCode: ExitCode.CONFLICT,
    });

    const patched = await s.api.updateAgent('default', 'summarizer', { description: 'Sums up text', maxSteps: 4 });
    expect(patched).toMatchObject({ description: 'Sums up text', maxSteps: 4 });
    expect(await s.api.updateAgent('default', 'summarizer', { name: 'digest' })).toMatchObject({ name: 'digest' });
    expect(await failure(s.api.getAgent('default', 'summarizer'))).toMatchObject({
      status: 404,
      exitCode: ExitCode.NOT_FOUND,
    });

    const source = await s.api.getAgent('default', 'digest');
    const changed = source.text.replace('Sums up text', 'Changed');
    expect(
      await failure(s.api.replaceAgent('default', 'digest', { text: changed, expectedHash: 'not-the-hash' })),
    ).toMatchObject({ status: 409, exitCode: ExitCode.CONFLICT });
    expect(await failure(s.api.replaceAgent('default', 'digest', { text: '---\nmax_steps: [\n---\nx' }))).toMatchObject(
      { status: 400 },
    );
    await s.api.replaceAgent('default', 'digest', { text: changed, expectedHash: source.hash });
    expect(s.engine.agents.get('default', 'digest').description).toBe('Changed');

    await s.api.deleteAgent('default', 'digest');
    await s.api.deleteAgent('default', 'located');
    expect(s.engine.agents.list('default').map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    expect(await failure(s.api.deleteAgent('default', 'digest'))).toMatchObject({ status: 404 });
  });

  it('runs: start returns 202 with an id; the run completes; events page; bad input is 400 with field errors', async () => {
    s = await startStationForTest({ model: { script: [{ text: 'Hi there!' }] } });
    const started = await s.api.withKey(s.keys.user).startRun('default', 'hello', { input: { userInput: 'say hi' } });
    const id = started.id;
    expect(started).toMatchObject({
      run: { id, agent: 'hello' },
      links: { self: `/api/v1/runs/${String(id)}` },
    });
    const run = await s.waitRun(id);
    expect(run).toMatchObject({ id, agent: 'hello', environment: 'default', status: 'completed', output: 'Hi there!' });
    const events: RunEvent[] = run.events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run.queued');
    expect(events.at(-1)?.type).toBe('run.finished');

    const viewer = s.api.withKey(s.keys.viewer);
    const page = await viewer.listRunEvents(id, { tail: true, limit: 2 });
    expect(page).toMatchObject({ hasOlder: true, hasNewer: false, lastSeq: events.length });
    expect(page.events.map((e) => e.seq)).toEqual([events.length - 1, events.length]);
    const first = await s.api.listRunEvents(id, { after: 0, limit: 1 });
    expect(first).toMatchObject({ hasOlder: false, hasNewer: true, events: [{ seq: 1, type: 'run.queued' }] });

    const listed = await viewer.listRuns({ environment: 'default', status: ['completed', 'failed'] });
    expect(listed.map((r) => r.id)).toEqual([id]);
    expect(await s.api.withKey(s.keys.viewerOther).listRuns()).toEqual([]);
    expect((await s.raw('GET', '/api/v1/runs?status=bogus')).status).toBe(400);
    expect(await failure(s.api.listRuns({ limit: 0 }))).toMatchObject({ status: 400 });
    expect((await s.raw('GET', '/api/v1/runs/abc')).status).toBe(400);
    // A malformed escape in a path parameter is bad input naming the field, never a 500.
    const malformed = await s.raw('GET', '/api/v1/environments/%E0%A4%A/agents');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'invalid', exitCode: ExitCode.INVALID } });
    expect(malformed.text).toContain('env');
    expect(await failure(s.api.getRun(999999))).toMatchObject({ status: 404, exitCode: ExitCode.NOT_FOUND });
    expect(await failure(s.api.withKey(s.keys.viewerOther).getRun(id))).toMatchObject({
      status: 403,
      exitCode: ExitCode.AUTH,
    });
    expect(await s.api.getRun(id, { events: false })).not.toHaveProperty('events');

    const agents = await s.api.listAgents('default');
    expect(agents.find((a) => a.name === 'hello')?.lastRun).toMatchObject({ id, status: 'completed' });

    const badInput = await failure(s.api.startRun('default', 'hello', { input: { userInput: 5 } }));
    expect(badInput).toMatchObject({ status: 400, exitCode: ExitCode.INVALID });
    expect((badInput.details?.issues as { field: string }[])[0]?.field).toContain('userInput');
    const extra = await s.raw('POST', '/api/v1/environments/default/agents/hello/runs', {
      body: { input: 'text', speed: 1 },
    });
    expect(extra.status).toBe(400);
    expect(await failure(s.api.startRun('default', 'nobody'))).toMatchObject({ status: 404 });
    expect(await s.api.listRuns()).toHaveLength(1);

    const metrics = await s.api.metrics();
    expect(metrics).toMatch(/station_agent_execution_duration_seconds_count\{status="completed"\} 1/);
    expect(metrics).toMatch(/station_agents_total 2/);
  });

  it('a full queue answers 429 with Retry-After; queued and running runs can be cancelled', async () => {
    s = await startStationForTest({
      config: 'runner:\n  workers: 1\n  queue_size: 1\n',
      model: { fallback: { text: 'slow answer', delayMs: 30_000 } },
    });
    const a = await s.api.startRun('default', 'hello', { input: { userInput: 'x' } });
    await s.model.waitForRequests(1);
    const b = await s.api.startRun('default', 'hello', { input: { userInput: 'x' } });
    // Retry-After is HTTP itself: raw.
    const c = await s.raw('POST', '/api/v1/environments/default/agents/hello/runs', {
      body: { input: { userInput: 'x' } },
    });
    expect(c.status).toBe(429);
    expect(c.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(c.body).toMatchObject({ error: { code: 'queue_full', exitCode: ExitCode.QUEUE_FULL } });
    expect(await failure(s.api.withKey(s.keys.viewer).cancelRun(a.id))).toMatchObject({ status: 403 });
    // The cancel reason names the door and the key.
    expect(await s.api.withKey(s.keys.user).cancelRun(b.id)).toMatchObject({
      outcome: 'cancelled',
      run: { id: b.id, status: 'cancelled', error: { message: 'cancelled over REST by key "user"' } },
    });
    // `stn ui --remote` says it is the TUI.
    expect(await s.api.withKey(s.keys.admin).cancelRun(a.id, 'tui')).toMatchObject({ outcome: 'cancelled' });
    expect(await s.waitRun(a.id)).toMatchObject({
      status: 'cancelled',
      error: { message: 'cancelled from the remote TUI over REST by key "admin"' },
    });
    expect(await failure(s.api.cancelRun(a.id))).toMatchObject({ status: 409, exitCode: ExitCode.CONFLICT });
  });

  it('sync: start (202) and result; tools and servers of the environment', async () => {
    s = await startStationForTest();
    const started = await s.api.startSync('default');
    const job = await s.api.withKey(s.keys.viewer).followSync(started, { pollMs: 50 });
    expect(job.status).toBe('completed');
    expect(job.report?.ok).toBe(true);
    expect(job.progress.map((p) => p.message)).toContain('starting filesystem');
    expect(await failure(s.api.withKey(s.keys.viewerOther).getSync(started.id))).toMatchObject({ status: 403 });
    expect(await failure(s.api.getSync('nope'))).toMatchObject({ status: 404 });

    const tools = await s.api.withKey(s.keys.viewer).listTools('default');
    expect(tools.map((t) => t.qualifiedName)).toContain('filesystem__read_text_file');
    const servers = await s.api.listServers('default');
    expect(servers).toEqual([
      expect.objectContaining({ name: 'filesystem', status: 'ready', stderrTail: expect.any(String) }),
    ]);
    expect(await failure(s.api.listTools('default', { server: 'nope' }))).toMatchObject({ status: 404 });
    const check = await s.api.withKey(s.keys.user).checkServers('default');
    expect(check).toMatchObject({
      environment: 'default',
      ok: true,
      servers: [{ name: 'filesystem', status: 'ok' }],
    });
  });

  it('metrics observe tool-call durations and failed runs from the run events', async () => {
    s = await startStationForTest();
    s.model.script(
      toolLoop({ tool: 'filesystem__list_directory', args: { path: s.files }, steps: 1, finalText: 'listed' }),
    );
    const ok = await s.api.startRun('default', 'file-explorer', { input: { userInput: 'what is here?' } });
    expect(await s.waitRun(ok.id)).toMatchObject({ status: 'completed', toolCalls: 1 });
    s.model.script([{ status: 400, error: { message: 'bad request from the test' } }]);
    const bad = await s.api.startRun('default', 'hello', { input: { userInput: 'x' } });
    expect(await s.waitRun(bad.id)).toMatchObject({ status: 'failed' });
    const metrics = await s.api.metrics();
    expect(metrics).toMatch(
      /station_mcp_request_duration_seconds_count\{environment="default",server="filesystem"\} 1/,
    );
    expect(metrics).toMatch(/station_agent_execution_errors_total\{reason="[a-z_]+"\} 1/);
    expect(metrics).toMatch(/station_agent_runs_total\{status="failed"\} 1/);
    expect(metrics).toMatch(/station_http_requests_total\{method="POST",status="202"\} 2/);
  });

  it('ready reports the database and the MCP pools started at boot', async () => {
    s = await startStationForTest();
    const ready = await vi.waitFor(
      async () => {
        const answer = await s.api.ready();
        expect(answer.status, JSON.stringify(answer)).toBe('ready');
        return answer;
      },
      { timeout: 10_000 },
    );
    expect(ready).toMatchObject({
      status: 'ready',
      checks: {
        database: { ok: true },
        websocket: { ok: true, clients: 0 },
        mcp: {
          ok: true,
          starting: false,
          environments: { default: { ok: true, servers: [{ name: 'filesystem', state: 'ready' }] } },
        },
      },
    });
    const servers = await s.api.listServers('default');
    expect(servers[0]?.live).toMatchObject({ state: 'ready', pid: expect.any(Number) });
  });

  it('ready: a bare status without a key, the granted environments with one, all-failed environments not ready', async () => {
    s = await startStationForTest();
    // The "other" environment's only server dies at once: that environment is not ready, the process is.
    const broken = { command: process.execPath, args: ['-e', 'process.exit(3)'] };
    writeFileSync(
      join(s.temp.home, 'environments', 'other', 'template.json'),
      JSON.stringify({ mcpServers: { broken } }),
    );
    type Envs = Record<string, { ok: boolean; error?: string; servers?: { name: string; state: string }[] }>;
    const envsOf = (r: ReadyView): Envs => (r.checks?.mcp as { environments: Envs }).environments;
    const admin = await vi.waitFor(
      async () => {
        const answer = await s.api.ready();
        expect(envsOf(answer).other?.servers?.[0]?.state, JSON.stringify(answer)).toBe('failed');
        expect(answer.status, JSON.stringify(answer)).toBe('ready');
        return answer;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(admin.status).toBe('ready');
    expect(envsOf(admin).default).toMatchObject({ ok: true, servers: [{ name: 'filesystem', state: 'ready' }] });
    expect(envsOf(admin).other).toMatchObject({ ok: false, error: 'all 1 MCP servers failed' });

    // A viewer granted "default" sees only it.
    const viewer = await s.api.withKey(s.keys.viewer).ready();
    expect(Object.keys(envsOf(viewer))).toEqual(['default']);
    const viewerOther = await s.api.withKey(s.keys.viewerOther).ready();
    expect(Object.keys(envsOf(viewerOther))).toEqual(['other']);

    // Without a key (load balancers, Kubernetes probes): the status and nothing else.
    const bare = await s.raw('GET', '/ready', { key: null });
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual({ status: 'ready' });

    // The metrics say which server of which environment is in which state.
    const metrics = await s.api.metrics();
    expect(metrics).toContain('station_mcp_server_state{environment="other",server="broken",state="failed"} 1');
    expect(metrics).toContain('station_mcp_server_state{environment="other",server="broken",state="ready"} 0');
    expect(metrics).toContain('station_mcp_server_state{environment="default",server="filesystem",state="ready"} 1');
    expect(metrics).toContain('station_mcp_connection_errors_total{environment="other",server="broken"} 1');
  });
});
