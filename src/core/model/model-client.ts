import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { abortReason, backoffDelay, sleep } from './backoff.js';
import { ChatHttp } from './chat-http.js';
import { isRetryable, retryAfterMs, errorStatus, toModelError, unsupportedParameter } from './model-errors.js';
import { makeRedactor, type Redact } from '../mcp/redactor.js';
import { modelKeySecrets, type ModelSettings } from './settings.js';
import { AnswerTooLargeError, IdleWatch } from './stream-limits.js';
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse, ModelMessage, ToolCallRequest } from './types.js';

export interface ModelClientOptions {
  settings: Pick<ModelSettings, 'baseUrl' | 'apiKey' | 'apiKeyVariable'>;
  /** Retries after the first attempt on 429, 5xx and connection errors (default 3). */
  maxRetries?: number;
  /** First retry delay in ms (default 500), doubled each retry. */
  retryBaseMs?: number;
  /** Longest wait between attempts in ms (default 20 000), also caps Retry-After. */
  retryMaxMs?: number;
  /** Per-attempt timeout in ms (default 10 minutes; the run's own timeout usually ends it first). */
  requestTimeoutMs?: number;
  /**
   * An attempt that receives nothing for this long (waiting for the answer, or between chunks) is cut and
   * retried like a dropped stream (model.idle_timeout_seconds). Default: none.
   */
  idleTimeoutMs?: number;
}

/** Placeholder sent when no key is configured: local endpoints ignore it, hosted ones answer 401. */
const NO_KEY = 'no-key-set';

/**
 * Chat completions against any OpenAI-compatible endpoint, streamed (over node:http, see ChatHttp; the
 * openai SDK gives the request types and error classes). Retries (with backoff, honouring Retry-After)
 * are done here, so that each retry is reported.
 */
export class ModelClient implements ChatModel {
  private readonly http: ChatHttp;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  /** Masks the API key in errors (an endpoint may echo it, or the whole Authorization header). */
  private readonly redact: Redact;
  /**
   * Parameters each model refused (by model name): dropped (null) or renamed in every later request of this
   * client, so a process learns a model's quirks once.
   */
  private readonly refused = new Map<string, Map<string, string | null>>();

  constructor(private readonly options: ModelClientOptions) {
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 20_000;
    this.redact = makeRedactor(modelKeySecrets(options.settings));
    this.http = new ChatHttp({
      baseUrl: options.settings.baseUrl,
      apiKey: options.settings.apiKey ?? NO_KEY,
      timeoutMs: options.requestTimeoutMs ?? 600_000,
    });
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const body = toWireRequest(request);
    const refused = this.refused.get(request.model) ?? new Map<string, string | null>();
    const adjusted = new Set<string>();
    for (const [name, replacement] of refused) adjustParameter(body, name, replacement);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const response = await this.attempt(body, options);
        return { ...response, latencyMs: Math.round(performance.now() - started), attempts: attempt };
      } catch (error) {
        if (options.signal?.aborted === true) throw abortReason(options.signal);
        if (error instanceof AnswerTooLargeError) throw error;
        const unsupported = unsupportedParameter(error);
        if (
          unsupported !== undefined &&
          !adjusted.has(unsupported.parameter) &&
          hasParameter(body, unsupported.parameter)
        ) {
          // Once per parameter and request: the endpoint said which one it refuses (and what it wants instead).
          const { parameter, replacement } = unsupported;
          adjusted.add(parameter);
          refused.set(parameter, replacement);
          this.refused.set(request.model, refused);
          adjustParameter(body, parameter, replacement);
          options.onParameterRetry?.({
            attempt,
            parameter,
            replacement,
            error: this.redact(unsupported.message),
            reason:
              replacement === null
                ? `model ${request.model} refused ${parameter}; sent again without it`
                : `model ${request.model} refused ${parameter}; sent again as ${replacement}`,
          });
          continue;
        }
        const target = {
          baseUrl: this.options.settings.baseUrl,
          model: request.model,
          apiKeyVariable: this.options.settings.apiKeyVariable,
          attempts: attempt,
        };
        if (attempt > this.maxRetries || !isRetryable(error)) throw toModelError(error, target, this.redact);
        const delayMs = backoffDelay(
          attempt,
          { baseMs: this.retryBaseMs, maxMs: this.retryMaxMs },
          retryAfterMs(error),
        );
        options.onRetry?.({
          attempt,
          delayMs,
          status: errorStatus(error),
          error: toModelError(error, target, this.redact).message,
        });
        await sleep(delayMs, options.signal);
      }
    }
  }

  private async attempt(
    body: ChatCompletionCreateParamsStreaming,
    options: ChatOptions,
  ): Promise<Omit<ChatResponse, 'latencyMs' | 'attempts'>> {
    const watch = new IdleWatch(this.options.idleTimeoutMs, options.signal);
    try {
      const accumulator = new StreamAccumulator(body.model);
      await this.http.stream(JSON.stringify(body), watch.signal, (chunk) => {
        watch.touch();
        const text = accumulator.add(chunk as ChatCompletionChunk);
        // Throwing ends the request: the rest of the answer is never read.
        if (options.maxAnswerBytes !== undefined && accumulator.bytes > options.maxAnswerBytes)
          throw new AnswerTooLargeError(options.maxAnswerBytes);
        if (text !== '') options.onDelta?.(text);
      });
      if (watch.error !== undefined) throw watch.error;
      if (!accumulator.finished()) throw new IncompleteStreamError();
      return accumulator.result();
    } catch (error) {
      // A request cut for being idle fails with the reason, whatever the SDK made of the abort.
      throw watch.error ?? error;
    } finally {
      watch.stop();
    }
  }
}

function hasParameter(body: ChatCompletionCreateParamsStreaming, name: string): boolean {
  return Object.hasOwn(body, name);
}

/** Drops a parameter from a wire request, or moves its value to `replacement`. */
function adjustParameter(body: ChatCompletionCreateParamsStreaming, name: string, replacement: string | null): void {
  const record = body as unknown as Record<string, unknown>;
  if (!Object.hasOwn(record, name)) return;
  const value = record[name];
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete record[name];
  if (replacement !== null) record[replacement] = value;
}

/** The connection closed before the stream said it was done; retried like a connection error. */
export class IncompleteStreamError extends Error {
  constructor() {
    super('the response stream ended before the answer was complete');
    this.name = 'IncompleteStreamError';
  }
}

/** Builds a streamed chat request in the OpenAI wire shape. */
export function toWireRequest(request: ChatRequest): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model: request.model,
    messages: request.messages.map(toWireMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool): ChatCompletionTool => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  // max_tokens, not max_completion_tokens: it is what Ollama, vLLM and LM Studio understand.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  const format = request.responseFormat;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name, schema: format.schema, strict: false },
    };
  }
  return body;
}

/** One message in the wire shape. A tool result carries the call's id and the result text, in that order. */
export function toWireMessage(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
        return {
          role: 'assistant',
          content: message.content,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      }
      return { role: 'assistant', content: message.content ?? '' };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/** Folds streamed chunks (content deltas, tool-call deltas by index, usage) into one answer. */
export class StreamAccumulator {
  private content = '';
  private sawContent = false;
  private readonly calls: ToolCallRequest[] = [];
  private finishReason: string | null = null;
  private usage: ChatResponse['usage'] = null;
  private model: string;
  /** UTF-8 bytes of the answer so far: text, tool names and arguments. */
  bytes = 0;

  constructor(requestedModel: string) {
    this.model = requestedModel;
  }

  /** Adds a chunk; returns its text delta ('' if none). */
  add(chunk: ChatCompletionChunk): string {
    if (typeof chunk.model === 'string' && chunk.model !== '') this.model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) {
      const input = chunk.usage.prompt_tokens;
      const output = chunk.usage.completion_tokens;
      this.usage = { input, output, total: chunk.usage.total_tokens || input + output };
    }
    const choice = chunk.choices[0];
    if (choice === undefined) return '';
    if (choice.finish_reason !== null) this.finishReason = choice.finish_reason;
    const delta = choice.delta;
    for (const part of delta.tool_calls ?? []) {
      const slot = (this.calls[part.index] ??= { id: '', name: '', arguments: '' });
      if (part.id !== undefined && part.id !== '') slot.id = part.id;
      const name = part.function?.name;
      if (name !== undefined && name !== '' && slot.name !== name) {
        slot.name += name;
        this.bytes += Buffer.byteLength(name);
      }
      const args = part.function?.arguments;
      if (args !== undefined) {
        slot.arguments += args;
        this.bytes += Buffer.byteLength(args);
      }
    }
    const text = delta.content ?? '';
    this.bytes += Buffer.byteLength(text);
    if (typeof delta.content === 'string') this.sawContent = true;
    this.content += text;
    return text;
  }

  /** True once a finish reason arrived (a stream cut short has none). */
  finished(): boolean {
    return this.finishReason !== null;
  }

  result(): Omit<ChatResponse, 'latencyMs' | 'attempts'> {
    const toolCalls = this.calls
      .filter((call) => call.name !== '')
      .map((call, index) =>
        call.id === '' ? { ...call, id: `call_${String(index)}_${Date.now().toString(36)}` } : call,
      );
    return {
      content: this.sawContent && this.content !== '' ? this.content : toolCalls.length > 0 ? null : this.content,
      toolCalls,
      finishReason: this.finishReason,
      usage: this.usage,
      model: this.model,
    };
  }
}
