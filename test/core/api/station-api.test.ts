import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Application, openEngine, type Engine, type Principal, type StationApi } from '../../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

let temp: TempHome;
let engine: Engine;
let app: Application;

const key = (role: Principal['role'], environments: Principal['environments'] = '*'): Principal => ({
  keyId: 7,
  name: `${role}-key`,
  prefix: 'stn_x',
  role,
  environments,
});

/** Records a finished run with `events` events (run.queued first, run.finished last). */
function recordRun(env: string, agent: string, events: number, status: 'completed' | 'failed' = 'completed'): number {
  const repo = engine.runs.repo;
  const now = Date.now();
  const id = repo.insertQueued({
    agentName: agent,
    environmentName: env,
    input: {},
    model: 'm',
    pid: process.pid,
    now,
  });
  for (let seq = 1; seq < events; seq++) {
    repo.appendEvent({ runId: id, seq, type: seq === 1 ? 'run.queued' : 'tool.progress', ts: now, dataJson: '{}' });
  }
  repo.finishWithEvent(
    id,
    {
      status,
      stopReason: status === 'completed' ? 'final_answer' : 'error',
      output: 'ok',
      error: null,
      finishedAt: now,
      durationMs: 1,
      steps: 1,
      toolCalls: 0,
      tokens: { input: 0, output: 0, total: 0 },
    },
    { runId: id, seq: events, type: 'run.finished', ts: now, dataJson: '{}' },
  );
  return id;
}

function auditRows(): { actor: string; action: string; target: string }[] {
  return engine.keys
    .auditLog(100)
    .map(({ actor, action, target }) => ({ actor, action, target }))
    .reverse();
}

beforeEach(() => {
  temp = makeInitializedHome();
  engine = openEngine({ home: temp.home });
  app = new Application(engine);
});

afterEach(async () => {
  await engine.close();
  temp.cleanup();
});

describe('the application layer', () => {
  it('audits each change once, with one action name whoever calls, the actor telling them apart', async () => {
    const local = app.local();
    const admin = app.as(key('admin'));
    for (const api of [local, admin]) {
      const name = `a-${api.principal.role}-${String(api.principal.keyId)}`;
      await api.agents.create('default', { name, prompt: 'Hello.' });
      await api.agents.update('default', name, { description: 'changed' });
      const { hash, text } = api.agents.source('default', name);
      await api.agents.replaceText('default', name, text.replace('Hello.', 'Hi.'), { expectedHash: hash });
      api.agents.delete('default', name);
    }
    const rows = auditRows();
    const localRows = rows.filter((r) => r.actor.startsWith('local:'));
    const keyRows = rows.filter((r) => r.actor === 'admin-key');
    expect(localRows.map((r) => r.action)).toEqual(['agent.create', 'agent.update', 'agent.update', 'agent.delete']);
    expect(keyRows.map((r) => r.action)).toEqual(localRows.map((r) => r.action));
    expect(localRows.map((r) => r.target)).toEqual(Array(4).fill('default/a-admin-0'));
    expect(rows).toHaveLength(8);
  });

  it('authorizes before it touches anything: a viewer cannot write, a key sees only its environments', async () => {
    engine.environments.create('staging');
    const viewer = app.as(key('viewer'));
    await expect(viewer.agents.create('default', { name: 'x', prompt: 'p' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(() => engine.agents.get('default', 'x')).toThrow(/x/);
    const staging = app.as(key('user', ['staging']));
    expect(staging.environments.list().map((e) => e.name)).toEqual(['staging']);
    expect(() => staging.agents.list('default')).toThrow(/no access to environment "default"/);
    recordRun('default', 'file-explorer', 2);
    const mine = recordRun('staging', 'file-explorer', 2);
    expect(staging.runs.list().map((r) => r.id)).toEqual([mine]);
    expect(() => staging.runs.get(mine - 1)).toThrow(/no access/);
    // Nothing changed; each refusal is audited as denied, with the reason.
    const denied = engine.audit.list().reverse();
    expect(denied.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ['viewer-key', 'access.write', 'denied'],
      ['user-key', 'access.read', 'denied'],
      ['user-key', 'access.read', 'denied'],
    ]);
    expect(denied[0]?.reason).toContain('may not');
  });

  it('lists runs by several statuses and gives each agent its newest run', () => {
    const api: StationApi = app.local();
    const a1 = recordRun('default', 'alpha', 2, 'completed');
    const b1 = recordRun('default', 'beta', 2, 'failed');
    const a2 = recordRun('default', 'alpha', 2, 'failed');
    recordRun('default', 'gamma', 2, 'completed');
    expect(api.runs.list({ status: ['failed'] }).map((r) => r.id)).toEqual([a2, b1]);
    expect(api.runs.list({ status: ['failed', 'completed'], agent: 'alpha' }).map((r) => r.id)).toEqual([a2, a1]);
    const last = api.agents.lastRuns('default');
    expect(last.get('alpha')).toMatchObject({ id: a2, status: 'failed' });
    expect(last.get('beta')).toMatchObject({ id: b1, status: 'failed' });
    expect(api.agents.list('default').every((a) => a.lastRun === null)).toBe(true);
  });

  it('pages through events: tail, before, after, with hasOlder, hasNewer and lastSeq', () => {
    const api = app.local();
    const id = recordRun('default', 'alpha', 25);
    const tail = api.runs.events(id, { tail: true, limit: 10 });
    expect(tail.events.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(tail).toMatchObject({ hasOlder: true, hasNewer: false, lastSeq: 25 });
    const back = api.runs.events(id, { before: 16, limit: 10 });
    expect(back.events.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(back).toMatchObject({ hasOlder: true, hasNewer: true });
    const first = api.runs.events(id, { before: 6, limit: 10 });
    expect(first.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.hasOlder).toBe(false);
    const forward = api.runs.events(id, { after: 20, limit: 3 });
    expect(forward.events.map((e) => e.seq)).toEqual([21, 22, 23]);
    expect(forward).toMatchObject({ hasOlder: true, hasNewer: true });
    const end = api.runs.events(id, { after: 25, limit: 3 });
    expect(end).toMatchObject({ events: [], hasOlder: true, hasNewer: false, lastSeq: 25 });
    expect(() => api.runs.events(id + 1, { tail: true, limit: 1 })).toThrow(/run \d+ does not exist/);
  });

  it('cancels through the service and audits it; a finished run is a conflict and is not audited', () => {
    const api = app.as(key('user'));
    const id = recordRun('default', 'alpha', 2);
    expect(() => api.runs.cancel(id, 'cli')).toThrow(/already finished/);
    expect(auditRows()).toEqual([]);
  });

  it('shows the recorded stderr tail of a server, and live state when the process keeps a pool', () => {
    const live = new Application(engine, {
      liveServers: (env) =>
        env === 'default'
          ? [
              {
                name: 'filesystem',
                transport: 'stdio',
                state: 'ready',
                stderrTail: 'hello',
                toolCount: 3,
                startMs: 5,
                restarts: 0,
              },
            ]
          : undefined,
    });
    const servers = live.local().mcp.servers('default');
    expect(servers.map((s) => s.name)).toEqual(['filesystem']);
    expect(servers[0]).toMatchObject({ stderrTail: '', live: { state: 'ready', stderrTail: 'hello' } });
    expect(app.local().mcp.servers('default')[0]?.live).toBeNull();
  });
});
