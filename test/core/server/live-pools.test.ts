// stn serve keeps live MCP state per environment: an edit of template.json while it runs shows in
// GET /servers and /ready, and the pool of the old config ends.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning, tinyEntry } from '../mcp/helpers.js';
import type { ApiResponse } from './http-client.js';
import { filesystemServerEntry, startStationForTest, type Station } from './station-helpers.js';

interface ServerRow {
  name: string;
  live: { state: string; pid?: number } | null;
}
interface McpReady {
  ok: boolean;
  starting: boolean;
  environments: Record<string, { ok: boolean; servers?: { name: string; state: string }[] }>;
}

describe('live MCP state in stn serve', () => {
  let s: Station;
  afterEach(async () => {
    await s.stop();
  });

  /** Asks until `check` holds for the answer (bounded), and returns that answer. */
  async function until(path: string, check: (res: ApiResponse) => boolean): Promise<ApiResponse> {
    let res = await s.request('GET', path);
    for (let i = 0; i < 400 && !check(res); i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await s.request('GET', path);
    }
    return res;
  }
  const readyServers = (res: ApiResponse): string[] =>
    ((res.body as { checks: { mcp: McpReady } }).checks.mcp.environments.default?.servers ?? []).map(
      (x) => `${x.name}:${x.state}`,
    );
  const serverRows = (res: ApiResponse): string[] =>
    (res.body as ServerRow[]).map((r) => `${r.name}:${r.live?.state ?? 'none'}`);

  it('shows servers added to and removed from template.json while serving, in /servers and /ready', async () => {
    s = await startStationForTest();
    const template = join(s.temp.home, 'environments', 'default', 'template.json');
    const filesystem = { command: process.execPath, args: [filesystemServerEntry(), s.files] };
    const boot = await until('/ready', (r) => r.status === 200);
    expect(readyServers(boot)).toEqual(['filesystem:ready']);
    const before = (await s.request('GET', '/api/v1/environments/default/servers')).body as ServerRow[];
    const oldPid = before[0]?.live?.pid;
    expect(oldPid).toEqual(expect.any(Number));

    // A server added: /ready and the live state follow once the new pool is up.
    writeFileSync(template, JSON.stringify({ mcpServers: { filesystem, tiny: tinyEntry() } }));
    const added = await until('/ready', (r) => r.status === 200 && readyServers(r).includes('tiny:ready'));
    expect(readyServers(added)).toEqual(['filesystem:ready', 'tiny:ready']);
    const servers = await s.request('GET', '/api/v1/environments/default/servers');
    expect(serverRows(servers)).toEqual(['filesystem:ready', 'tiny:ready']);
    // The pool of the old config was closed: its filesystem server ended.
    await expect
      .poll(() => isRunning(oldPid!), { timeout: 10_000, message: 'the old filesystem server to end' })
      .toBe(false);

    // A server removed: it is gone from both.
    writeFileSync(template, JSON.stringify({ mcpServers: { tiny: tinyEntry() } }));
    const removed = await until('/api/v1/environments/default/servers', (r) => serverRows(r).join() === 'tiny:ready');
    expect(serverRows(removed)).toEqual(['tiny:ready']);
    expect(readyServers(await until('/ready', (r) => r.status === 200))).toEqual(['tiny:ready']);
  });

  it('reports an environment whose edited config is broken, and recovers once it is fixed', async () => {
    s = await startStationForTest();
    const template = join(s.temp.home, 'environments', 'default', 'template.json');
    await until('/ready', (r) => r.status === 200);
    writeFileSync(template, JSON.stringify({ mcpServers: { tiny: { ...tinyEntry(), call_timeout_ms: 'soon' } } }));
    const broken = await s.request('GET', '/ready');
    const mcp = (broken.body as { checks: { mcp: McpReady } }).checks.mcp;
    expect(mcp.environments.default).toMatchObject({
      ok: false,
      error: expect.stringContaining('call_timeout_ms') as string,
    });
    writeFileSync(template, JSON.stringify({ mcpServers: { tiny: tinyEntry() } }));
    const fixed = await until('/ready', (r) => r.status === 200);
    expect(readyServers(fixed)).toEqual(['tiny:ready']);
  });
});
