// `stn serve` alone runs a team's scheduled agents and tells other systems about them (issue 16): a
// seconds-field schedule fires in real time under the spawned server, each fire is a normal run recorded with
// its trigger, and a real HTTP receiver gets signed `run.finished` deliveries; a CLI run (no server) delivers
// before `stn` exits. Needs `npm run build`.
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifySignature, type RunSummary, type WebhookPayload } from '../../src/core/index.js';
import { runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

interface Received {
  verified: boolean;
  event: string;
  delivery: string;
  payload: WebhookPayload;
}

let home: RunHome;
let model: ModelServer;
let receiver: Server;
let hookUrl: string;
let secret = '';
const received: Received[] = [];

beforeEach(async () => {
  received.length = 0;
  home = makeRunHome();
  model = await startModelServer({ fallback: { text: 'Scheduled answer.' } });
  home.writeAgent(
    'tick',
    '---\nmetadata:\n  name: tick\nschedule:\n  cron: "*/2 * * * * *"\n  timezone: UTC\n  catch_up: none\n  variables:\n    userInput: scheduled hello\n---\nSay hi to {{userInput}}.\n',
  );
  // Webhooks to loopback are refused unless config.yaml allows private targets: the receiver is on 127.0.0.1.
  const config = join(home.home, 'config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('allow_private: false', 'allow_private: true'));
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({
        verified: verifySignature(
          secret,
          String(req.headers['x-station-timestamp']),
          body,
          String(req.headers['x-station-signature']),
        ),
        event: String(req.headers['x-station-event']),
        delivery: String(req.headers['x-station-delivery']),
        payload: JSON.parse(body) as WebhookPayload,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  hookUrl = `http://127.0.0.1:${String(address.port)}/hook`;
  const added = await runStn(['webhook', 'add', hookUrl, '--events', 'run.finished', '--json'], { env: home.env });
  expect(added.code, added.stderr).toBe(0);
  secret = (JSON.parse(added.stdout) as { secret: string }).secret;
});

afterEach(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await model.close();
  home.cleanup();
});

describe('stn serve runs schedules and sends webhooks', { timeout: 90_000 }, () => {
  it('a seconds-field schedule fires under serve; each fire is a run with its trigger, delivered signed', async () => {
    const stn = startStn(['serve', '--port', '0', '--grace', '10'], home.envFor(model.url));
    try {
      // Fire times count from when the server first sees the schedule: every 2 s from then.
      const scheduled = await vi.waitFor(
        () => {
          const hits = received.filter((r) => r.payload.run.trigger === 'schedule');
          if (hits.length < 2) throw new Error(`deliveries so far: ${String(received.length)}\n${stn.output().stderr}`);
          return hits;
        },
        { timeout: 30_000, interval: 100 },
      );
      for (const hit of scheduled) {
        expect(hit.verified).toBe(true);
        expect(hit.event).toBe('run.finished');
        expect(hit.payload.run).toMatchObject({ agent: 'tick', status: 'completed' });
        expect(hit.payload.data).toMatchObject({ runId: hit.payload.run.id, type: 'run.finished' });
        expect(hit.payload.data.data.output).toBe('Scheduled answer.');
        expect(hit.payload.run.scheduledAt).toMatch(/T\d\d:\d\d:(\d[02468])\.000Z$/);
      }
      // Two fires are two scheduled times, two runs, two deliveries.
      expect(new Set(scheduled.map((h) => h.payload.run.scheduledAt)).size).toBe(scheduled.length);
      expect(new Set(scheduled.map((h) => h.delivery)).size).toBe(scheduled.length);
      // The model saw the schedule's variables as the run's input.
      expect(JSON.stringify(model.requests[0])).toContain('Say hi to scheduled hello.');
    } finally {
      stn.child.kill('SIGTERM');
      expect(await stn.exited).toBe(0);
    }
    const listed = await runStn(['runs', 'list', '--trigger', 'schedule', '--json'], { env: home.env });
    const runs = JSON.parse(listed.stdout) as RunSummary[];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.agent === 'tick' && r.trigger === 'schedule')).toBe(true);
    // Every run that finished while the server ran was delivered (none is left queued or failed).
    const deliveries = await runStn(['webhook', 'deliveries', '--json'], { env: home.env });
    const rows = JSON.parse(deliveries.stdout) as { status: string; runId: number | null }[];
    const finished = runs.filter((r) => r.status !== 'cancelled').map((r) => r.id);
    for (const id of finished) expect(rows.find((d) => d.runId === id)?.status).toBe('delivered');
  });

  it('a run from the CLI (no server) is delivered before stn exits', async () => {
    const out = await runStn(['agent', 'run', 'reader', 'hello'], { env: home.envFor(model.url), timeoutMs: 60_000 });
    expect(out.code, out.stderr).toBe(0);
    // Already there when the process has exited: nothing to wait for.
    expect(received).toHaveLength(1);
    const listed = await runStn(['runs', 'list', '--json'], { env: home.env });
    const [run] = JSON.parse(listed.stdout) as RunSummary[];
    if (run === undefined) throw new Error('no run recorded');
    expect(received[0]).toMatchObject({ verified: true, event: 'run.finished' });
    expect(received[0]?.payload.run).toMatchObject({ id: run.id, agent: 'reader', trigger: 'manual' });
  });
});
