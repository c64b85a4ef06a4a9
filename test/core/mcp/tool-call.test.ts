// Calling a tool by hand and listing what servers offer, through the application layer (authorization and
// audit included), against real servers: server-everything, server-filesystem and the tiny fixture server.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Application,
  McpError,
  NotFoundError,
  StationError,
  ValidationError,
  openEngine,
  type Engine,
  type Principal,
  type StationApi,
} from '../../../src/core/index.js';
import { maskAnswer, matchesUriTemplate } from '../../../src/core/mcp/offerings.js';
import type { TempHome } from '../../helpers/home.js';
import {
  EVERYTHING_SERVER,
  FILESYSTEM_SERVER,
  expectAllEnded,
  fixtureHome,
  pidsIn,
  tinyEntry,
  writeTemplate,
} from './helpers.js';

const SECRET = 'tok_zyxw98765';

let home: TempHome;
let engine: Engine;
let local: StationApi;
let app: Application;
let files: string;

const key = (role: Principal['role']): Principal => ({
  keyId: 9,
  name: `${role}-key`,
  prefix: 'stn_y',
  role,
  environments: ['default'],
});

function callAudits(): { action: string; target: string; details: unknown }[] {
  return engine.keys
    .auditLog(100)
    .filter((r) => r.action === 'mcp.call')
    .map(({ action, target, details }) => ({ action, target, details }))
    .reverse();
}

/** The StationError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<StationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StationError);
  return error as StationError;
}

beforeAll(() => {
  const fixture = fixtureHome();
  home = fixture.home;
  files = join(home.home, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'notes.txt'), 'hello from the files\n');
  writeTemplate(fixture.envDir, {
    everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
    fs: { command: process.execPath, args: [FILESYSTEM_SERVER, files] },
    tiny: { ...tinyEntry(), env: { API_TOKEN: '{{ .API_TOKEN }}' } },
    broken: tinyEntry('--stderr', 'loading config', '--fail-start', 'Error: missing --root'),
  });
  engine = openEngine({ home: home.home, env: { ...process.env, API_TOKEN: SECRET } });
  app = new Application(engine);
  local = app.local();
});

afterAll(async () => {
  await engine.close();
  home.cleanup();
});

describe('calling a tool by hand', { timeout: 60_000 }, () => {
  it('answers with the raw result and its duration: text, images (base64 whole), structured content', async () => {
    const echo = await local.mcp.callTool('default', 'everything__echo', { message: 'hi there' });
    expect(echo).toMatchObject({
      environment: 'default',
      server: 'everything',
      tool: 'echo',
      qualifiedName: 'everything__echo',
      result: { isError: false, content: [{ type: 'text', text: 'Echo: hi there' }] },
    });
    expect(echo.durationMs).toBeGreaterThan(0);

    const image = await local.mcp.callTool('default', '__get-tiny-image', {});
    const png = image.result.content.find((c) => (c as { type: string }).type === 'image') as {
      data: string;
      mimeType: string;
    };
    expect(png.mimeType).toBe('image/png');
    expect(Buffer.from(png.data, 'base64').subarray(1, 4).toString()).toBe('PNG');

    const weather = await local.mcp.callTool('default', 'everything__get-structured-content', { location: 'Chicago' });
    expect(weather.result.structuredContent).toMatchObject({ temperature: expect.any(Number) as number });

    const sum = await local.mcp.callTool('default', 'tiny__add', { a: 2, b: 3 });
    expect(sum.result).toEqual({
      content: [{ type: 'text', text: '5' }],
      structuredContent: { sum: 5 },
      isError: false,
    });
  });

  it('a tool that reports an error is a result with isError, not a throw', async () => {
    const denied = await local.mcp.callTool('default', 'fs__read_text_file', { path: '/etc/hostname' });
    expect(denied.result.isError).toBe(true);
    expect(JSON.stringify(denied.result.content)).toContain('Access denied');
  });

  it('masks secrets in the answer, as in errors', async () => {
    const r = await local.mcp.callTool('default', 'tiny__env', { name: 'API_TOKEN' });
    expect(r.result.content).toEqual([{ type: 'text', text: '[secret:API_TOKEN]' }]);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('resolves __tool only when one server has it; an ambiguous one lists the choices (5)', async () => {
    expect((await local.mcp.callTool('default', '__list_allowed_directories', {})).qualifiedName).toBe(
      'fs__list_allowed_directories',
    );
    const ambiguous = await failure(local.mcp.callTool('default', '__echo', { text: 'x' }));
    expect(ambiguous).toBeInstanceOf(ValidationError);
    expect(ambiguous.exitCode).toBe(5);
    expect(ambiguous.message).toBe('"__echo" could be everything__echo or tiny__echo: name the server');
  });

  it('an unknown tool is not found (3) with close names; a server that is down says why (8)', async () => {
    const typo = await failure(local.mcp.callTool('default', 'everything__get_sum', {}));
    expect(typo).toBeInstanceOf(NotFoundError);
    expect(typo.message).toBe('no tool "everything__get_sum" in environment "default"');
    expect(typo.hints[0]).toMatch(/^Did you mean: "everything__get-sum"/);
    const bare = await failure(local.mcp.callTool('default', '__read_fil', {}));
    expect(bare.hints[0]).toContain('"fs__read_file"');
    const otherServer = await failure(local.mcp.callTool('default', 'everything__read_file', {}));
    expect(otherServer.hints[0]).toBe('Did you mean: "fs__read_file"?');

    const down = await failure(local.mcp.callTool('default', 'broken__echo', { text: 'x' }));
    expect(down).toBeInstanceOf(McpError);
    expect(down.exitCode).toBe(8);
    expect(down.message).toBe('MCP server "broken" is not available: exited with code 3 before it finished starting');
    expect(down.hints.join('\n')).toContain('Error: missing --root');
  });

  it('checks the arguments against the input schema (5), naming each field', async () => {
    const missing = await failure(local.mcp.callTool('default', 'everything__get-sum', { a: 1 }));
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing.message).toBe('arguments for everything__get-sum are invalid: b: is required (Second number)');
    expect(missing.details?.issues).toEqual([{ field: 'b', message: 'is required (Second number)' }]);
    expect(missing.details?.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });

    const wrongType = await failure(local.mcp.callTool('default', 'tiny__add', { a: 'one', b: 2 }));
    expect(wrongType.details?.issues).toEqual([{ field: 'a', message: 'expected number, got string "one"' }]);

    const notObject = await failure(local.mcp.callTool('default', 'tiny__add', [1, 2]));
    expect(notObject.exitCode).toBe(5);
    expect(notObject.details?.issues).toEqual([{ field: 'args', message: 'expected a JSON object, got a list' }]);
  });

  it('reports progress, and a cancelled call ends with mcp_cancelled', async () => {
    const progress: number[] = [];
    const controller = new AbortController();
    const call = local.mcp.callTool(
      'default',
      'tiny__slow',
      { steps: 100, stepMs: 30 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (progress.push(p.progress) === 2) controller.abort();
        },
      },
    );
    expect((await failure(call)).code).toBe('mcp_cancelled');
    expect(progress.slice(0, 2)).toEqual([1, 2]);
  });

  it('needs the run action; each call sent is audited with its outcome, never its arguments', async () => {
    const viewer = app.as(key('viewer'));
    const before = callAudits().length;
    expect((await failure(viewer.mcp.callTool('default', 'tiny__echo', { text: 'x' }))).code).toBe('forbidden');
    await failure(local.mcp.callTool('default', 'tiny__nope', {}));
    await failure(local.mcp.callTool('default', 'tiny__add', {}));
    expect(callAudits()).toHaveLength(before);

    const user = app.as(key('user'));
    await user.mcp.callTool('default', 'tiny__echo', { text: 'secret words' });
    await user.mcp.callTool('default', 'fs__read_text_file', { path: '/etc/hostname' });
    expect(callAudits().slice(before)).toEqual([
      { action: 'mcp.call', target: 'default/tiny__echo', details: { outcome: 'ok' } },
      { action: 'mcp.call', target: 'default/fs__read_text_file', details: { outcome: 'tool_error' } },
    ]);
    expect(JSON.stringify(engine.keys.auditLog(100))).not.toContain('secret words');
  });
});

describe('what servers offer', { timeout: 60_000 }, () => {
  it('lists resources and templates per server; a server without resources is unsupported, a dead one failed', async () => {
    const listing = await app.as(key('viewer')).mcp.resources('default');
    expect(listing.environment).toBe('default');
    const by = Object.fromEntries(listing.servers.map((s) => [s.server, s]));
    expect(Object.keys(by).sort()).toEqual(['broken', 'everything', 'fs', 'tiny']);
    expect(by.everything?.status).toBe('ok');
    expect(by.everything?.resources).toContainEqual({
      uri: 'demo://resource/static/document/instructions.md',
      name: 'instructions.md',
      title: null,
      description: 'Static document file exposed from /docs: instructions.md',
      mimeType: 'text/markdown',
    });
    expect(by.everything?.templates.map((t) => t.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    expect(by.fs).toEqual({ server: 'fs', status: 'unsupported', resources: [], templates: [] });
    expect(by.broken).toMatchObject({ status: 'failed', error: expect.stringContaining('not available') as string });

    const one = await local.mcp.resources('default', { server: 'fs' });
    expect(one.servers.map((s) => s.server)).toEqual(['fs']);
    expect((await failure(local.mcp.resources('default', { server: 'nope' }))).exitCode).toBe(3);
  });

  it('lists prompts with their arguments', async () => {
    const listing = await local.mcp.prompts('default', { server: 'everything' });
    expect(listing.servers[0]?.status).toBe('ok');
    expect(listing.servers[0]?.prompts).toContainEqual({
      name: 'args-prompt',
      title: 'Arguments Prompt',
      description: 'A prompt with two arguments, one required and one optional',
      arguments: [
        { name: 'city', description: 'Name of the city', required: true },
        { name: 'state', description: '', required: false },
      ],
    });
    const tiny = await local.mcp.prompts('default', { server: 'tiny' });
    expect(tiny.servers).toEqual([{ server: 'tiny', status: 'unsupported', prompts: [] }]);
  });

  it('reads a resource from the server that lists it or whose template matches; needs the run action', async () => {
    const doc = await local.mcp.readResource('default', 'demo://resource/static/document/instructions.md');
    expect(doc.server).toBe('everything');
    expect(doc.contents[0]?.text).toContain('Everything Server');
    const blob = await local.mcp.readResource('default', 'demo://resource/dynamic/blob/1');
    expect(blob.contents[0]?.blob).toEqual(expect.any(String));
    const unknown = await failure(local.mcp.readResource('default', 'demo://nothing'));
    expect(unknown.exitCode).toBe(3);
    expect(unknown.message).toBe('no MCP server of "default" lists demo://nothing');
    expect((await failure(app.as(key('viewer')).mcp.readResource('default', 'demo://x'))).code).toBe('forbidden');
  });
});

describe('which servers a request starts', { timeout: 60_000 }, () => {
  it('a call naming its server starts that server alone, unless the environment pool is running', async () => {
    const fixture = fixtureHome();
    const pidFile = join(fixture.home.home, 'pids');
    writeTemplate(fixture.envDir, {
      one: tinyEntry('--pid-file', pidFile),
      two: tinyEntry('--pid-file', pidFile),
    });
    const own = openEngine({ home: fixture.home.home });
    let pids: number[] = [];
    try {
      const api = new Application(own).local();
      await api.mcp.callTool('default', 'one__echo', { text: 'a' });
      await api.mcp.prompts('default', { server: 'one' });
      expect(pidsIn(pidFile)).toHaveLength(1);
      // `__echo` needs every server to be resolved (and here it is ambiguous).
      expect((await failure(api.mcp.callTool('default', '__echo', { text: 'a' }))).exitCode).toBe(5);
      expect(pidsIn(pidFile)).toHaveLength(3);
      // Now that the environment's pool runs, requests about one server use it.
      await api.mcp.callTool('default', 'two__echo', { text: 'b' });
      await api.mcp.resources('default', { server: 'two' });
      expect(pidsIn(pidFile)).toHaveLength(3);
    } finally {
      pids = pidsIn(pidFile);
      await own.close();
      fixture.home.cleanup();
    }
    await expectAllEnded(pids);
  });
});

describe('answer helpers', () => {
  it('masks text but never base64 payloads', () => {
    const redact = (t: string): string => t.replaceAll('abcd', '***');
    expect(
      maskAnswer(
        [
          { type: 'text', text: 'key abcd' },
          { type: 'image', data: 'abcdabcd', mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'x://abcd', blob: 'abcd' } },
        ],
        redact,
      ),
    ).toEqual([
      { type: 'text', text: 'key ***' },
      { type: 'image', data: 'abcdabcd', mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'x://***', blob: 'abcd' } },
    ]);
  });

  it('matches URIs against RFC 6570 templates', () => {
    expect(matchesUriTemplate('demo://text/{id}', 'demo://text/42')).toBe(true);
    expect(matchesUriTemplate('demo://text/{id}', 'demo://blob/42')).toBe(false);
    expect(matchesUriTemplate('file:///{+path}', 'file:///a/b.c')).toBe(true);
    expect(matchesUriTemplate('a.b/{x}', 'aXb/1')).toBe(false);
  });
});
