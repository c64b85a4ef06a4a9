// The test model: an OpenAI-compatible chat-completions server on 127.0.0.1 driven by a script.
//
// Plain JavaScript (ESM, node:http only) so that vitest tests import it directly and benchmarks
// (bench/*.bench.js) and model-server-cli.js run it without a build step. Types: model-server.d.ts.
//
// Each request to `POST .../chat/completions` takes the next step of the script (an array, consumed in
// order) or asks the script function. A step answers with text, tool calls (several = parallel calls),
// usage, an HTTP error (optionally quoting the request's Authorization header), a delay, a dropped
// connection, a stream that stalls mid-way, or a huge streamed answer; `stream: true` requests get the same
// answer as server-sent events with content and tool-call arguments split into deltas. Every request is
// recorded (method, path, headers, parsed body) so tests can assert exactly what the client sent.
// `GET .../models` lists `models` (default: the one `model`); with `apiKey` set, any request without that
// bearer key gets OpenAI's 401.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';

const DEFAULT_CHUNK = 8;

/**
 * Starts a test model server on 127.0.0.1 and an ephemeral port.
 * @param {import('./model-server.js').ModelServerOptions} [options]
 * @returns {Promise<import('./model-server.js').ModelServer>}
 */
export async function startModelServer(options = {}) {
  /** @type {import('./model-server.js').RecordedRequest[]} */
  const requests = [];
  /** @type {import('./model-server.js').ModelStep[]} */
  let queue = [];
  /** @type {import('./model-server.js').ScriptFunction | undefined} */
  let scriptFn;
  let counter = 0;
  let callCounter = 0;
  let inFlight = 0;
  let modelListRequests = 0;
  const sockets = new Set();
  /** @type {Set<() => void>} */
  const waiters = new Set();

  const setScript = (script) => {
    if (typeof script === 'function') {
      scriptFn = script;
      queue = [];
    } else {
      scriptFn = undefined;
      queue = [...(script ?? [])];
    }
  };
  setScript(options.script);

  const nextStep = (recorded) => {
    if (scriptFn !== undefined) return scriptFn(recorded, recorded.index);
    const step = queue.shift();
    if (step !== undefined) return step;
    return (
      options.fallback ?? {
        status: 500,
        error: {
          message: `test model server: script exhausted at request ${String(recorded.index)}`,
          type: 'server_error',
        },
      }
    );
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      void handle(req, res, raw);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req, res, raw) {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      // What OpenAI answers to a wrong or missing key, quoting the key it got (OpenAI masks the middle;
      // this quotes it whole, so tests see that Station masks it). Not recorded, like a request that never
      // got through.
      modelListRequests += path.endsWith('/models') ? 1 : 0;
      const given = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      sendJson(res, 401, {
        error: {
          message: `Incorrect API key provided: ${given}.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
      return;
    }
    if (req.method === 'GET' && path.endsWith('/models')) {
      modelListRequests++;
      const ids = options.models ?? [options.model ?? 'test-model'];
      sendJson(res, 200, {
        object: 'list',
        data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'station-test' })),
      });
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      sendJson(res, 404, {
        error: { message: `no route ${String(req.method)} ${path}`, type: 'invalid_request_error' },
      });
      return;
    }
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(res, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } });
      return;
    }
    const recorded = {
      index: counter++,
      method: req.method,
      path,
      headers: { ...req.headers },
      body,
      receivedAt: Date.now(),
      closedEarly: false,
      completed: false,
      sentBytes: 0,
    };
    requests.push(recorded);
    const refusal = options.reasoning === true ? reasoningRefusal(body) : undefined;
    if (refusal !== undefined) {
      // Refused before any script step is taken, as OpenAI refuses it before the model runs.
      recorded.completed = true;
      sendJson(res, 400, { error: refusal });
      return;
    }
    inFlight++;
    for (const wake of waiters) wake();
    let finished = false;
    res.on('close', () => {
      inFlight--;
      if (!finished) recorded.closedEarly = true;
      for (const wake of waiters) wake();
    });
    const step = await nextStep(recorded);
    const delay = step.delayMs ?? options.latencyMs ?? 0;
    if (delay > 0) {
      const alive = await sleepUnlessClosed(res, delay);
      if (!alive) return;
    }
    if (step.drop === 'before') {
      req.socket.destroy();
      return;
    }
    if (step.status !== undefined && step.status >= 400) {
      finished = true;
      recorded.completed = true;
      const error = step.error ?? { message: `test error ${String(step.status)}`, type: 'test_error' };
      // Like endpoints that quote the credentials they refused.
      const echoed =
        step.echoAuthorization === true
          ? { ...error, message: `${error.message} (Authorization: ${String(req.headers.authorization)})` }
          : error;
      sendJson(res, step.status, { error: echoed }, step.headers);
      return;
    }
    const answer = buildAnswer(body, step);
    if (body.stream === true) {
      const ok = await writeStream(res, body, answer, step, recorded);
      if (!ok) return;
    } else {
      sendJson(res, 200, completionBody(answer), step.headers);
    }
    finished = true;
    recorded.completed = true;
  }

  /** The assistant message, tool calls with ids, and usage of a step. */
  function buildAnswer(body, step) {
    const toolCalls = (step.toolCalls ?? []).map((call) => ({
      id: call.id ?? `call_${String(++callCounter)}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
    }));
    const text = step.text ?? (toolCalls.length > 0 ? null : '');
    const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
    const completion = Math.ceil(
      ((text ?? '').length + toolCalls.reduce((n, c) => n + c.arguments.length + c.name.length, 0)) / 4,
    );
    const usage =
      step.usage === false
        ? undefined
        : {
            prompt_tokens: step.usage?.prompt_tokens ?? prompt,
            completion_tokens: step.usage?.completion_tokens ?? completion,
            total_tokens: (step.usage?.prompt_tokens ?? prompt) + (step.usage?.completion_tokens ?? completion),
          };
    return {
      id: `chatcmpl-${String(counter)}`,
      created: Math.floor(Date.now() / 1000),
      model: step.model ?? body.model ?? options.model ?? 'test-model',
      text,
      toolCalls,
      finishReason: step.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      usage,
    };
  }

  async function writeStream(res, body, answer, step, recorded) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...step.headers,
    });
    const base = { id: answer.id, object: 'chat.completion.chunk', created: answer.created, model: answer.model };
    if (step.answerBytes !== undefined) return writeHugeStream(res, base, step, recorded);
    const size = Math.max(1, step.chunkSize ?? DEFAULT_CHUNK);
    const chunks = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ];
    for (const piece of split(answer.text ?? '', size)) {
      chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    answer.toolCalls.forEach((call, index) => {
      chunks.push({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
            },
            finish_reason: null,
          },
        ],
      });
      for (const piece of split(call.arguments, size)) {
        chunks.push({
          ...base,
          choices: [
            { index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, finish_reason: null },
          ],
        });
      }
    });
    chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: answer.finishReason }] });
    if (body.stream_options?.include_usage === true && answer.usage !== undefined) {
      chunks.push({ ...base, choices: [], usage: answer.usage });
    }
    const frames = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
    if ((step.chunkDelayMs ?? 0) === 0 && step.drop !== 'mid' && step.stall !== 'mid') {
      // No pacing asked: the whole stream in one write (the client still parses it chunk by chunk).
      res.end(frames.join('') + 'data: [DONE]\n\n');
      return true;
    }
    for (let i = 0; i < frames.length; i++) {
      if (step.drop === 'mid' && i === Math.max(1, Math.floor(frames.length / 2))) {
        res.socket?.destroy();
        return false;
      }
      if (step.stall === 'mid' && i === Math.max(1, Math.floor(frames.length / 2))) {
        // Half the answer sent: hold the connection open, sending nothing, until the client gives up.
        await sleepUnlessClosed(res, 3_600_000);
        return false;
      }
      if (res.destroyed) return false;
      res.write(frames[i]);
      if ((step.chunkDelayMs ?? 0) > 0 && !(await sleepUnlessClosed(res, step.chunkDelayMs))) return false;
    }
    res.end('data: [DONE]\n\n');
    return true;
  }

  /**
   * Streams `step.answerBytes` bytes of text in deltas of `step.chunkSize` (default 16 KiB), made as they
   * are sent and written as fast as the client reads them; stops when the client closes the connection.
   */
  async function writeHugeStream(res, base, step, recorded) {
    const size = Math.max(1, step.chunkSize ?? 16 * 1024);
    const frame = (chunk) => `data: ${JSON.stringify({ ...base, ...chunk })}\n\n`;
    const full = frame({ choices: [{ index: 0, delta: { content: 'a'.repeat(size) }, finish_reason: null }] });
    if (
      !(await writeFrame(
        res,
        frame({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
      ))
    )
      return false;
    for (let left = step.answerBytes; left > 0; left -= size) {
      const piece =
        left >= size
          ? full
          : frame({ choices: [{ index: 0, delta: { content: 'a'.repeat(left) }, finish_reason: null }] });
      if (!(await writeFrame(res, piece))) return false;
      recorded.sentBytes += Math.min(left, size);
    }
    if (!(await writeFrame(res, frame({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })))) return false;
    res.end('data: [DONE]\n\n');
    return true;
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `http://127.0.0.1:${String(port)}/v1`,
    port,
    requests,
    get inFlight() {
      return inFlight;
    },
    get remaining() {
      return queue.length;
    },
    get modelListRequests() {
      return modelListRequests;
    },
    script: setScript,
    push: (...steps) => {
      queue.push(...steps);
    },
    /** Resolves once `n` requests have arrived (or rejects after timeoutMs). */
    waitForRequests: (n, timeoutMs = 10_000) =>
      waitUntil(() => requests.length >= n, timeoutMs, `${String(n)} requests`),
    /** Resolves once no request is open. */
    waitIdle: (timeoutMs = 10_000) => waitUntil(() => inFlight === 0, timeoutMs, 'no open request'),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve(undefined));
      }),
  };

  function waitUntil(test, timeoutMs, what) {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!test()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`test model server: timed out waiting for ${what} (have ${String(requests.length)} requests)`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      waiters.add(wake);
    });
  }
}

/**
 * A script for loops: while the conversation has fewer than `steps` assistant turns with tool calls,
 * answer with a call of `tool` (with `args`, or args(turn)); then answer `finalText`. Stateless per
 * request, so it serves many concurrent runs.
 * @param {import('./model-server.js').ToolLoopOptions} opts
 * @returns {import('./model-server.js').ScriptFunction}
 */
export function toolLoop(opts) {
  return (request) => {
    const messages = Array.isArray(request.body.messages) ? request.body.messages : [];
    const turns = messages.filter(
      (m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0,
    ).length;
    if (turns < opts.steps && Array.isArray(request.body.tools) && request.body.tools.length > 0) {
      const args = typeof opts.args === 'function' ? opts.args(turns) : (opts.args ?? {});
      return { toolCalls: [{ name: opts.tool, arguments: args }], delayMs: opts.latencyMs };
    }
    return { text: opts.finalText ?? 'done', delayMs: opts.latencyMs };
  };
}

/** The tool messages of a recorded request, in order. */
export function toolMessages(request) {
  const messages = Array.isArray(request.body.messages) ? request.body.messages : [];
  return messages.filter((m) => m.role === 'tool');
}

/**
 * What OpenAI's reasoning models (o1, o3, gpt-5) answer to sampling parameters they do not take: the same
 * error object (message, type, param, code), checked in the same order; null when the request is fine.
 */
export function reasoningRefusal(body) {
  if (body.max_tokens !== undefined) {
    return {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    };
  }
  if (body.temperature !== undefined && body.temperature !== 1) {
    return {
      message: `Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`,
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'unsupported_value',
    };
  }
  if (body.top_p !== undefined) {
    return {
      message: "Unsupported parameter: 'top_p' is not supported with this model.",
      type: 'invalid_request_error',
      param: 'top_p',
      code: 'unsupported_parameter',
    };
  }
  return undefined;
}

function completionBody(answer) {
  /** @type {Record<string, unknown>} */
  const message = { role: 'assistant', content: answer.text };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message, finish_reason: answer.finishReason, logprobs: null }],
    ...(answer.usage === undefined ? {} : { usage: answer.usage }),
  };
}

function sendJson(res, status, value, headers = {}) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function split(text, size) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Writes one frame, waiting for the socket to drain; resolves false once the client has closed. */
function writeFrame(res, text) {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = () => {
      res.off('drain', onDrain);
      resolve(false);
    };
    const onDrain = () => {
      res.off('close', onClose);
      resolve(true);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Waits `ms`; resolves false early if the client closed the connection. */
function sleepUnlessClosed(res, ms) {
  return new Promise((resolve) => {
    if (res.destroyed || res.writableEnded) {
      resolve(!res.destroyed);
      return;
    }
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}
