// REST webhooks: admins add (the secret returned once), list (never the secret), test and remove; others get 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStationForTest, type Station } from './station-helpers.js';

let s: Station;
beforeAll(async () => {
  s = await startStationForTest();
});
afterAll(async () => {
  await s.stop();
});

describe('webhooks over REST', () => {
  it('POST adds (201, secret once), GET lists without it, DELETE removes; user and viewer keys get 403', async () => {
    const added = await s.raw('POST', '/api/v1/webhooks', {
      body: { url: 'https://hooks.example.com/station', events: ['run.failed'], format: 'slack' },
    });
    expect(added.status).toBe(201);
    const { webhook, secret } = added.body as { webhook: { id: number }; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const list = await s.raw('GET', '/api/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject([{ id: webhook.id, format: 'slack', events: ['run.failed'] }]);
    expect(list.text).not.toContain(secret);
    for (const key of [s.keys.user, s.keys.viewer]) {
      expect((await s.raw('GET', '/api/v1/webhooks', { key })).status).toBe(403);
    }
    expect((await s.raw('POST', '/api/v1/webhooks', { body: { url: 'ftp://x' } })).status).toBe(400);
    expect((await s.raw('DELETE', `/api/v1/webhooks/${String(webhook.id)}`)).status).toBe(204);
    expect((await s.raw('DELETE', `/api/v1/webhooks/${String(webhook.id)}`)).status).toBe(404);
    expect(s.logs.join('\n')).not.toContain(secret);
  });
});
