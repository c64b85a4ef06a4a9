/** The model layer's own message and request types, converted to the OpenAI wire shape in one place. */

/** A tool call the model asked for. `arguments` is the raw JSON text the model produced. */
export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: string;
}

export type ModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: readonly ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool offered to the model: its name for the model and its MCP input schema. */
export interface ModelTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export type ResponseFormat =
  { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

export interface ChatRequest {
  model: string;
  messages: readonly ModelMessage[];
  /** Omitted or empty: the request carries no tools. */
  tools?: readonly ModelTool[];
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  responseFormat?: ResponseFormat | undefined;
}

export interface TokenUsage {
  input: number;
  output: number;
  total: number;
}

export interface ChatResponse {
  content: string | null;
  toolCalls: ToolCallRequest[];
  finishReason: string | null;
  /** null when the endpoint reported no usage. */
  usage: TokenUsage | null;
  /** The model that answered, as reported by the endpoint. */
  model: string;
  /** Wall time of the successful attempt, first byte sent to last byte read. */
  latencyMs: number;
  /** Attempts made (1 when no retry was needed). */
  attempts: number;
}

/** Told before each retry: which attempt failed, why, and how long the client waits. */
export interface RetryInfo {
  attempt: number;
  delayMs: number;
  status: number | null;
  error: string;
}

/**
 * The endpoint refused a parameter of the request (400 naming it): the request goes again at once without it,
 * or under `replacement`, and so do later requests of this client to the same model.
 */
export interface ParameterRetryInfo {
  attempt: number;
  parameter: string;
  replacement: string | null;
  /** The endpoint's message. */
  error: string;
  /** One line: `the model refused max_tokens; sent as max_completion_tokens`. */
  reason: string;
}

export interface ChatOptions {
  signal?: AbortSignal | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
  onParameterRetry?: ((info: ParameterRetryInfo) => void) | undefined;
  /** Text as it streams in. */
  onDelta?: ((text: string) => void) | undefined;
  /** An answer (text and tool calls) larger than this many UTF-8 bytes is cut: AnswerTooLargeError. */
  maxAnswerBytes?: number | undefined;
}

/** What the runner needs from a model: one chat completion at a time. */
export interface ChatModel {
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}
