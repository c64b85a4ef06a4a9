import Database from 'better-sqlite3-multiple-ciphers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, openDatabase, ValidationError, type RunSummary } from '../../../src/core/index.js';
import { createStationMcpServer } from '../../../src/core/mcp-server/index.js';
import { MIGRATIONS } from '../../../src/core/store/migrations/index.js';
import { makeTempHome } from '../../helpers/home.js';
import { startStationForTest, type Station } from '../server/station-helpers.js';

// Every door records what started a run (migration 004), and every door filters on it.
let station: Station;
let client: Client;
const ids: Record<string, number> = {};

beforeAll(async () => {
  station = await startStationForTest();
  const app = new Application(station.engine);
  // By hand (the CLI's door), over REST, over MCP (stdio's door).
  const manual = await app.local('cli').runs.start('default', 'hello', { userInput: 'by hand' });
  ids.manual = manual.runId;
  await manual.done;
  const rest = await station.api.startRun('default', 'hello', { input: { userInput: 'over REST' } });
  ids.api = rest.id;
  await station.waitRun(rest.id);
  const server = createStationMcpServer(app.local('mcp-stdio'), { environment: 'default', version: '1.0.0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(b);
  const viaMcp = (await client.callTool({
    name: 'run_agent',
    arguments: { name: 'hello', input: { userInput: 'over MCP' } },
  })) as {
    content: { text: string }[];
  };
  ids.mcp = (JSON.parse(viaMcp.content[0]?.text ?? '{}') as { runId: number }).runId;
  await station.waitRun(ids.mcp);
}, 60_000);

afterAll(async () => {
  await client.close();
  await station.stop();
});

describe('run triggers', () => {
  it('each door records its trigger; the run views carry trigger and scheduledAt', async () => {
    const runs = station.engine.runs.list({});
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(ids.manual!)).toMatchObject({ trigger: 'manual', scheduledAt: null });
    expect(byId.get(ids.api!)).toMatchObject({ trigger: 'api', scheduledAt: null });
    expect(byId.get(ids.mcp!)).toMatchObject({ trigger: 'mcp', scheduledAt: null });
    expect(await station.api.getRun(ids.api!, { events: false })).toMatchObject({ trigger: 'api' });
  });

  it('core: list filters by one or several triggers; an unknown trigger names the known ones', () => {
    const api = new Application(station.engine).local('cli');
    expect(api.runs.list({ trigger: ['mcp'] }).map((r) => r.id)).toEqual([ids.mcp]);
    expect(api.runs.list({ trigger: ['manual', 'api'] }).map((r) => r.id)).toEqual([ids.api, ids.manual]);
    expect(api.runs.list({ trigger: ['schedule'] })).toEqual([]);
    let error: unknown;
    try {
      api.runs.list({ trigger: ['cron'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('unknown run trigger "cron"');
    expect((error as ValidationError).issues[0]?.message).toBe('expected one of: manual, api, mcp, schedule, import');
  });

  it('REST: GET /api/v1/runs?trigger= filters, and a bad trigger is a 400 listing the valid ones', async () => {
    const viaRest = await station.api.listRuns({ trigger: ['api'] });
    expect(viaRest.map((r: RunSummary) => r.id)).toEqual([ids.api]);
    const both = await station.raw('GET', '/api/v1/runs?trigger=mcp,manual');
    expect((both.body as RunSummary[]).map((r) => r.id)).toEqual([ids.mcp, ids.manual]);
    const bad = await station.raw('GET', '/api/v1/runs?trigger=nightly');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('expected one of: manual, api, mcp, schedule, import');
  });

  it('MCP: list_runs takes a trigger', async () => {
    const result = (await client.callTool({ name: 'list_runs', arguments: { trigger: 'api' } })) as {
      content: { text: string }[];
    };
    expect((JSON.parse(result.content[0]?.text ?? '[]') as RunSummary[]).map((r) => r.id)).toEqual([ids.api]);
  });
});

describe('schedules over REST and MCP', () => {
  it('list, show, pause, resume and run through both doors', async () => {
    writeFileSync(
      join(station.temp.home, 'environments', 'default', 'agents', 'nightly.prompt'),
      '---\nmetadata:\n  name: nightly\nschedule:\n  cron: "0 2 * * *"\n  timezone: UTC\n  variables:\n    userInput: scan\n---\nScan.\n',
    );
    const list = await station.raw('GET', '/api/v1/schedules');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ agent: 'nightly', cron: '0 2 * * *', paused: false })]);
    const paused = await station.raw('POST', '/api/v1/environments/default/schedules/nightly/pause');
    expect(paused.body).toMatchObject({ paused: true, pausedBy: 'admin', next: [] });
    const viewer = await station.raw('POST', '/api/v1/environments/default/schedules/nightly/resume', {
      key: station.keys.viewer,
    });
    expect(viewer.status).toBe(403);
    const text = (r: unknown): string => (r as { content: { text: string }[] }).content[0]?.text ?? '';
    const shown = JSON.parse(text(await client.callTool({ name: 'get_schedule', arguments: { agent: 'nightly' } })));
    expect(shown).toMatchObject({ paused: true, next: [] });
    const resumed = JSON.parse(
      text(await client.callTool({ name: 'resume_schedule', arguments: { agent: 'nightly' } })),
    );
    expect(resumed).toMatchObject({ paused: false });
    expect(resumed.next).toHaveLength(3);
    const started = await station.raw('POST', '/api/v1/environments/default/schedules/nightly/run');
    expect(started.status).toBe(202);
    const run = await station.waitRun((started.body as { id: number }).id);
    expect(run).toMatchObject({ agent: 'nightly', trigger: 'api', input: { userInput: 'scan' } });
    const missing = await station.raw('GET', '/api/v1/environments/default/schedules/hello');
    expect(missing.status).toBe(404);
  });
});

describe('migration 004', () => {
  it('gives runs recorded before it the trigger manual and no fire time', () => {
    const temp = makeTempHome();
    try {
      const file = join(temp.home, 'station.db');
      openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 4) }).close();
      const raw = new Database(file);
      raw
        .prepare(
          `INSERT INTO agent_runs (agent_name, environment_name, status, created_at) VALUES ('old', 'default', 'completed', 1)`,
        )
        .run();
      raw.close();
      const db = openDatabase(file);
      expect(db.prepare('SELECT trigger, scheduled_at FROM agent_runs').get()).toEqual({
        trigger: 'manual',
        scheduled_at: null,
      });
      db.close();
    } finally {
      temp.cleanup();
    }
  });
});
