export {
  ModelClient,
  StreamAccumulator,
  toWireMessage,
  toWireRequest,
  type ModelClientOptions,
} from './model-client.js';
export { modelKeySecrets, resolveModelSettings, type ModelOverrides, type ModelSettings } from './settings.js';
export {
  MODEL_REASONS,
  chooseModel,
  globMatches,
  matchAlias,
  type ModelChoice,
  type ModelChoiceConfig,
  type ModelReason,
} from './choose-model.js';
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
  ParameterRetryInfo,
  RetryInfo,
  TokenUsage,
  ToolCallRequest,
} from './types.js';
