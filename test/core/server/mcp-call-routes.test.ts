// REST: calling a tool by hand and listing what the servers offer, over `stn serve`'s running pool.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ExitCode } from '../../../src/core/index.js';
import { startStationForTest, type Station } from './station-helpers.js';

describe('REST: tool calls, resources, prompts', () => {
  let s: Station;
  beforeAll(async () => {
    s = await startStationForTest();
    writeFileSync(join(s.files, 'notes.txt'), 'from the files\n');
  });
  afterAll(async () => {
    await s.stop();
  });

  it('calls a tool with arguments: the raw result and its duration; a tool error is a 200 with isError', async () => {
    const user = s.api.withKey(s.keys.user);
    const read = await user.callTool('default', 'filesystem__read_text_file', {
      arguments: { path: join(s.files, 'notes.txt') },
    });
    expect(read).toMatchObject({
      environment: 'default',
      server: 'filesystem',
      tool: 'read_text_file',
      qualifiedName: 'filesystem__read_text_file',
      result: { isError: false, content: [{ type: 'text', text: 'from the files\n' }] },
    });
    expect(read.durationMs).toBeGreaterThan(0);

    const denied = await user.callTool('default', '__read_text_file', { arguments: { path: '/etc/hostname' } });
    expect(denied.result.isError).toBe(true);
    expect(s.engine.keys.auditLog(10)[0]).toMatchObject({
      actor: 'user',
      action: 'mcp.call',
      target: 'default/filesystem__read_text_file',
      details: { outcome: 'tool_error' },
    });
  });

  it('bad arguments are a 400 naming the field; an unknown tool a 404 with close names', async () => {
    const bad = await s.api
      .callTool('default', 'filesystem__read_text_file', { arguments: { path: 3 } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad).toMatchObject({ status: 400, code: 'invalid', exitCode: ExitCode.INVALID });
    expect((bad as ApiError).details?.issues).toEqual([{ field: 'path', message: 'expected string, got number 3' }]);

    const notObject = await s.raw('POST', '/api/v1/environments/default/tools/filesystem__read_text_file/call', {
      body: { arguments: ['x'] },
    });
    expect(notObject.status).toBe(400);

    const unknown = await s.api.callTool('default', 'filesystem__read_fil').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404, exitCode: ExitCode.NOT_FOUND });
    expect((unknown as ApiError).hints[0]).toContain('"filesystem__read_file"');
  });

  it('lists resources and prompts: a server that offers none is unsupported, not an error', async () => {
    const viewer = s.api.withKey(s.keys.viewer);
    expect(await viewer.listResources('default')).toEqual({
      environment: 'default',
      servers: [{ server: 'filesystem', status: 'unsupported', resources: [], templates: [] }],
    });
    expect(await viewer.listPrompts('default', { server: 'filesystem' })).toEqual({
      environment: 'default',
      servers: [{ server: 'filesystem', status: 'unsupported', prompts: [] }],
    });
    const unknown = await viewer.listPrompts('default', { server: 'nope' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404 });
  });
});
