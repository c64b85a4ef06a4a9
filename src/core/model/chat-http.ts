/**
 * One streamed chat-completions request over node:http(s), its server-sent events parsed as they arrive.
 * It replaces the openai SDK's request path (fetch, web streams, its SSE decoder), which cost about 1.5 ms
 * of CPU per model call, more than all of Station's own work in a step. Failures are the SDK's error
 * classes (APIError with status, body and headers; APIConnectionError; APIConnectionTimeoutError), so what
 * is retried and how errors are explained (model-errors.ts) is unchanged.
 */
import http from 'node:http';
import https from 'node:https';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

/** Bytes of an error answer kept (its message is all that is shown). */
const MAX_ERROR_BODY = 64 * 1024;

/** Idle keep-alive sockets are closed before a server's usual keep-alive timeout (Node's is 5 s). */
const IDLE_SOCKET_MS = 4000;

export interface ChatHttpOptions {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout in ms: past it the request fails with APIConnectionTimeoutError. */
  timeoutMs: number;
}

export class ChatHttp {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly request: typeof http.request;

  constructor(private readonly options: ChatHttpOptions) {
    this.url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
    const secure = this.url.protocol === 'https:';
    this.request = secure ? https.request : http.request;
    this.agent = secure
      ? new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS })
      : new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${options.apiKey}`,
      'user-agent': 'station',
      // As the openai SDK did: its organization and project come from these variables when set.
      ...(process.env.OPENAI_ORG_ID ? { 'openai-organization': process.env.OPENAI_ORG_ID } : {}),
      ...(process.env.OPENAI_PROJECT_ID ? { 'openai-project': process.env.OPENAI_PROJECT_ID } : {}),
    };
  }

  /**
   * POSTs `body` and calls `onChunk` with each event's JSON, in order; resolves at the end of the stream.
   * An error thrown by `onChunk` ends the request and rejects with it. A keep-alive socket the server had
   * closed meanwhile is replaced once, silently (the request never reached it).
   */
  async stream(body: string, signal: AbortSignal, onChunk: (chunk: unknown) => void): Promise<void> {
    try {
      await this.once(body, signal, onChunk);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      await this.once(body, signal, onChunk);
    }
  }

  private once(body: string, signal: AbortSignal, onChunk: (chunk: unknown) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let answered = false;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else {
          req.destroy();
          // As thrown (an abort's reason may be any value; the model client reports the signal's own).
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        }
      };
      const onAbort = (): void => {
        finish(signal.reason ?? new Error('aborted'));
      };
      const req = this.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => {
        finish(new APIConnectionTimeoutError());
      }, this.options.timeoutMs);
      timer.unref();
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!answered && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
          finish(new StaleSocketError());
          return;
        }
        finish(new APIConnectionError({ cause: error }));
      });
      req.on('response', (res) => {
        answered = true;
        res.setEncoding('utf8');
        res.on('error', (error) => {
          finish(new APIConnectionError({ cause: error }));
        });
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          let text = '';
          res.on('data', (piece: string) => {
            if (text.length < MAX_ERROR_BODY) text += piece;
          });
          res.on('end', () => {
            finish(statusError(status, text, res.headers));
          });
          return;
        }
        const parser = new SseParser((data) => {
          if (data === '[DONE]') return;
          const chunk = JSON.parse(data) as { error?: unknown } | null;
          // An error sent in the stream, as the SDK reads it.
          if (chunk !== null && chunk.error !== undefined && chunk.error !== null) {
            throw new APIError(undefined, chunk.error, undefined, toHeaders(res.headers));
          }
          onChunk(chunk);
        });
        res.on('data', (piece: string) => {
          if (settled) return;
          try {
            parser.push(piece);
          } catch (error) {
            finish(error);
          }
        });
        res.on('end', () => {
          try {
            parser.end();
            finish();
          } catch (error) {
            finish(error);
          }
        });
        // A connection cut mid-stream ends the response without 'end': the stream is incomplete.
        res.on('close', () => {
          if (!res.complete) finish(new APIConnectionError({ message: 'the connection closed mid-stream' }));
        });
      });
      req.end(body);
    });
  }
}

/** The request went out on a kept-alive socket the server had just closed: sent again on a new one. */
class StaleSocketError extends Error {}

/** Splits a server-sent-event stream into the data of each event (its `data:` lines joined). */
export class SseParser {
  private buffer = '';

  constructor(private readonly onData: (data: string) => void) {}

  push(text: string): void {
    this.buffer += text;
    let start = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n\n', start);
      const crlf = this.buffer.indexOf('\r\n\r\n', start);
      if (end === -1 && crlf === -1) break;
      const useCrlf = crlf !== -1 && (end === -1 || crlf < end);
      const stop = useCrlf ? crlf : end;
      this.event(this.buffer.slice(start, stop));
      start = stop + (useCrlf ? 4 : 2);
    }
    if (start > 0) this.buffer = this.buffer.slice(start);
  }

  /** The stream ended: a last event without its blank line still counts. */
  end(): void {
    const rest = this.buffer;
    this.buffer = '';
    if (rest.trim() !== '') this.event(rest);
  }

  private event(block: string): void {
    // The common case, one `data: ...` line, without splitting.
    if (block.startsWith('data: ') && !block.includes('\n')) {
      this.onData(block.slice(6));
      return;
    }
    let data: string | undefined;
    for (const raw of block.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (!line.startsWith('data:')) continue;
      const value = line.slice(line.startsWith('data: ') ? 6 : 5);
      data = data === undefined ? value : `${data}\n${value}`;
    }
    if (data !== undefined) this.onData(data);
  }
}

/** A non-2xx answer as the SDK's error for its status (its JSON body, else its text, as the message). */
function statusError(status: number, text: string, headers: http.IncomingHttpHeaders): APIError {
  let json: object | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) json = parsed;
  } catch {
    json = undefined;
  }
  return APIError.generate(status, json, json === undefined ? text || undefined : undefined, toHeaders(headers));
}

function toHeaders(incoming: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}
