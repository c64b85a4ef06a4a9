export {
  ModelClient,
  StreamAccumulator,
  toWireMessage,
  toWireRequest,
  type ModelClientOptions,
} from './model-client.js';
export { modelKeySecrets, resolveModelSettings, type ModelOverrides, type ModelSettings } from './settings.js';
export { backoffDelay, sleep, abortReason, type BackoffOptions } from './backoff.js';
export { AnswerTooLargeError, StreamIdleError } from './stream-limits.js';
export { isRetryable, retryAfterMs, toModelError, type ModelTarget } from './model-errors.js';
export type {
  ChatModel,
  ChatOptions,
  ChatRequest,
  ChatResponse,
  ModelMessage,
  ModelTool,
  ResponseFormat,
  RetryInfo,
  TokenUsage,
  ToolCallRequest,
} from './types.js';
