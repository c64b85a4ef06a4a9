// stn serve keeps live MCP state per environment: an edit of template.json while it runs shows in
// GET /servers and /ready, and the pool of the old config ends.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReadyView, ServerView } from '../../../src/core/index.js';
import { isRunning, tinyEntry } from '../mcp/helpers.js';
import { filesystemServerEntry, startStationForTest, type Station } from './station-helpers.js';

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

  /** Asks until `check` holds for the answer, and returns that answer. */
  const until = <T>(read: () => Promise<T>, check: (answer: T) => boolean): Promise<T> =>
    vi.waitFor(
      async () => {
        const answer = await read();
        if (!check(answer)) throw new Error(`not yet: ${JSON.stringify(answer).slice(0, 300)}`);
        return answer;
      },
      { timeout: 20_000, interval: 50 },
    );
  const ready = (): Promise<ReadyView> => s.api.ready();
  const isReady = (r: ReadyView): boolean => r.status === 'ready';
  const servers = (): Promise<ServerView[]> => s.api.listServers('default');
  const readyServers = (r: ReadyView): string[] =>
    ((r.checks?.mcp as McpReady).environments.default?.servers ?? []).map((x) => `${x.name}:${x.state}`);
  const serverRows = (rows: ServerView[]): string[] => rows.map((r) => `${r.name}:${r.live?.state ?? 'none'}`);

  it('shows servers added to and removed from template.json while serving, in /servers and /ready', async () => {
    s = await startStationForTest();
    const template = join(s.temp.home, 'environments', 'default', 'template.json');
    const filesystem = { command: process.execPath, args: [filesystemServerEntry(), s.files] };
    const boot = await until(ready, isReady);
    expect(readyServers(boot)).toEqual(['filesystem:ready']);
    const oldPid = (await servers())[0]?.live?.pid;
    expect(oldPid).toEqual(expect.any(Number));

    // A server added: /ready and the live state follow once the new pool is up.
    writeFileSync(template, JSON.stringify({ mcpServers: { filesystem, tiny: tinyEntry() } }));
    const added = await until(ready, (r) => isReady(r) && readyServers(r).includes('tiny:ready'));
    expect(readyServers(added)).toEqual(['filesystem:ready', 'tiny:ready']);
    expect(serverRows(await servers())).toEqual(['filesystem:ready', 'tiny:ready']);
    // The pool of the old config was closed: its filesystem server ended.
    await expect
      .poll(() => isRunning(oldPid!), { timeout: 10_000, message: 'the old filesystem server to end' })
      .toBe(false);

    // A server removed: it is gone from both.
    writeFileSync(template, JSON.stringify({ mcpServers: { tiny: tinyEntry() } }));
    const removed = await until(servers, (rows) => serverRows(rows).join() === 'tiny:ready');
    expect(serverRows(removed)).toEqual(['tiny:ready']);
    expect(readyServers(await until(ready, isReady))).toEqual(['tiny:ready']);
  });

  it('reports an environment whose edited config is broken, and recovers once it is fixed', async () => {
    s = await startStationForTest();
    const template = join(s.temp.home, 'environments', 'default', 'template.json');
    await until(ready, isReady);
    writeFileSync(template, JSON.stringify({ mcpServers: { tiny: { ...tinyEntry(), call_timeout_ms: 'soon' } } }));
    const mcp = (await ready()).checks?.mcp as McpReady;
    expect(mcp.environments.default).toMatchObject({
      ok: false,
      error: expect.stringContaining('call_timeout_ms') as string,
    });
    writeFileSync(template, JSON.stringify({ mcpServers: { tiny: tinyEntry() } }));
    const fixed = await until(ready, isReady);
    expect(readyServers(fixed)).toEqual(['tiny:ready']);
  });
});
