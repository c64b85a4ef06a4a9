// A stand-in OpenTelemetry collector for tests: a real HTTP server on 127.0.0.1 that keeps what the OTLP/HTTP
// exporter posts to /v1/traces (the JSON encoding), and decoders of its spans and attributes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** An OTLP attribute value as the JSON encoding writes it. */
export interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: { key: string; value: AnyValue }[];
  status?: { code?: number };
}
export interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: AnyValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

export function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

export function attributes(list: { key: string; value: AnyValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));
}

export interface Collector {
  /** Base URL, the value of telemetry.otlp_endpoint. */
  url: string;
  posts: { contentType: string; body: ExportRequest }[];
  server: Server;
  /** Every span received, with its attributes decoded. */
  spans(): (OtlpSpan & { attrs: Record<string, unknown> })[];
  close(): Promise<void>;
}

/** A stand-in collector: keeps every POST /v1/traces body (JSON, gunzipped when compressed). */
export async function startCollector(): Promise<Collector> {
  const posts: { contentType: string; body: ExportRequest }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      posts.push({
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(raw.toString('utf8')) as ExportRequest,
      });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    posts,
    server,
    spans: () =>
      posts.flatMap((p) =>
        p.body.resourceSpans.flatMap((r) =>
          r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, attrs: attributes(span.attributes) }))),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
