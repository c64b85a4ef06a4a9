// stn webhook add/list/test/deliveries/rm through the built binary (needs `npm run build`), against a real
// receiver on 127.0.0.1 (allowed by config.yaml): the secret is printed once and never again.
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, verifySignature } from '../../../src/core/index.js';
import { runStn } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

let temp: TempHome | undefined;
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
  temp?.cleanup();
});

describe('stn webhook', () => {
  it('adds (secret shown once), lists, tests a signed sample, shows deliveries, removes; private targets need config', async () => {
    temp = makeInitializedHome();
    const bodies: { ok: boolean; event: string }[] = [];
    let secret = '';
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        bodies.push({
          ok: verifySignature(
            secret,
            String(req.headers['x-station-timestamp']),
            body,
            String(req.headers['x-station-signature']),
          ),
          event: String(req.headers['x-station-event']),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const url = `http://127.0.0.1:${String(address.port)}/hook`;
    const env = temp.env;

    const refused = await runStn(['webhook', 'add', url], { env });
    expect(refused.code).toBe(ExitCode.INVALID);
    expect(refused.stderr).toContain('allow_private: true');

    const config = join(temp.home, 'config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('allow_private: false', 'allow_private: true'));
    const added = await runStn(['webhook', 'add', url, '--events', 'run.failed', '--json'], { env });
    expect(added.code).toBe(0);
    const result = JSON.parse(added.stdout) as { secret: string; webhook: { id: number; events: string[] } };
    secret = result.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(result.webhook.events).toEqual(['run.failed']);

    const list = await runStn(['webhook', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: result.webhook.id, url }]);
    expect(list.stdout).not.toContain(secret);

    const test = await runStn(['webhook', 'test', String(result.webhook.id)], { env });
    expect(test.code).toBe(0);
    expect(test.stdout).toContain('HTTP 204');
    expect(bodies).toEqual([{ ok: true, event: 'webhook.test' }]);

    const deliveries = await runStn(['webhook', 'deliveries', '--json'], { env });
    expect(JSON.parse(deliveries.stdout)).toMatchObject([
      { webhook: result.webhook.id, status: 'delivered', attempts: 1, statusCode: 204 },
    ]);
    expect((await runStn(['webhook', 'deliveries', '--failed', '--json'], { env })).stdout.trim()).toBe('[]');

    // A receiver that is gone: the sample is not delivered, which has its own exit code (1 is for bugs).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const gone = await runStn(['webhook', 'add', `http://127.0.0.1:${String(closedPort)}/hook`, '--json'], { env });
    const goneId = (JSON.parse(gone.stdout) as { webhook: { id: number } }).webhook.id;
    const failed = await runStn(['webhook', 'test', String(goneId)], { env });
    expect(failed.code).toBe(ExitCode.DELIVERY_FAILED);
    expect(failed.stderr).toContain('was not delivered');
    expect((await runStn(['webhook', 'rm', String(goneId), '--yes'], { env })).code).toBe(0);

    const removed = await runStn(['webhook', 'rm', String(result.webhook.id), '--yes'], { env });
    expect(removed.code).toBe(0);
    expect((await runStn(['webhook', 'rm', String(result.webhook.id), '--yes'], { env })).code).toBe(
      ExitCode.NOT_FOUND,
    );
    const audit = await runStn(['audit', '--json'], { env });
    expect(audit.stdout).toContain('webhook.add');
    expect(audit.stdout).toContain('webhook.remove');
    expect(audit.stdout).not.toContain(secret);
  }, 90_000);
});
