import { createServer, type IncomingHttpHeaders } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { McpPool, type PoolEvent } from '../../../src/core/mcp/pool.js';
import { ProcessGuard } from '../../../src/core/mcp/process-guard.js';
import { McpError, isStationError } from '../../../src/core/index.js';
import {
  EVERYTHING_SERVER,
  FILESYSTEM_SERVER,
  TINY_SERVER,
  expectAllEnded,
  freePort,
  httpConfig,
  isRunning,
  pidsIn,
  startEverythingHttp,
  stdioConfig,
} from './helpers.js';

let dir: string;
const pools: McpPool[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-pool-'));
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function start(...args: Parameters<typeof McpPool.start>): Promise<McpPool> {
  const pool = await McpPool.start(...args);
  pools.push(pool);
  return pool;
}

async function rejection(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof McpError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

describe('McpPool with the tiny fixture server (stdio)', () => {
  it('discovers tools with qualified names, descriptions and input schemas, and calls them', async () => {
    const pool = await start([stdioConfig('tiny', [TINY_SERVER, '--extra-tools', '2'])]);
    const [status] = pool.status();
    expect(status).toMatchObject({
      name: 'tiny',
      state: 'ready',
      toolCount: 7,
      transport: 'stdio',
      serverInfo: { name: 'tiny' },
    });
    const tools = pool.tools();
    expect(tools.map((t) => t.qualifiedName)).toEqual([
      'tiny__add',
      'tiny__crash',
      'tiny__echo',
      'tiny__env',
      'tiny__slow',
      'tiny__t1',
      'tiny__t2',
    ]);
    const add = tools.find((t) => t.name === 'add');
    expect(add).toMatchObject({ server: 'tiny', description: 'Adds two numbers' });
    expect(add?.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });

    const sum = await pool.callTool('tiny', 'add', { a: 2, b: 3 });
    expect(sum).toMatchObject({ isError: false, text: '5', structuredContent: { sum: 5 } });
    expect(sum.content).toEqual([{ type: 'text', text: '5' }]);
  });

  it('answers every call of a burst sent in one turn, each with its own result', async () => {
    const pool = await start([stdioConfig('tiny', [TINY_SERVER])]);
    const texts = Array.from({ length: 40 }, (_, i) => `call ${String(i)} ${'x'.repeat(i * 50)}`);
    const results = await Promise.all(texts.map((text) => pool.callTool('tiny', 'echo', { text })));
    expect(results.map((r) => r.text)).toEqual(texts);
    // And the next turn's calls go out on their own.
    expect((await pool.callTool('tiny', 'add', { a: 1, b: 2 })).text).toBe('3');
  });

  it('gives a server-side error as an isError result the model can read', async () => {
    const pool = await start([stdioConfig('tiny', [TINY_SERVER])]);
    const bad = await pool.callTool('tiny', 'add', { a: 'one', b: 2 });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/Input validation error/);
  });

  it('rejects unknown servers and tools with the names that exist', async () => {
    const pool = await start([stdioConfig('tiny', [TINY_SERVER])]);
    await expect(pool.callTool('nope', 'echo', {})).rejects.toThrow(/no MCP server "nope".*/);
    await expect(pool.callTool('tiny', 'nope', {})).rejects.toMatchObject({
      code: 'not_found',
      hints: [expect.stringContaining('echo') as string],
    });
  });

  it("times a call out after the server's call_timeout_ms, else the pool's callTimeoutMs; progress restarts the wait", async () => {
    const pool = await start(
      [stdioConfig('own', [TINY_SERVER], { callTimeoutMs: 300 }), stdioConfig('pooled', [TINY_SERVER])],
      { callTimeoutMs: 1500 },
    );
    const progress: number[] = [];
    // 4 steps of 600 ms = 2.4 s in all, longer than the 1500 ms timeout, but progress arrives every 600 ms.
    const done = await pool.callTool(
      'pooled',
      'slow',
      { steps: 4, stepMs: 600 },
      { onProgress: (p) => progress.push(p.progress) },
    );
    expect(done.text).toBe('done after 4 steps');
    // The last notification can lose the race with the result it precedes: the first three always arrive.
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);

    // The server's own setting wins over the pool's: the same 1 s call fails on "own" and passes on "pooled".
    const own = await rejection(pool.callTool('own', 'slow', { steps: 1, stepMs: 1000 }));
    expect(own.code).toBe('mcp_timeout');
    expect(own.message).toBe(
      'MCP server "own": tool "slow" got no answer or progress for 300 ms ("call_timeout_ms" in template.json)',
    );
    expect(own.hints[0]).toMatch(/Raise "call_timeout_ms" in template.json, or have the tool send progress/);
    expect((await pool.callTool('pooled', 'slow', { steps: 1, stepMs: 1000 })).text).toBe('done after 1 steps');

    const pooled = await rejection(pool.callTool('pooled', 'slow', { steps: 1, stepMs: 5000 }));
    expect(pooled.message).toMatch(
      /no answer or progress for 1500 ms \(runner\.tool_timeout_seconds in config\.yaml\)$/,
    );
    // The server is still usable afterwards.
    expect((await pool.callTool('own', 'echo', { text: 'still here' })).text).toBe('still here');
  });

  it('cancels a call through its AbortSignal and tells the server (notifications/cancelled)', async () => {
    const marker = join(dir, 'cancelled.txt');
    const pool = await start([stdioConfig('tiny', [TINY_SERVER, '--cancel-file', marker])]);
    const controller = new AbortController();
    // Aborted once the server is inside the handler (its first progress notification), not after a fixed delay.
    const call = pool.callTool(
      'tiny',
      'slow',
      { steps: 100, stepMs: 100 },
      { signal: controller.signal, onProgress: () => controller.abort(new Error('user pressed Ctrl-C')) },
    );
    const error = await rejection(call);
    expect(error.code).toBe('mcp_cancelled');
    // The server's handler saw the cancellation: only notifications/cancelled aborts it. Its content is what is
    // waited for: the file exists, empty, between its creation and the write.
    await expect
      .poll(() => (existsSync(marker) ? readFileSync(marker, 'utf8') : ''), {
        timeout: 10_000,
        message: 'the server to record the cancellation',
      })
      .toContain('cancelled');
    // An already aborted signal fails at once.
    await expect(pool.callTool('tiny', 'echo', { text: 'x' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'mcp_cancelled',
    });
  });

  it('restarts a crashed server with backoff; calls fail fast while it is down', async () => {
    const events: PoolEvent[] = [];
    const pidFile = join(dir, 'crash.pids');
    const pool = await start([stdioConfig('tiny', [TINY_SERVER, '--pid-file', pidFile])], {
      restart: { baseDelayMs: 400 },
      onEvent: (e) => events.push(e),
    });
    const firstPid = pool.status()[0]?.pid;
    const crash = await rejection(pool.callTool('tiny', 'crash', { code: 7 }));
    expect(crash.code).toBe('mcp_server_unavailable');
    expect(crash.message).toMatch(/exited with code 7/);

    // While it is down, a call fails at once with the reason instead of hanging.
    await expect.poll(() => pool.status()[0]?.state, { timeout: 10_000 }).toBe('restarting');
    const down = await rejection(pool.callTool('tiny', 'echo', { text: 'x' }));
    expect(down.code).toBe('mcp_server_unavailable');
    expect(down.message).toMatch(/restarting: it exited with code 7; restart 1 of 5 in 400 ms/);
    expect(down.hints.join('\n')).toContain('crashing with code 7');

    await expect.poll(() => pool.status()[0]?.state, { timeout: 10_000 }).toBe('ready');
    expect(pool.status()[0]).toMatchObject({ restarts: 1, toolCount: 5 });
    expect(pool.status()[0]?.pid).not.toBe(firstPid);
    expect((await pool.callTool('tiny', 'echo', { text: 'back' })).text).toBe('back');
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['server-exited', 'server-restarting', 'server-restarted']),
    );
    await pool.close();
    await expectAllEnded(pidsIn(pidFile));
  });

  it('gives up after the last restart attempt and reports the server failed', async () => {
    const pidFile = join(dir, 'giveup.pids');
    const pool = await start([stdioConfig('tiny', [TINY_SERVER, '--pid-file', pidFile])], {
      restart: { baseDelayMs: 20, maxAttempts: 1 },
    });
    await rejection(pool.callTool('tiny', 'crash', { code: 1 }));
    await expect.poll(() => pool.status()[0]?.state, { timeout: 10_000 }).toBe('ready');
    // It crashes again soon after: no attempts left.
    await rejection(pool.callTool('tiny', 'crash', { code: 1 }));
    await expect.poll(() => pool.status()[0]?.state, { timeout: 10_000 }).toBe('failed');
    expect(pool.status()[0]?.error).toMatch(/it exited with code 1; gave up after 1 restarts/);
    await expect(pool.callTool('tiny', 'echo', { text: 'x' })).rejects.toMatchObject({
      code: 'mcp_server_unavailable',
    });
    await expectAllEnded(pidsIn(pidFile));
  });

  it('reports why a server failed to start, with its stderr, and leaves no process', async () => {
    const pidFile = join(dir, 'fail.pids');
    const pool = await start([
      stdioConfig('ok', [TINY_SERVER]),
      stdioConfig('bad', [TINY_SERVER, '--pid-file', pidFile, '--fail-start', 'fatal: GITHUB_TOKEN is not valid']),
      stdioConfig('missing', [], { command: join(dir, 'no-such-command') }),
    ]);
    const byName = new Map(pool.status().map((s) => [s.name, s]));
    expect(byName.get('ok')?.state).toBe('ready');
    expect(byName.get('bad')).toMatchObject({
      state: 'failed',
      error: 'exited with code 3 before it finished starting',
    });
    expect(byName.get('bad')?.stderrTail).toContain('fatal: GITHUB_TOKEN is not valid');
    expect(byName.get('missing')?.error).toMatch(/cannot start ".*no-such-command": command not found/);
    // A failed server does not hide the others' tools.
    expect(pool.tools().every((t) => t.server === 'ok')).toBe(true);
    await expectAllEnded(pidsIn(pidFile));
    await expect(pool.callTool('bad', 'echo', {})).rejects.toMatchObject({ code: 'mcp_server_unavailable' });
  });

  it('stops a server that does not answer within its connect timeout and kills it', async () => {
    const pidFile = join(dir, 'slow.pids');
    const pool = await start([
      stdioConfig('slow', [TINY_SERVER, '--pid-file', pidFile, '--start-delay', '20000'], { timeoutMs: 500 }),
    ]);
    expect(pool.status()[0]).toMatchObject({ state: 'failed' });
    expect(pool.status()[0]?.error).toMatch(/did not finish starting within 500 ms .*timeout_ms/);
    await expectAllEnded(pidsIn(pidFile));
  });

  it('close() ends every child, including what a server started itself (its process group)', async () => {
    const pidFile = join(dir, 'group.pids');
    const pool = await start([
      stdioConfig('a', [TINY_SERVER, '--pid-file', pidFile, '--spawn-child']),
      stdioConfig('b', [TINY_SERVER, '--pid-file', pidFile]),
    ]);
    const pids = pidsIn(pidFile);
    expect(pids).toHaveLength(3);
    expect(pids.every(isRunning)).toBe(true);
    await pool.close();
    await expectAllEnded(pids);
    await expect(pool.callTool('a', 'echo', { text: 'x' })).rejects.toMatchObject({ code: 'mcp_server_unavailable' });
  });

  it('installs one set of signal and exit hooks for the pools sharing a guard, and removes them on close', async () => {
    const base = {
      int: process.listenerCount('SIGINT'),
      term: process.listenerCount('SIGTERM'),
      exit: process.listenerCount('exit'),
    };
    const guard = new ProcessGuard();
    const a = await start([stdioConfig('a', [TINY_SERVER])], { guard });
    const b = await start([stdioConfig('b', [TINY_SERVER])], { guard });
    expect(process.listenerCount('SIGINT')).toBe(base.int + 1);
    expect(process.listenerCount('SIGTERM')).toBe(base.term + 1);
    expect(process.listenerCount('exit')).toBe(base.exit + 1);
    await a.close();
    expect(process.listenerCount('SIGINT')).toBe(base.int + 1);
    await b.close();
    expect(process.listenerCount('SIGINT')).toBe(base.int);
    expect(process.listenerCount('exit')).toBe(base.exit);
    const unguarded = await start([stdioConfig('c', [TINY_SERVER])], { guard: false });
    expect(process.listenerCount('SIGINT')).toBe(base.int);
    await unguarded.close();
  });

  it('masks secret values in errors and stderr tails', async () => {
    const pool = await start([stdioConfig('bad', [TINY_SERVER, '--fail-start', 'token ghp_s3cr3tvalue rejected'])], {
      secrets: [{ value: 'ghp_s3cr3tvalue', label: '{{ .GITHUB_TOKEN }}' }],
    });
    const tail = pool.status()[0]?.stderrTail ?? '';
    expect(tail).toContain('token {{ .GITHUB_TOKEN }} rejected');
    expect(JSON.stringify(pool.status())).not.toContain('ghp_s3cr3tvalue');
  });

  it('starts servers with only the configured environment variables on top of a minimal set', async () => {
    process.env.STATION_TEST_LEAK = 'should-not-pass';
    try {
      const pool = await start([stdioConfig('tiny', [TINY_SERVER], { env: { GREETING: 'hello' } })]);
      expect((await pool.callTool('tiny', 'env', { name: 'GREETING' })).text).toBe('hello');
      expect((await pool.callTool('tiny', 'env', { name: 'STATION_TEST_LEAK' })).text).toBe('');
    } finally {
      delete process.env.STATION_TEST_LEAK;
    }
  });
});

describe('McpPool with real servers from devDependencies', () => {
  it('server-filesystem over stdio: lists its tools and reads a file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'station-fs-'));
    writeFileSync(join(root, 'hello.txt'), 'hello from disk\n');
    try {
      const pool = await start([stdioConfig('filesystem', [FILESYSTEM_SERVER, root])]);
      expect(pool.status()[0]?.state).toBe('ready');
      const names = pool.tools().map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['read_text_file', 'list_directory', 'write_file']));
      const read = await pool.callTool('filesystem', 'read_text_file', { path: join(root, 'hello.txt') });
      expect(read).toMatchObject({ isError: false, text: 'hello from disk\n' });
      const outside = await pool.callTool('filesystem', 'read_text_file', { path: '/etc/hostname' });
      expect(outside.isError).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('server-everything over stdio: echo, and a long operation kept alive by its progress', async () => {
    const pool = await start([stdioConfig('everything', [EVERYTHING_SERVER, 'stdio'], { callTimeoutMs: 1200 })]);
    expect(pool.tools().map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']),
    );
    expect((await pool.callTool('everything', 'echo', { message: 'hi' })).text).toContain('hi');
    const progress: number[] = [];
    const long = await pool.callTool(
      'everything',
      'trigger-long-running-operation',
      { duration: 2, steps: 5 },
      { onProgress: (p) => progress.push(p.progress) },
    );
    expect(long.text).toMatch(/Long running operation completed/);
    expect(progress.length).toBeGreaterThanOrEqual(4);
  });

  it('server-everything over streamable HTTP', async () => {
    const server = await startEverythingHttp('streamableHttp');
    try {
      const pool = await start([httpConfig('remote', server.url)]);
      expect(pool.status()[0]).toMatchObject({ state: 'ready', transport: 'http' });
      expect((await pool.callTool('remote', 'get-sum', { a: 20, b: 22 })).text).toContain('42');
      expect(await pool.ping('remote')).toBeGreaterThan(0);
      await pool.close();
    } finally {
      await server.stop();
    }
  });

  it('falls back to SSE for a server that only speaks HTTP+SSE', async () => {
    const server = await startEverythingHttp('sse');
    try {
      const pool = await start([httpConfig('old', server.url)]);
      expect(pool.status()[0]).toMatchObject({ state: 'ready', transport: 'sse' });
      expect((await pool.callTool('old', 'echo', { message: 'over sse' })).text).toContain('over sse');
      await pool.close();
    } finally {
      await server.stop();
    }
  });

  it('sends configured headers, and reports an HTTP refusal and an unreachable URL clearly', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const http = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as { port: number }).port;
    const closedPort = await freePort();
    try {
      const pool = await start(
        [
          httpConfig('auth', `http://127.0.0.1:${String(port)}/mcp`, {
            headers: { Authorization: 'Bearer tok_abcdef123' },
          }),
          httpConfig('gone', `http://127.0.0.1:${String(closedPort)}/mcp`),
        ],
        { secrets: [{ value: 'tok_abcdef123', label: '[redacted]' }] },
      );
      const byName = new Map(pool.status().map((s) => [s.name, s]));
      expect(byName.get('auth')?.state).toBe('failed');
      expect(byName.get('auth')?.error).toMatch(/HTTP 401 at http:\/\/127\.0\.0\.1:\d+\/mcp: .*unauthorized/);
      expect(seen[0]?.authorization).toBe('Bearer tok_abcdef123');
      expect(byName.get('gone')?.error).toMatch(/cannot connect at http:\/\/127\.0\.0\.1:\d+\/mcp: ECONNREFUSED/);
      expect(JSON.stringify(pool.status())).not.toContain('tok_abcdef123');
    } finally {
      await new Promise((r) => http.close(r));
    }
  });
});

describe('McpPool errors are typed', () => {
  it('throws StationErrors with exit code 8 for transport failures', async () => {
    const pool = await start([stdioConfig('tiny', [TINY_SERVER], { callTimeoutMs: 200 })]);
    const error = await rejection(pool.callTool('tiny', 'slow', { steps: 1, stepMs: 3000 }));
    expect(isStationError(error)).toBe(true);
    expect(error.exitCode).toBe(8);
  });
});
