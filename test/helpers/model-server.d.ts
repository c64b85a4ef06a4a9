// Types of model-server.js (plain JS so that benchmarks run it without a build).

export interface ScriptedToolCall {
  /** Defaults to call_<n>, unique per server. */
  id?: string;
  name: string;
  /** An object (sent as JSON) or a raw string (to send invalid JSON on purpose). */
  arguments?: unknown;
}

/** What the server does for one request. */
export interface ModelStep {
  /** Assistant text (null content when only tool calls are given). */
  text?: string;
  /** Tool calls of this turn; several make parallel calls. */
  toolCalls?: ScriptedToolCall[];
  /** Token counts to report; false reports none. Defaults are computed from the sizes. */
  usage?: { prompt_tokens?: number; completion_tokens?: number } | false;
  finishReason?: string;
  /** An HTTP error status (429, 500, 400, ...) with an OpenAI-style error body. */
  status?: number;
  error?: { message: string; type?: string; code?: string | null };
  /** With an error status: the error message ends with the request's Authorization header, as some endpoints do. */
  echoAuthorization?: boolean;
  headers?: Record<string, string>;
  /** Milliseconds to wait before answering (cut short if the client disconnects). */
  delayMs?: number | undefined;
  /** Destroy the connection before any byte, or in the middle of the stream. */
  drop?: 'before' | 'mid';
  /** Send half the stream, then nothing more (the connection stays open) until the client closes it. */
  stall?: 'mid';
  /**
   * Stream a text answer of this many bytes (deltas of `chunkSize`, default 16 KiB), written as fast as the
   * client reads; stops early when the client closes. `text` and `toolCalls` are ignored.
   */
  answerBytes?: number;
  /** Characters per content / tool-argument delta when streaming (default 8). */
  chunkSize?: number;
  /** Milliseconds between stream chunks. */
  chunkDelayMs?: number;
  model?: string;
}

/** A chat message as it arrived on the wire. */
export interface WireMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** The parsed JSON body of a chat request. */
export interface RecordedBody {
  model: string;
  messages: WireMessage[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  stream?: boolean;
  [key: string]: unknown;
}

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: RecordedBody;
  receivedAt: number;
  /** The client closed the connection before the answer was complete (cancelled or timed out). */
  closedEarly: boolean;
  completed: boolean;
  /** Content bytes of an `answerBytes` answer written to the socket so far. */
  sentBytes: number;
}

export function reasoningRefusal(
  body: RecordedBody,
): { message: string; type: string; param: string; code: string } | undefined;

export type ScriptFunction = (request: RecordedRequest, index: number) => ModelStep | Promise<ModelStep>;

export interface ModelServerOptions {
  script?: ModelStep[] | ScriptFunction;
  /** Answer when an array script is exhausted (default: HTTP 500 naming the request). */
  fallback?: ModelStep;
  /** Delay for every step that sets none. */
  latencyMs?: number;
  model?: string;
  /** Ids `GET /models` lists (default: `[model ?? 'test-model']`). */
  models?: string[];
  /**
   * Like OpenAI's reasoning models: a request with `max_tokens`, a `temperature` other than 1, or `top_p` gets
   * their 400 (`unsupported_parameter` / `unsupported_value`, same message, type, param and code); no
   * script step is taken for it.
   */
  reasoning?: boolean;
  /** When set, every request must carry `Authorization: Bearer <apiKey>`; others get OpenAI's 401 (quoting the key sent). */
  apiKey?: string;
}

export interface ModelServer {
  /** Base URL for an OpenAI client: http://127.0.0.1:PORT/v1 */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly inFlight: number;
  /** Steps left in an array script. */
  readonly remaining: number;
  /** `GET /models` requests received (answered or refused). */
  readonly modelListRequests: number;
  script(script: ModelStep[] | ScriptFunction): void;
  push(...steps: ModelStep[]): void;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  waitIdle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ToolLoopOptions {
  /** Model name of the tool to call each turn. */
  tool: string;
  args?: unknown;
  /** Turns with a tool call before the final answer. */
  steps: number;
  finalText?: string;
  latencyMs?: number;
}

export function startModelServer(options?: ModelServerOptions): Promise<ModelServer>;
export function toolLoop(opts: ToolLoopOptions): ScriptFunction;
export function toolMessages(request: RecordedRequest): WireMessage[];
