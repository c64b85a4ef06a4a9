import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT, type Attributes, type Span } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { EventBus } from '../events/event-bus.js';
import type { RunEvent, RunEventOf } from '../events/run-events.js';
import { redactUrl } from '../security/redact-url.js';
import { readPackageVersion } from '../server/version.js';

export interface RunTracerOptions {
  /** The collector's OTLP/HTTP base URL (`http://collector:4318`); spans go to `<url>/v1/traces`. */
  endpoint: string;
  serviceName: string;
  /** Milliseconds one export may take (default 5 000): a collector that is down never holds a command long. */
  exportTimeoutMs?: number;
  /**
   * Told when spans could not be sent (once, until an export succeeds again) and when they are sent again: the
   * command's or server's log. Without it a collector that is down or a wrong URL would go unnoticed.
   */
  warn?: (message: string) => void;
}

export interface RunTracer {
  /** Sends the spans of the runs ended so far now, not at the next batch (every 5 s). */
  flush(): Promise<void>;
  /** Stops listening, ends spans still open (a run this process did not see finish) and sends what is left. */
  shutdown(): Promise<void>;
}

/** One run in progress: its span, and the spans of its model and tool calls in progress. */
interface OpenRun {
  span: Span;
  labels: Attributes;
  models: Map<number, Span>;
  tools: Map<string, Span>;
}

/** The OTLP/HTTP URL of traces for a collector's base URL (a URL that already ends in /v1/traces is kept). */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/**
 * OpenTelemetry traces of the runs of this process, from the event bus: a trace per run, with a span for the run
 * (`invoke_agent <agent>`), a child span per model call (`chat <model>`) and per tool call (`execute_tool <tool>`).
 * Span times are the events' times; attributes are the events' fields under `station.*` (run id, agent,
 * environment, model, step, tool, server, token counts, status) and the GenAI names where OpenTelemetry has
 * them. Prompts, answers, tool arguments and results are not exported. Loaded only when telemetry.otlp_endpoint
 * is set (engine.runner()).
 */
export function startRunTracer(bus: EventBus, options: RunTracerOptions): RunTracer {
  const url = tracesUrl(options.endpoint);
  const otlp = new OTLPTraceExporter({ url, timeoutMillis: options.exportTimeoutMs ?? 5000 });
  const exporter = options.warn === undefined ? otlp : reportingExporter(otlp, redactUrl(url), options.warn);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': readPackageVersion() }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('station', readPackageVersion());
  const runs = new Map<number, OpenRun>();

  const child = (run: OpenRun, name: string, kind: SpanKind, time: Date, attributes: Attributes): Span =>
    tracer.startSpan(
      name,
      { kind, startTime: time, attributes: { ...run.labels, ...attributes } },
      trace.setSpan(ROOT_CONTEXT, run.span),
    );

  const onEvent = (event: RunEvent): void => {
    const time = new Date(event.ts);
    if (event.type === 'run.started') {
      const labels: Attributes = {
        'station.run_id': event.runId,
        'station.agent': event.data.agent,
        'station.environment': event.data.environment,
      };
      const span = tracer.startSpan(
        `invoke_agent ${event.data.agent}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: time,
          root: true,
          attributes: {
            ...labels,
            'station.model': event.data.model,
            'station.max_steps': event.data.maxSteps,
            'station.timeout_ms': event.data.timeoutMs,
            'station.pid': event.data.pid,
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': event.data.agent,
            'gen_ai.request.model': event.data.model,
          },
        },
        ROOT_CONTEXT,
      );
      runs.set(event.runId, { span, labels, models: new Map(), tools: new Map() });
      return;
    }
    const run = runs.get(event.runId);
    if (run === undefined) return;
    switch (event.type) {
      case 'model.request':
        run.models.get(event.data.step)?.end(time);
        run.models.set(
          event.data.step,
          child(run, `chat ${event.data.model}`, SpanKind.CLIENT, time, {
            'station.step': event.data.step,
            'station.model': event.data.model,
            'station.final': event.data.final,
            'station.messages': event.data.messages,
            'station.tools': event.data.tools,
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': event.data.model,
          }),
        );
        break;
      case 'model.retry':
        run.models.get(event.data.step)?.addEvent(
          'retry',
          {
            'station.attempt': event.data.attempt,
            'station.delay_ms': event.data.delayMs,
            ...(event.data.status === null ? {} : { 'http.response.status_code': event.data.status }),
            'station.error': event.data.error,
          },
          time,
        );
        break;
      case 'model.response':
        endModel(run, event, time);
        break;
      case 'tool.started':
        run.tools.set(
          event.data.callId,
          child(run, `execute_tool ${event.data.tool}`, SpanKind.INTERNAL, time, {
            'station.step': event.data.step,
            'station.tool': event.data.tool,
            'station.tool.server': event.data.server ?? '',
            'station.tool.call_id': event.data.callId,
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': event.data.tool,
            'gen_ai.tool.call.id': event.data.callId,
          }),
        );
        break;
      case 'tool.finished': {
        const span = run.tools.get(event.data.callId);
        if (span === undefined) break;
        run.tools.delete(event.data.callId);
        span.setAttributes({
          'station.duration_ms': event.data.durationMs,
          'station.is_error': event.data.isError,
          'station.bytes': event.data.bytes,
          'station.truncated': event.data.truncated,
        });
        if (event.data.isError)
          span.setStatus({ code: SpanStatusCode.ERROR, message: event.data.error ?? 'tool error' });
        span.end(time);
        break;
      }
      case 'output.invalid':
        run.span.addEvent('output.invalid', { 'station.issues': event.data.issues.length }, time);
        break;
      case 'run.finished':
        finishRun(run, event, time);
        runs.delete(event.runId);
        break;
      default:
        break;
    }
  };

  const unsubscribe = bus.subscribe(onEvent);
  let closing: Promise<void> | undefined;
  return {
    // A failed export is reported through `warn` (and dropped): it is no error of the caller's.
    flush: () => provider.forceFlush().catch(() => undefined),
    shutdown: () =>
      (closing ??= (async () => {
        unsubscribe();
        const now = new Date();
        for (const run of runs.values()) {
          for (const span of [...run.models.values(), ...run.tools.values()]) span.end(now);
          run.span.setStatus({ code: SpanStatusCode.ERROR, message: 'not finished when the process stopped' });
          run.span.end(now);
        }
        runs.clear();
        await provider.shutdown().catch(() => undefined);
      })()),
  };
}

function endModel(run: OpenRun, event: RunEventOf<'model.response'>, time: Date): void {
  const span = run.models.get(event.data.step);
  if (span === undefined) return;
  run.models.delete(event.data.step);
  const usage = event.data.usage;
  span.setAttributes({
    'station.finish_reason': event.data.finishReason ?? '',
    'station.tool_calls': event.data.toolCalls.length,
    'station.latency_ms': event.data.latencyMs,
    'station.attempts': event.data.attempts,
    'gen_ai.response.model': event.data.model,
    ...(event.data.finishReason === null ? {} : { 'gen_ai.response.finish_reasons': [event.data.finishReason] }),
    ...(usage === null
      ? {}
      : {
          'station.tokens.input': usage.input,
          'station.tokens.output': usage.output,
          'station.tokens.total': usage.total,
          'gen_ai.usage.input_tokens': usage.input,
          'gen_ai.usage.output_tokens': usage.output,
        }),
  });
  span.end(time);
}

function finishRun(run: OpenRun, event: RunEventOf<'run.finished'>, time: Date): void {
  const d = event.data;
  // A model or tool call the run ended during (a timeout, a cancel) ends with it, as failed.
  for (const span of [...run.models.values(), ...run.tools.values()]) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `run ${d.status}` });
    span.end(time);
  }
  run.span.setAttributes({
    'station.status': d.status,
    'station.stop_reason': d.stopReason,
    'station.steps': d.steps,
    'station.tool_calls': d.toolCalls,
    'station.tokens.input': d.tokens.input,
    'station.tokens.output': d.tokens.output,
    'station.tokens.total': d.tokens.total,
    'station.duration_ms': d.durationMs,
    'gen_ai.usage.input_tokens': d.tokens.input,
    'gen_ai.usage.output_tokens': d.tokens.output,
    ...(d.error === null ? {} : { 'error.type': d.error.code }),
  });
  if (d.status === 'failed' || d.status === 'timed_out' || d.status === 'interrupted') {
    run.span.setStatus({ code: SpanStatusCode.ERROR, message: d.error?.message ?? d.status });
  }
  run.span.end(time);
}

/**
 * `exporter`, telling `warn` when an export fails (the spans of that batch are dropped; the OTLP exporter has
 * already retried what can be retried) and, after a failure, when spans go through again. One line per change,
 * not per batch: a collector that stays down does not fill the log.
 */
function reportingExporter(exporter: SpanExporter, url: string, warn: (message: string) => void): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && !failing) {
          failing = true;
          const why = result.error === undefined ? 'no answer' : redactUrl(result.error.message);
          const status = (result.error as { code?: unknown } | undefined)?.code;
          warn(
            `Could not send run traces to ${url}: ${why}${typeof status === 'number' ? ` (HTTP ${String(status)})` : ''}. ` +
              `${String(spans.length)} spans were dropped, as will be later ones until it answers: check telemetry.otlp_endpoint in config.yaml and that the collector is up.`,
          );
        } else if (result.code === ExportResultCode.SUCCESS && failing) {
          failing = false;
          warn(`Run traces are sent to ${url} again.`);
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
