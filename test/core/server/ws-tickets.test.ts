import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseStationConfig, type WsControlMessage } from '../../../src/core/index.js';
import { WS_TICKET_TTL_MS, WsTicketBook } from '../../../src/core/api/ws-tickets.js';
import { wsExtension } from '../../../src/core/server/ws-extension.js';
import { WsHub } from '../../../src/core/server/ws-hub.js';
import { silentLogger } from '../../../src/core/server/index.js';
import { startTestServer, type TestServer } from './server-helpers.js';

interface Opened {
  status: number;
  welcome?: Extract<WsControlMessage, { type: 'ws.welcome' }> | undefined;
  body?: string | undefined;
}

/** Opens /ws with `query` and `headers`; resolves with 101 and the welcome, or the refusal's status and body. */
function open(url: string, query: string, headers: Record<string, string> = {}): Promise<Opened> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws${query}`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.once('message', (data: Buffer) => {
      resolve({ status: 101, welcome: JSON.parse(data.toString('utf8')) as Opened['welcome'] });
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!error.message.startsWith('Unexpected server response')) reject(error);
    });
  });
}

describe('WebSocket tickets (browsers cannot set headers on a WebSocket)', () => {
  let t: TestServer;
  afterEach(async () => {
    await t.stop();
  });

  async function start(): Promise<void> {
    t = await startTestServer({
      // No run events here: these tests are about opening the socket.
      extensions: (engine) => [
        wsExtension(new WsHub({ events: { subscribe: () => () => undefined }, runs: engine.runs, log: silentLogger })),
      ],
    });
  }

  async function ticket(key: string): Promise<{ ticket: string; expiresAt: string }> {
    const res = await t.raw('POST', '/api/v1/ws-tickets', { key });
    expect(res.status).toBe(201);
    return res.body as { ticket: string; expiresAt: string };
  }

  it('a ticket opens the socket once, as its key with its grants', async () => {
    await start();
    const before = Date.now();
    const { ticket: tk, expiresAt } = await ticket(t.keys.viewer);
    expect(tk).toMatch(/^wst_[A-Za-z0-9_-]{32}$/);
    const expires = Date.parse(expiresAt) - before;
    expect(expires).toBeGreaterThan(WS_TICKET_TTL_MS - 5000);
    expect(expires).toBeLessThanOrEqual(WS_TICKET_TTL_MS + 1000);

    const first = await open(t.url, `?ticket=${tk}`);
    expect(first.status).toBe(101);
    expect(first.welcome?.key).toEqual({ name: 'viewer', role: 'viewer', environments: ['default'] });

    const again = await open(t.url, `?ticket=${tk}`);
    expect(again.status).toBe(401);
    expect(again.body).toContain('already used');
    // The refusal is in the audit trail, never the ticket itself.
    const failed = t.engine.audit.list({ limit: 50 }).filter((r) => r.action === 'auth.failed');
    expect(failed.at(0)?.reason).toContain('WebSocket ticket');
    expect(JSON.stringify(failed)).not.toContain(tk);
  });

  it('refuses a made-up ticket, a ticket without a key, and a ticket whose key was revoked since', async () => {
    await start();
    expect((await open(t.url, '?ticket=wst_nothing')).status).toBe(401);
    expect((await t.raw('POST', '/api/v1/ws-tickets', { key: null })).status).toBe(401);
    const created = t.engine.keys.create({ name: 'soon-revoked', role: 'user', environments: ['default'] });
    const { ticket: tk } = await ticket(created.key);
    t.engine.keys.revoke('soon-revoked');
    const opened = await open(t.url, `?ticket=${tk}`);
    expect(opened.status).toBe(401);
    expect(opened.body).toContain('revoked');
  });

  it('checks the Origin of browser connections: its own, the configured ones, nothing else', async () => {
    await start();
    const own = await open(t.url, `?ticket=${(await ticket(t.keys.admin)).ticket}`, { Origin: t.url });
    expect(own.status).toBe(101);
    const evil = await open(t.url, `?ticket=${(await ticket(t.keys.admin)).ticket}`, {
      Origin: 'http://evil.example',
    });
    expect(evil.status).toBe(403);
    expect(evil.body).toContain('allowed_origins');
    // The header form is checked too: a page elsewhere cannot ride on a key either.
    const evilKey = await open(t.url, '', { Origin: 'http://evil.example', Authorization: `Bearer ${t.keys.admin}` });
    expect(evilKey.status).toBe(403);
    t.engine.config.server.allowedOrigins = ['https://station.example.com'];
    const proxied = await open(t.url, `?ticket=${(await ticket(t.keys.admin)).ticket}`, {
      Origin: 'https://Station.example.com',
    });
    expect(proxied.status).toBe(101);
    // Other clients send no Origin and keep using the header.
    expect((await open(t.url, '', { Authorization: `Bearer ${t.keys.user}` })).status).toBe(101);
  });
});

describe('WsTicketBook', () => {
  it('expires tickets after the TTL and spends a ticket even when it is refused', () => {
    let now = 1_000_000;
    const book = new WsTicketBook(() => now);
    const a = book.issue(7);
    expect(book.redeem(a.ticket)).toBe(7);
    const b = book.issue(8);
    now += WS_TICKET_TTL_MS;
    expect(() => book.redeem(b.ticket)).toThrow(/expired/);
    expect(() => book.redeem(b.ticket)).toThrow(/already used/);
  });
});

describe('server.allowed_origins', () => {
  it('takes origins and names the field when one is not an origin', () => {
    const config = parseStationConfig(
      'config.yaml',
      'server:\n  allowed_origins: [https://a.example/, http://b:8080]\n',
    );
    expect(config.server.allowedOrigins).toEqual(['https://a.example', 'http://b:8080']);
    expect(() => parseStationConfig('config.yaml', 'server:\n  allowed_origins: [https://a.example/path]\n')).toThrow(
      /config\.yaml.*allowed_origins.*web origins/s,
    );
  });
});
