import { afterEach, describe, expect, it, vi } from 'vitest';
import { toolLoop } from '../../helpers/model-server.js';
import { startStationForTest, type Station } from './station-helpers.js';

interface Issue {
  field: string;
  message: string;
}

describe('REST API over the engine (stn serve in process)', () => {
  let s: Station;
  afterEach(async () => {
    await s.stop();
  });

  it('agents: CRUD through the same service the CLI uses, with field errors and conflicts', async () => {
    s = await startStationForTest();
    const list = await s.request('GET', '/api/v1/environments/default/agents', { key: s.keys.viewer });
    expect(list.status).toBe(200);
    expect((list.body as { name: string; lastRun: unknown }[]).map((a) => [a.name, a.lastRun])).toEqual([
      ['file-explorer', null],
      ['hello', null],
    ]);
    const hello = await s.request('GET', '/api/v1/environments/default/agents/hello');
    expect(hello.body).toMatchObject({
      agent: { name: 'hello', maxSteps: 3 },
      text: expect.stringContaining('friendly'),
      hash: expect.any(String),
    });

    const created = await s.request('POST', '/api/v1/environments/default/agents', {
      body: {
        name: 'summarizer',
        description: 'Sums up',
        prompt: 'Summarize the input.',
        inputFields: { text: 'string, what to sum up' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/environments/default/agents/summarizer');
    expect(s.engine.agents.get('default', 'summarizer').description).toBe('Sums up');

    const bad = await s.request('POST', '/api/v1/environments/default/agents', {
      body: { name: 'x', maxSteps: 0, color: 'red' },
    });
    expect(bad.status).toBe(400);
    const issues = (bad.body as { error: { details: { issues: Issue[] } } }).error.details.issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'maxSteps', message: 'must be >= 1' },
        { field: 'color', message: 'is not a known field' },
      ]),
    );
    const badName = await s.request('POST', '/api/v1/environments/default/agents', { body: { name: 'a/b' } });
    expect(badName.status).toBe(400);
    const dup = await s.request('POST', '/api/v1/environments/default/agents', {
      body: { name: 'summarizer', prompt: 'x' },
    });
    expect(dup.status).toBe(409);

    const patched = await s.request('PATCH', '/api/v1/environments/default/agents/summarizer', {
      body: { description: 'Sums up text', maxSteps: 4 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: 'Sums up text', maxSteps: 4 });
    const renamed = await s.request('PATCH', '/api/v1/environments/default/agents/summarizer', {
      body: { name: 'digest' },
    });
    expect(renamed.body).toMatchObject({ name: 'digest' });
    expect((await s.request('GET', '/api/v1/environments/default/agents/summarizer')).status).toBe(404);

    const source = (await s.request('GET', '/api/v1/environments/default/agents/digest')).body as {
      text: string;
      hash: string;
    };
    const stale = await s.request('PUT', '/api/v1/environments/default/agents/digest', {
      body: { text: source.text.replace('Sums up text', 'Changed'), expectedHash: 'not-the-hash' },
    });
    expect(stale.status).toBe(409);
    const broken = await s.request('PUT', '/api/v1/environments/default/agents/digest', {
      body: { text: '---\nmax_steps: [\n---\nx' },
    });
    expect(broken.status).toBe(400);
    const replaced = await s.request('PUT', '/api/v1/environments/default/agents/digest', {
      body: { text: source.text.replace('Sums up text', 'Changed'), expectedHash: source.hash },
    });
    expect(replaced.status).toBe(200);
    expect(s.engine.agents.get('default', 'digest').description).toBe('Changed');

    expect((await s.request('DELETE', '/api/v1/environments/default/agents/digest')).status).toBe(204);
    expect(s.engine.agents.list('default').map((a) => a.name)).toEqual(['file-explorer', 'hello']);
    expect((await s.request('DELETE', '/api/v1/environments/default/agents/digest')).status).toBe(404);
  });

  it('runs: start returns 202 with an id; the run completes; events page; bad input is 400 with field errors', async () => {
    s = await startStationForTest({ model: { script: [{ text: 'Hi there!' }] } });
    const started = await s.request('POST', '/api/v1/environments/default/agents/hello/runs', {
      key: s.keys.user,
      body: { input: { userInput: 'say hi' } },
    });
    expect(started.status).toBe(202);
    const id = (started.body as { id: number }).id;
    expect(started.headers.get('location')).toBe(`/api/v1/runs/${String(id)}`);
    const run = await s.waitRun(id);
    expect(run).toMatchObject({ id, agent: 'hello', environment: 'default', status: 'completed', output: 'Hi there!' });
    const events = run.events as { seq: number; type: string }[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run.queued');
    expect(events.at(-1)?.type).toBe('run.finished');

    const page = await s.request('GET', `/api/v1/runs/${String(id)}/events?tail=true&limit=2`, { key: s.keys.viewer });
    expect(page.body).toMatchObject({ hasOlder: true, hasNewer: false, lastSeq: events.length });
    expect((page.body as { events: { seq: number }[] }).events.map((e) => e.seq)).toEqual([
      events.length - 1,
      events.length,
    ]);
    const first = await s.request('GET', `/api/v1/runs/${String(id)}/events?after=0&limit=1`);
    expect(first.body).toMatchObject({ hasOlder: false, hasNewer: true, events: [{ seq: 1, type: 'run.queued' }] });

    const listed = await s.request('GET', '/api/v1/runs?environment=default&status=completed,failed', {
      key: s.keys.viewer,
    });
    expect((listed.body as { id: number }[]).map((r) => r.id)).toEqual([id]);
    expect((await s.request('GET', '/api/v1/runs', { key: s.keys.viewerOther })).body).toEqual([]);
    expect((await s.request('GET', '/api/v1/runs?status=bogus')).status).toBe(400);
    expect((await s.request('GET', '/api/v1/runs?limit=0')).status).toBe(400);
    expect((await s.request('GET', '/api/v1/runs/abc')).status).toBe(400);
    expect((await s.request('GET', '/api/v1/runs/999999')).status).toBe(404);
    expect((await s.request('GET', `/api/v1/runs/${String(id)}`, { key: s.keys.viewerOther })).status).toBe(403);

    const agents = (await s.request('GET', '/api/v1/environments/default/agents')).body as {
      name: string;
      lastRun: unknown;
    }[];
    expect(agents.find((a) => a.name === 'hello')?.lastRun).toMatchObject({ id, status: 'completed' });

    const badInput = await s.request('POST', '/api/v1/environments/default/agents/hello/runs', {
      body: { input: { userInput: 5 } },
    });
    expect(badInput.status).toBe(400);
    expect((badInput.body as { error: { details: { issues: Issue[] } } }).error.details.issues[0]?.field).toContain(
      'userInput',
    );
    const extra = await s.request('POST', '/api/v1/environments/default/agents/hello/runs', {
      body: { input: 'text', speed: 1 },
    });
    expect(extra.status).toBe(400);
    expect((await s.request('POST', '/api/v1/environments/default/agents/nobody/runs', { body: {} })).status).toBe(404);
    expect((await s.request('GET', '/api/v1/runs')).body as unknown[]).toHaveLength(1);

    const metrics = (await s.request('GET', '/metrics')).text;
    expect(metrics).toMatch(/station_agent_execution_duration_seconds_count\{status="completed"\} 1/);
    expect(metrics).toMatch(/station_agents_total 2/);
  });

  it('a full queue answers 429 with Retry-After; queued and running runs can be cancelled', async () => {
    s = await startStationForTest({
      config: 'runner:\n  workers: 1\n  queue_size: 1\n',
      model: { fallback: { text: 'slow answer', delayMs: 30_000 } },
    });
    const start = () =>
      s.request('POST', '/api/v1/environments/default/agents/hello/runs', { body: { input: { userInput: 'x' } } });
    const a = await start();
    await s.model.waitForRequests(1);
    const b = await start();
    expect([a.status, b.status]).toEqual([202, 202]);
    const c = await start();
    expect(c.status).toBe(429);
    expect(c.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(c.body).toMatchObject({ error: { code: 'queue_full' } });
    const idA = (a.body as { id: number }).id;
    const idB = (b.body as { id: number }).id;
    const forbidden = await s.request('POST', `/api/v1/runs/${String(idA)}/cancel`, { key: s.keys.viewer });
    expect(forbidden.status).toBe(403);
    const cancelB = await s.request('POST', `/api/v1/runs/${String(idB)}/cancel`, { key: s.keys.user });
    expect(cancelB.status).toBe(200);
    expect(cancelB.body).toMatchObject({ outcome: 'cancelled', run: { id: idB, status: 'cancelled' } });
    const cancelA = await s.request('POST', `/api/v1/runs/${String(idA)}/cancel`);
    expect(cancelA.body).toMatchObject({ outcome: 'cancelled' });
    expect(await s.waitRun(idA)).toMatchObject({ status: 'cancelled' });
    expect((await s.request('POST', `/api/v1/runs/${String(idA)}/cancel`)).status).toBe(409);
  });

  it('sync: start (202) and result; tools and servers of the environment', async () => {
    s = await startStationForTest();
    const started = await s.request('POST', '/api/v1/environments/default/sync');
    expect(started.status).toBe(202);
    const id = (started.body as { id: string }).id;
    type Job = { status: string; report: { ok: boolean } | null; progress: { message: string }[] };
    const job = await vi.waitFor(
      async () => {
        const body = (await s.request('GET', `/api/v1/syncs/${id}`, { key: s.keys.viewer })).body as Job;
        if (body.status === 'running') throw new Error('the sync is still running');
        return body;
      },
      { timeout: 20_000 },
    );
    expect(job.status).toBe('completed');
    expect(job.report?.ok).toBe(true);
    expect(job.progress.map((p) => p.message)).toContain('starting filesystem');
    expect((await s.request('GET', `/api/v1/syncs/${id}`, { key: s.keys.viewerOther })).status).toBe(403);
    expect((await s.request('GET', '/api/v1/syncs/nope')).status).toBe(404);

    const tools = (await s.request('GET', '/api/v1/environments/default/tools', { key: s.keys.viewer })).body as {
      qualifiedName: string;
    }[];
    expect(tools.map((t) => t.qualifiedName)).toContain('filesystem__read_text_file');
    const servers = (await s.request('GET', '/api/v1/environments/default/servers')).body as {
      name: string;
      status: string;
      envNames: string[];
    }[];
    expect(servers).toEqual([expect.objectContaining({ name: 'filesystem', status: 'ready' })]);
    expect((await s.request('GET', '/api/v1/environments/default/tools?server=nope')).status).toBe(404);
    const check = await s.request('POST', '/api/v1/environments/default/servers/check', { key: s.keys.user });
    expect(check.body).toMatchObject({
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
    const ok = await s.request('POST', '/api/v1/environments/default/agents/file-explorer/runs', {
      body: { input: { userInput: 'what is here?' } },
    });
    expect(await s.waitRun((ok.body as { id: number }).id)).toMatchObject({ status: 'completed', toolCalls: 1 });
    s.model.script([{ status: 400, error: { message: 'bad request from the test' } }]);
    const bad = await s.request('POST', '/api/v1/environments/default/agents/hello/runs', {
      body: { input: { userInput: 'x' } },
    });
    expect(await s.waitRun((bad.body as { id: number }).id)).toMatchObject({ status: 'failed' });
    const metrics = (await s.request('GET', '/metrics')).text;
    expect(metrics).toMatch(/station_mcp_request_duration_seconds_count\{server="filesystem"\} 1/);
    expect(metrics).toMatch(/station_agent_execution_errors_total\{reason="[a-z_]+"\} 1/);
    expect(metrics).toMatch(/station_agent_runs_total\{status="failed"\} 1/);
    expect(metrics).toMatch(/station_http_requests_total\{method="POST",status="202"\} 2/);
  });

  it('ready reports the database and the MCP pools started at boot', async () => {
    s = await startStationForTest();
    const ready = await vi.waitFor(
      async () => {
        const res = await s.request('GET', '/ready');
        expect(res.status, res.text).toBe(200);
        return res;
      },
      { timeout: 10_000 },
    );
    expect(ready.body).toMatchObject({
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
    const servers = (await s.request('GET', '/api/v1/environments/default/servers')).body as {
      live: { state: string; pid?: number } | null;
    }[];
    expect(servers[0]?.live).toMatchObject({ state: 'ready', pid: expect.any(Number) });
  });
});
