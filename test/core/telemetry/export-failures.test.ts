// A collector that refuses the traces (a wrong otlp_endpoint, a collector that is down) is reported once to the
// engine's warn (the command's or the server's log), not per batch, and its recovery once; the spans go through
// again after it. A real HTTP server on 127.0.0.1 plays the collector; the real OTLP/HTTP exporter posts to it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events/event-bus.js';
import { startRunTracer, type RunTracer } from '../../../src/core/telemetry/run-tracer.js';
import { scriptedRun } from '../../tui/helpers/events.js';

let server: Server;
let url: string;
let status = 404;
let received = 0;
let tracer: RunTracer | undefined;

beforeEach(async () => {
  status = 404;
  received = 0;
  server = createServer((req, res) => {
    req.resume().on('end', () => {
      if (status === 200) received++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : 'no such path');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterEach(async () => {
  await tracer?.shutdown();
  tracer = undefined;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A run that started, asked the model once and finished: two spans to send. */
function run(bus: EventBus, runId: number): void {
  for (const event of scriptedRun(runId, 0)) bus.publish(event);
}

describe('run traces that cannot be sent', () => {
  it('are reported once with the URL and what to check, then once when they go through again', async () => {
    const bus = new EventBus();
    const warnings: string[] = [];
    tracer = startRunTracer(bus, { endpoint: url, serviceName: 't', warn: (m) => warnings.push(m) });

    run(bus, 1);
    await tracer.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`Could not send run traces to ${url}/v1/traces`);
    expect(warnings[0]).toContain('(HTTP 404)');
    expect(warnings[0]).toContain('2 spans were dropped');
    expect(warnings[0]).toContain('telemetry.otlp_endpoint');

    run(bus, 2);
    await tracer.flush();
    expect(warnings).toHaveLength(1);

    status = 200;
    run(bus, 3);
    await tracer.flush();
    expect(received).toBe(1);
    expect(warnings).toEqual([warnings[0], `Run traces are sent to ${url}/v1/traces again.`]);
  });

  it('a collector that is not there at all (connection refused) is reported too', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer(); // closed in afterEach: listens nowhere
    server.listen(0, '127.0.0.1');
    const bus = new EventBus();
    const warnings: string[] = [];
    tracer = startRunTracer(bus, {
      endpoint: url,
      serviceName: 't',
      warn: (m) => warnings.push(m),
      exportTimeoutMs: 2000,
    });
    run(bus, 1);
    await tracer.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^Could not send run traces to ${url}/v1/traces: .*ECONNREFUSED`));
  });

  it('a process that ends while the collector is down ends normally: its last spans are reported dropped', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    server.listen(0, '127.0.0.1');
    const bus = new EventBus();
    const warnings: string[] = [];
    const ending = startRunTracer(bus, {
      endpoint: url,
      serviceName: 't',
      warn: (m) => warnings.push(m),
      exportTimeoutMs: 1000,
    });
    run(bus, 1);
    await expect(ending.shutdown()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ECONNREFUSED');
  });
});
