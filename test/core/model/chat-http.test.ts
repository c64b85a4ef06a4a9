import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatHttp, SseParser } from '../../../src/core/model/chat-http.js';
import { ModelClient } from '../../../src/core/model/model-client.js';
import { ModelError } from '../../../src/core/errors.js';

function parse(pieces: readonly string[]): string[] {
  const out: string[] = [];
  const parser = new SseParser((data) => out.push(data));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return out;
}

describe('SseParser', () => {
  it('gives the data of each event, whatever the pieces the stream arrives in', () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    const whole = parse([stream]);
    expect(whole).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
    // Cut at every position: the same events.
    for (let i = 1; i < stream.length; i++) expect(parse([stream.slice(0, i), stream.slice(i)])).toEqual(whole);
  });

  it('reads CRLF line ends, several data lines, comments, other fields, and a last event without its blank line', () => {
    expect(
      parse([': keep-alive\r\n\r\nevent: message\r\ndata: one\r\ndata: two\r\n\r\nid: 3\ndata:three\n\ndata: last']),
    ).toEqual(['one\ntwo', 'three', 'last']);
  });
});

describe('ChatHttp', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`;
  }

  it('keeps the connection between requests, and sends the key and the JSON body', async () => {
    const sockets = new Set<unknown>();
    const seen: { auth: string | undefined; body: string }[] = [];
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (piece: Buffer) => (body += piece.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"n":1}\n\ndata: [DONE]\n\n');
      });
    });
    const http = new ChatHttp({ baseUrl: `${url}/`, apiKey: 'k1', timeoutMs: 5000 });
    for (let i = 0; i < 3; i++) {
      const chunks: unknown[] = [];
      await http.stream('{"x":1}', new AbortController().signal, (c) => chunks.push(c));
      expect(chunks).toEqual([{ n: 1 }]);
    }
    expect(seen).toEqual(Array.from({ length: 3 }, () => ({ auth: 'Bearer k1', body: '{"x":1}' })));
    expect(sockets.size).toBe(1);
  });

  it('fails a run on an error sent inside the stream, with the endpoint message', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"error":{"message":"the model is overloaded","code":"overloaded"}}\n\n');
    });
    const client = new ModelClient({
      settings: { baseUrl: url, apiKey: 'k', apiKeyVariable: 'K' },
      maxRetries: 0,
    });
    const error = await client
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toContain('the model is overloaded');
  });

  it('gives an error answer that is not JSON as its text', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad Gateway from the proxy');
    });
    const client = new ModelClient({
      settings: { baseUrl: url, apiKey: 'k', apiKeyVariable: 'K' },
      maxRetries: 0,
    });
    const error = (await client
      .chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as ModelError;
    expect(error.code).toBe('model_server_error');
    expect(error.message).toContain('Bad Gateway from the proxy');
  });
});
