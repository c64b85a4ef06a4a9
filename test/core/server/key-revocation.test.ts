import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/core/index.js';
import { startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('a key revoked while the server uses it', () => {
  it('is refused on the very next request, whether revoked here or by another process (`stn key revoke`)', async () => {
    t = await startTestServer();
    const server = t;
    const here = server.engine.keys.create({ name: 'here', role: 'viewer', environments: ['default'] }).key;
    const there = server.engine.keys.create({ name: 'there', role: 'viewer', environments: ['default'] }).key;
    // Used first, so that every lookup of the request path is prepared and warm.
    for (const key of [here, there]) {
      for (let i = 0; i < 3; i++) expect((await server.raw('GET', '/api/v1/environments', { key })).status).toBe(200);
    }

    server.engine.keys.revoke('here');
    const refused = await server.raw('GET', '/api/v1/environments', { key: here });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('was revoked');

    // Another process: its own connection to the same database.
    const other = openEngine({ home: server.temp.home });
    try {
      other.keys.revoke('there');
    } finally {
      await other.close();
    }
    const refusedThere = await server.raw('GET', '/api/v1/environments', { key: there });
    expect(refusedThere.status).toBe(401);
    expect(refusedThere.text).toContain('was revoked');
    expect((await server.raw('GET', '/api/v1/environments', { key: server.keys.viewer })).status).toBe(200);
  });

  it('is refused once rotated without grace by another process; a wrong secret under a known prefix never passes', async () => {
    t = await startTestServer();
    const server = t;
    const key = server.engine.keys.create({ name: 'rotating', role: 'viewer', environments: ['default'] }).key;
    for (let i = 0; i < 3; i++) expect((await server.raw('GET', '/api/v1/environments', { key })).status).toBe(200);
    const forged = `${key.slice(0, 17)}${'A'.repeat(43)}`;
    expect((await server.raw('GET', '/api/v1/environments', { key: forged })).status).toBe(401);
    const other = openEngine({ home: server.temp.home });
    let replacement: string;
    try {
      replacement = other.keys.rotate('rotating', { grace: '0' }).key;
    } finally {
      await other.close();
    }
    const refused = await server.raw('GET', '/api/v1/environments', { key });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('expired');
    expect((await server.raw('GET', '/api/v1/environments', { key: replacement })).status).toBe(200);
  });
});
