import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, RunEventStream, type RunEvent } from '../../src/core/index.js';
import { ROOT, runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, processesMentioning, startStn, type RunHome } from './run-home.js';

/** Creates an API key with the real `stn key create --json`. */
async function createKey(home: RunHome, role: string): Promise<string> {
  const out = await runStn(['key', 'create', `e2e-${role}`, '--role', role, '--json'], { env: home.env });
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as { key: string }).key;
}

/** The URL `stn serve` prints once it listens. */
function listeningUrl(stn: { output: () => { stdout: string } }): Promise<string> {
  return vi.waitFor(
    () => {
      const { stdout } = stn.output();
      const url = /Station listening on (https?:\/\/\S+)/.exec(stdout)?.[1];
      if (url === undefined) throw new Error(`stn serve does not listen yet; stdout: ${stdout}`);
      return url;
    },
    { timeout: 20_000, interval: 50 },
  );
}

describe('stn serve (spawned)', () => {
  let home: RunHome;
  let model: ModelServer;
  afterEach(async () => {
    await model.close();
    home.cleanup();
  });

  it('binds 127.0.0.1, serves the API with a key, logs JSON to stderr, and on SIGTERM drains runs, ends MCP servers and exits 0', async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'finished during the drain', delayMs: 800 } });
    const key = await createKey(home, 'admin');
    const stn = startStn(['serve', '--port', '0', '--grace', '20'], home.envFor(model.url));
    const url = await listeningUrl(stn);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const api = new ApiClient({ url, key });

    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/environments`)).status).toBe(401);
    expect((await api.listEnvironments()).map((e) => e.name)).toEqual(['default']);
    // The filesystem MCP server is started at boot.
    const children = await vi.waitFor(
      () => {
        const pids = processesMentioning(home.files);
        if (pids.length === 0) throw new Error('the MCP server has not started');
        return pids;
      },
      { timeout: 20_000, interval: 50 },
    );

    const { id } = await api.startRun('default', 'reader', { input: { userInput: 'read it' } });
    await model.waitForRequests(1);
    stn.child.kill('SIGTERM');
    expect(await stn.exited).toBe(0);
    const { stdout, stderr } = stn.output();
    expect(stdout).toContain('Stopped (SIGTERM).');

    // The run in flight was allowed to finish within the grace period.
    const shown = await runStn(['runs', 'show', String(id), '--json'], { env: home.env });
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: 'completed', output: 'finished during the drain' });
    // No MCP server left behind.
    await expect
      .poll(() => processesMentioning(home.files).filter((p) => children.includes(p)), { timeout: 10_000 })
      .toEqual([]);

    const lines = stderr.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((r) => r.msg === 'request' && r.status === 202 && typeof r.requestId === 'string')).toBe(true);
    expect(records.some((r) => r.msg === 'shutting down')).toBe(true);
    expect(stderr).not.toContain(key.slice(17));
    expect(stderr).not.toContain('sk-e2e-secret-key-123');
  });

  it('a run that calls an MCP tool after SIGTERM still gets its result: the pools stay up until the drain ends', async () => {
    home = makeRunHome();
    model = await startModelServer({
      script: [
        {
          toolCalls: [{ name: 'filesystem__read_text_file', arguments: { path: join(home.files, 'readme.txt') } }],
          delayMs: 800,
        },
        { text: 'read during the drain' },
      ],
    });
    const key = await createKey(home, 'admin');
    const stn = startStn(['serve', '--port', '0', '--grace', '20'], home.envFor(model.url));
    const url = await listeningUrl(stn);
    const { id } = await new ApiClient({ url, key }).startRun('default', 'reader', { input: { userInput: 'read it' } });
    await model.waitForRequests(1);
    stn.child.kill('SIGTERM');
    expect(await stn.exited).toBe(0);
    const shown = await runStn(['runs', 'show', String(id), '--json'], { env: home.env });
    const run = JSON.parse(shown.stdout) as {
      status: string;
      output: string;
      events: { type: string; data?: { isError?: boolean; error?: unknown } }[];
    };
    expect(run).toMatchObject({ status: 'completed', output: 'read during the drain' });
    // The tool answered with the file, not "the MCP pool is closed".
    const toolResult = model.requests[1]?.body.messages.find((m) => m.role === 'tool');
    expect(toolResult?.content).toContain('Station test file');
  });

  it('WebSocket viewers see a run started by another process (stn agent run) live, with the same events it prints', async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'from the CLI' } });
    const key = await createKey(home, 'viewer');
    const stn = startStn(['serve', '--port', '0'], home.envFor(model.url));
    let stream: RunEventStream | undefined;
    try {
      const url = await listeningUrl(stn);
      stream = new RunEventStream({ url, key });
      const received: RunEvent[] = [];
      let connected = false;
      stream.subscribe((u) => {
        if (u.kind === 'event') received.push(u.event);
        else connected = u.ok;
      });
      await expect.poll(() => connected, { timeout: 10_000 }).toBe(true);
      const cli = await runStn(['agent', 'run', 'reader', 'look', '--json'], {
        env: home.envFor(model.url),
        timeoutMs: 30_000,
      });
      expect(cli.code, cli.stderr).toBe(0);
      const printed = cli.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; runId?: number; seq?: number })
        .filter((e) => typeof e.seq === 'number');
      expect(printed.at(-1)?.type).toBe('run.finished');
      await expect.poll(() => received.map((m) => m.type), { timeout: 10_000 }).toContain('run.finished');
      expect(received).toEqual(printed);
    } finally {
      await stream?.close();
      stn.child.kill('SIGTERM');
      expect(await stn.exited).toBe(0);
    }
  });

  it('with --grace 0 a run still going is cancelled (stop reason shutdown) and it still exits 0', async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'too late', delayMs: 30_000 } });
    const key = await createKey(home, 'user');
    const stn = startStn(['serve', '--port', '0', '--grace', '0'], home.envFor(model.url));
    const url = await listeningUrl(stn);
    const { id } = await new ApiClient({ url, key }).startRun('default', 'reader', { input: { userInput: 'x' } });
    await model.waitForRequests(1);
    stn.child.kill('SIGINT');
    expect(await stn.exited).toBe(0);
    const shown = await runStn(['runs', 'show', String(id), '--json'], { env: home.env });
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: 'cancelled', stopReason: 'shutdown' });
    await expect.poll(() => processesMentioning(home.files), { timeout: 10_000 }).toEqual([]);
  });

  it('serves HTTPS with --tls-cert/--tls-key; a bad certificate path is a config error', async () => {
    home = makeRunHome();
    model = await startModelServer();
    const tls = join(ROOT, 'test', 'fixtures', 'tls');
    const bad = await runStn(
      ['serve', '--port', '0', '--tls-cert', join(tls, 'missing.pem'), '--tls-key', join(tls, 'key.pem')],
      { env: home.env },
    );
    expect(bad.code).toBe(6);
    expect(bad.stderr).toContain('cannot read the TLS certificate');
    const onlyOne = await runStn(['serve', '--tls-cert', join(tls, 'cert.pem')], { env: home.env });
    expect(onlyOne.code).toBe(2);
    const stn = startStn(
      ['serve', '--port', '0', '--tls-cert', join(tls, 'cert.pem'), '--tls-key', join(tls, 'key.pem')],
      {
        ...home.envFor(model.url),
        NODE_EXTRA_CA_CERTS: join(tls, 'cert.pem'),
      },
    );
    expect(await listeningUrl(stn)).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    stn.child.kill('SIGTERM');
    expect(await stn.exited).toBe(0);
  });
});
