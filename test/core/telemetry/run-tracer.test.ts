// Traces of runs, exported by the OpenTelemetry SDK over OTLP/HTTP (JSON) to a real HTTP server on 127.0.0.1 that
// stands in for a collector; the run goes through `stn serve`'s engine, its REST door, a real MCP server and the
// test model server. And the log lines of the same run: request id, run id and environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStationConfig } from '../../../src/core/config/station-config.js';
import type { RunDetail } from '../../../src/core/index.js';
import { tracesUrl } from '../../../src/core/telemetry/run-tracer.js';
import { toolLoop } from '../../helpers/model-server.js';
import { attributes, startCollector, type Collector, type OtlpSpan } from '../../helpers/otlp-collector.js';
import { startStationForTest, type Station } from '../server/station-helpers.js';

let collector: Collector;
let station: Station;
let run: RunDetail;
let spans: (OtlpSpan & { attrs: Record<string, unknown> })[];
/** A run the model refused (400), and its spans. */
let failed: RunDetail;
let failedSpans: (OtlpSpan & { attrs: Record<string, unknown> })[];
let resource: Record<string, unknown>;

beforeAll(async () => {
  collector = await startCollector();
  station = await startStationForTest({
    config: `telemetry:\n  otlp_endpoint: ${collector.url}/\n  service_name: station-test\n`,
  });
  station.model.script(
    toolLoop({ tool: 'filesystem__list_directory', args: { path: station.files }, steps: 1, finalText: 'listed' }),
  );
  const started = await station.api.startRun('default', 'file-explorer', { input: { userInput: 'what is here?' } });
  run = await station.waitRun(started.id);
  station.model.script([{ status: 400, error: { message: 'refused by the test' } }]);
  const refused = await station.api.startRun('default', 'hello', { input: { userInput: 'x' } });
  failed = await station.waitRun(refused.id);
  // Closing the engine sends the spans still buffered.
  await station.stop();
  spans = collector.spans().filter((s) => s.attrs['station.run_id'] === run.id);
  failedSpans = collector.spans().filter((s) => s.attrs['station.run_id'] === failed.id);
  resource = attributes(collector.posts[0]?.body.resourceSpans[0]?.resource.attributes);
}, 60_000);

afterAll(async () => {
  await collector.close();
});

describe('run traces over OTLP/HTTP', () => {
  it('posts JSON to <otlp_endpoint>/v1/traces with the service name', () => {
    expect(run).toMatchObject({ status: 'completed', toolCalls: 1 });
    expect(collector.posts.length).toBeGreaterThan(0);
    expect(collector.posts[0]?.contentType).toMatch(/^application\/json/);
    expect(resource['service.name']).toBe('station-test');
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/v1/traces/')).toBe('http://collector:4318/v1/traces');
  });

  it('a span per run, model call and tool call: the calls are children of the run, in the run’s trace', () => {
    const root = spans.find((s) => s.name === 'invoke_agent file-explorer');
    expect(root, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(root?.parentSpanId ?? '').toBe('');
    const models = spans.filter((s) => s.name === `chat ${run.model}`);
    const tools = spans.filter((s) => s.name === 'execute_tool filesystem__list_directory');
    expect(models).toHaveLength(2);
    expect(tools).toHaveLength(1);
    expect(spans).toHaveLength(4);
    for (const span of [...models, ...tools]) {
      expect(span.traceId).toBe(root?.traceId);
      expect(span.parentSpanId).toBe(root?.spanId);
      expect(BigInt(span.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root?.startTimeUnixNano ?? 0));
      expect(BigInt(span.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(root?.endTimeUnixNano ?? 0));
    }
    // The tool ran between the two model calls.
    const [first, second] = [...models].sort(
      (a, b) => Number(a.attrs['station.step']) - Number(b.attrs['station.step']),
    );
    expect(BigInt(tools[0]?.startTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(BigInt(first?.endTimeUnixNano ?? 0));
    expect(BigInt(tools[0]?.endTimeUnixNano ?? 0)).toBeLessThanOrEqual(BigInt(second?.startTimeUnixNano ?? 0));
  });

  it('the spans carry the events’ attributes: run id, agent, environment, model, tool, tokens, status', () => {
    const labels = { 'station.run_id': run.id, 'station.agent': 'file-explorer', 'station.environment': 'default' };
    for (const span of spans) expect(span.attrs).toMatchObject(labels);
    const root = spans.find((s) => s.name.startsWith('invoke_agent'));
    expect(root?.attrs).toMatchObject({
      'station.model': run.model,
      'station.status': 'completed',
      'station.stop_reason': 'final_answer',
      'station.steps': run.steps,
      'station.tool_calls': 1,
      'station.tokens.input': run.tokens.input,
      'station.tokens.output': run.tokens.output,
      'station.tokens.total': run.tokens.total,
      'gen_ai.agent.name': 'file-explorer',
      'gen_ai.usage.input_tokens': run.tokens.input,
    });
    expect(run.tokens.total).toBeGreaterThan(0);
    const tool = spans.find((s) => s.name.startsWith('execute_tool'));
    expect(tool?.attrs).toMatchObject({
      'station.tool': 'filesystem__list_directory',
      'station.tool.server': 'filesystem',
      'gen_ai.tool.name': 'filesystem__list_directory',
      'station.is_error': false,
      'station.step': 1,
    });
    const models = spans.filter((s) => s.name.startsWith('chat'));
    const modelTokens = models.reduce((sum, s) => sum + Number(s.attrs['station.tokens.total']), 0);
    expect(modelTokens).toBe(run.tokens.total);
    expect(models.map((s) => s.attrs['station.finish_reason']).sort()).toEqual(['stop', 'tool_calls']);
    // Status unset (0) or OK: nothing failed.
    for (const span of spans) expect(span.status?.code ?? 0).not.toBe(2);
  });

  it('no prompt, answer, tool argument or result is exported', () => {
    const all = JSON.stringify(collector.posts);
    expect(all).not.toContain('what is here?');
    expect(all).not.toContain('listed');
    expect(all).not.toContain('README.md');
    expect(all).not.toContain('sk-test-model-key');
  });

  it('the server log ties the request id to the run id, and the run lines carry run id and environment', () => {
    const records = station.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requested = records.find((r) => r.msg === 'run requested');
    expect(requested).toMatchObject({ level: 'info', runId: run.id, agent: 'file-explorer', environment: 'default' });
    expect(typeof requested?.requestId).toBe('string');
    const request = records.find((r) => r.msg === 'request' && r.requestId === requested?.requestId);
    expect(request).toMatchObject({ method: 'POST', status: 202 });
    for (const msg of ['run started', 'run finished']) {
      expect(records.find((r) => r.msg === msg)).toMatchObject({
        runId: run.id,
        agent: 'file-explorer',
        environment: 'default',
      });
    }
    expect(records.find((r) => r.msg === 'tool call finished')).toMatchObject({
      runId: run.id,
      environment: 'default',
      tool: 'filesystem__list_directory',
    });
    for (const r of records) expect(typeof r.ts === 'string' && typeof r.level === 'string').toBe(true);
  });
});

describe('a failed run', () => {
  it('its span and its model call end with status ERROR, the error code as error.type', () => {
    expect(failed.status).toBe('failed');
    const root = failedSpans.find((s) => s.name === 'invoke_agent hello');
    expect(root?.status?.code).toBe(2);
    expect(root?.attrs).toMatchObject({ 'station.status': 'failed', 'error.type': failed.error?.code });
    const model = failedSpans.find((s) => s.name.startsWith('chat '));
    expect(model?.parentSpanId).toBe(root?.spanId);
    expect(model?.status?.code).toBe(2);
  });
});

describe('telemetry settings in config.yaml', () => {
  it('off by default; otlp_endpoint and service_name are read, a trailing slash dropped', () => {
    expect(parseStationConfig('/h/config.yaml', '').telemetry).toEqual({ otlpEndpoint: null, serviceName: 'station' });
    const config = parseStationConfig(
      '/h/config.yaml',
      'telemetry:\n  otlp_endpoint: https://otel.example.com:4318/\n  service_name: ops\n',
    );
    expect(config.telemetry).toEqual({ otlpEndpoint: 'https://otel.example.com:4318', serviceName: 'ops' });
  });

  it('a bad value is an error naming the file, line, key and what was expected', () => {
    expect(() =>
      parseStationConfig('/h/config.yaml', 'model:\n  name: m\ntelemetry:\n  otlp_endpoint: collector:4318\n'),
    ).toThrow(
      /\/h\/config\.yaml:4:\d+.*telemetry\.otlp_endpoint.*expected an http:\/\/ or https:\/\/ URL, got "collector:4318"/s,
    );
    expect(() => parseStationConfig('/h/config.yaml', 'telemetry: yes\n')).toThrow(
      /expected "telemetry" to be a mapping/,
    );
  });
});
