// Tool results over the size limit of an MCP message: the call fails at once with "tool result larger
// than N bytes" (the SDK's own stdio reader gives up at 10 MiB and leaves the call waiting for its
// timeout), and the server stays usable. Real processes: the tiny fixture server (the MCP SDK's server,
// which writes the id at the end of an answer) and a hand-written one that writes it first.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { McpError } from '../../../src/core/index.js';
import { LineReader, type OversizedLine } from '../../../src/core/mcp/line-reader.js';
import { McpPool } from '../../../src/core/mcp/pool.js';
import { TINY_SERVER, stdioConfig } from './helpers.js';

const RAW_SERVER = fileURLToPath(new URL('../../fixtures/mcp/raw-server.js', import.meta.url));
const MiB = 1024 * 1024;
/** Long enough for a loaded machine, and far from the 60 s a call used to wait: no timeout ends these calls. */
const CALL_TIMEOUT_MS = 25_000;

const pools: McpPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function start(...args: Parameters<typeof McpPool.start>): Promise<McpPool> {
  const pool = await McpPool.start(args[0], { guard: false, callTimeoutMs: CALL_TIMEOUT_MS, ...args[1] });
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

describe('MCP tool results over the size limit', () => {
  it('fails an 11 MiB result at the default 10 MiB with a clear error, and the next call works on the same process', async () => {
    const pool = await start([stdioConfig('tiny', [TINY_SERVER, '--big'])]);
    const pid = pool.status()[0]?.pid;
    const error = await rejection(pool.callTool('tiny', 'big', { bytes: 11 * MiB }));
    expect(error.code).toBe('mcp_result_too_large');
    expect(error.message).toBe(
      `MCP server "tiny": tool "big" sent a tool result larger than ${String(10 * MiB)} bytes (runner.max_mcp_result_bytes in config.yaml)`,
    );
    expect(error.hints[0]).toMatch(/Ask the tool for less .* or raise runner\.max_mcp_result_bytes in config\.yaml/);
    expect(error.details).toMatchObject({ limit: 10 * MiB });
    expect(error.details?.bytes).toBeGreaterThan(11 * MiB);

    expect((await pool.callTool('tiny', 'echo', { text: 'still here' })).text).toBe('still here');
    expect(pool.status()[0]).toMatchObject({ state: 'ready', restarts: 0, pid });
    expect(pool.status()[0]?.stderrTail).toMatch(/dropped the answer to tools\/call of \d+ bytes/);
    // Just under the limit passes whole.
    expect((await pool.callTool('tiny', 'big', { bytes: 9 * MiB })).text).toHaveLength(9 * MiB);
  });

  it("uses a server's max_result_bytes over the pool's limit", async () => {
    const pool = await start(
      [
        stdioConfig('own', [TINY_SERVER, '--big'], { maxResultBytes: 64 * 1024 }),
        stdioConfig('pooled', [TINY_SERVER, '--big']),
      ],
      { maxResultBytes: MiB },
    );
    const own = await rejection(pool.callTool('own', 'big', { bytes: 100_000 }));
    expect(own.message).toBe(
      'MCP server "own": tool "big" sent a tool result larger than 65536 bytes ("max_result_bytes" in template.json)',
    );
    expect((await pool.callTool('pooled', 'big', { bytes: 100_000 })).text).toHaveLength(100_000);
    const pooled = await rejection(pool.callTool('pooled', 'big', { bytes: 2 * MiB }));
    expect(pooled.message).toMatch(/tool result larger than 1048576 bytes \(runner\.max_mcp_result_bytes/);
    // Calls at the same time: only the one with the big answer fails.
    const [big, small] = await Promise.allSettled([
      pool.callTool('own', 'big', { bytes: 200_000 }),
      pool.callTool('own', 'echo', { text: 'beside it' }),
    ]);
    expect(big.status === 'rejected' ? (big.reason as Error).message : '').toMatch(/larger than 65536 bytes/);
    expect(small.status === 'fulfilled' ? small.value.text : '').toBe('beside it');
  });

  it('fails the call as soon as the limit is passed when the id comes first, without waiting for the line to end', async () => {
    // raw-server holds the big answer open until the next message arrives: the call can only fail early.
    const pool = await start([stdioConfig('raw', [RAW_SERVER])], { maxResultBytes: MiB });
    const error = await rejection(pool.callTool('raw', 'big', { bytes: 3 * MiB }));
    expect(error.message).toBe(
      'MCP server "raw": tool "big" sent a tool result larger than 1048576 bytes (runner.max_mcp_result_bytes in config.yaml)',
    );
    expect((await pool.callTool('raw', 'echo', { text: 'next' })).text).toBe('next');
    expect((await pool.callTool('raw', 'echo', { text: 'and the next' })).text).toBe('and the next');
    expect(pool.status()[0]).toMatchObject({ state: 'ready', restarts: 0 });
  });

  it('names the request when a server answers tools/list over the limit', async () => {
    const pool = await start([stdioConfig('many', [TINY_SERVER, '--extra-tools', '200'], { maxResultBytes: 4096 })]);
    expect(pool.status()[0]).toMatchObject({ state: 'failed' });
    expect(pool.status()[0]?.error).toBe(
      'answered tools/list with more than 4096 bytes ("max_result_bytes" in template.json)',
    );
  });
});

describe('LineReader', () => {
  function reader(max: number): { push: (s: string) => void; lines: string[]; big: OversizedLine[] } {
    const lines: string[] = [];
    const big: OversizedLine[] = [];
    const r = new LineReader(
      max,
      (l) => lines.push(l),
      (o) => big.push(o),
    );
    return { push: (s) => r.push(Buffer.from(s)), lines, big };
  }

  it('joins lines split across chunks and strips \\r', () => {
    const r = reader(100);
    r.push('{"a":');
    r.push('1}\r\n{"b":2}\n{"c"');
    r.push(':3}\n');
    expect(r.lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(r.big).toEqual([]);
  });

  it('drops a line over the limit, reports its size, head and tail, and reads the next line whole', () => {
    const r = reader(300);
    const long = `{"id":7,"text":"${'x'.repeat(1000)}","end":"here"}`;
    r.push('{"before":1}\n' + long.slice(0, 200));
    r.push(long.slice(200, 700));
    r.push(long.slice(700) + '\n{"after":2}\n');
    expect(r.lines).toEqual(['{"before":1}', '{"after":2}']);
    expect(r.big).toHaveLength(2);
    expect(r.big[0]).toMatchObject({ done: false, bytes: 700, tail: '' });
    expect(r.big[0]?.head.startsWith('{"id":7,"text":"xxx')).toBe(true);
    expect(r.big[1]).toMatchObject({ done: true, bytes: long.length });
    expect(r.big[1]?.head).toHaveLength(256);
    expect(r.big[1]?.tail.endsWith('xx","end":"here"}')).toBe(true);
    expect(r.big[1]?.tail).toHaveLength(256);
  });
});
