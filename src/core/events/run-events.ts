import type { ModelReason } from '../model/choose-model.js';

/**
 * The one event schema. Every step of a run is an event `{runId, seq, type, ts, data}`: written to the
 * run_events table as it happens, published on the engine's event bus, printed as NDJSON by
 * `stn agent run --json`, and read by the TUI and WebSocket viewers. `seq` counts from 1 within a run
 * with no gaps; `ts` is an ISO-8601 UTC time. Secrets (API keys, headers) never appear in events.
 */

export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * What started a run: `manual` (the CLI or the local TUI), `api` (REST, or the remote TUI over it), `mcp`
 * (an MCP client, over stdio or HTTP), `schedule` (the scheduler, at a cron fire time) or `import` (a run of the
 * original Station, imported from its database by `stn db import-original`).
 */
export const RUN_TRIGGERS = ['manual', 'api', 'mcp', 'schedule', 'import'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'timed_out', 'interrupted'];

export function isFinalStatus(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** What a list shows as a run's status: `max_steps` for a run that completed only because it hit its step limit. */
export type RunDisplayStatus = RunStatus | 'max_steps';

/** The status `runs list` and the TUI show (one rule for both): a max_steps stop is not a plain `completed`. */
export function displayStatus(run: { status: RunStatus; stopReason: string | null }): RunDisplayStatus {
  return run.status === 'completed' && run.stopReason === 'max_steps' ? 'max_steps' : run.status;
}

/** Event types after which a run's row (status, counters) has changed: a viewer re-reads the row then. */
export const RUN_ROW_EVENT_TYPES = [
  'run.queued',
  'run.started',
  'model.response',
  'tool.finished',
  'run.finished',
] as const;

export function changesRunRow(event: { type: string }): boolean {
  return (RUN_ROW_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * Why a run stopped: `final_answer` (the model answered without calling tools), `max_steps` (the step
 * limit was reached and a last call without tools produced the answer), `invalid_output` (the answer
 * failed the output schema), `answer_too_large` (a model answer grew past runner.max_answer_bytes and was
 * cut off), `error`, `cancelled`, `timeout`, `shutdown` (Station stopped it while shutting down),
 * `interrupted` (the process running it died).
 */
export type StopReason =
  | 'final_answer'
  | 'max_steps'
  | 'invalid_output'
  | 'answer_too_large'
  | 'error'
  | 'cancelled'
  | 'timeout'
  | 'shutdown'
  | 'interrupted';

export interface TokenCounts {
  input: number;
  output: number;
  total: number;
}

export interface EventToolCall {
  id: string;
  name: string;
  /** Raw JSON text of the arguments, as the model produced it. */
  arguments: string;
}

/** A message of the rendered prompt, as recorded in `run.started`. */
export interface EventMessage {
  role: string;
  content: string | null;
}

/** Why a run uses its model (see chooseModel): in `run.queued` and `run.started` beside `model`. */
export interface EventModelChoice {
  reason: ModelReason;
  /** The agent file's `model:` (null when it names none). */
  fileModel: string | null;
  /** The config.yaml model.aliases key that matched (reason `alias`). */
  alias?: string;
  explanation: string;
}

export interface EventError {
  code: string;
  message: string;
}

/** The data of each event type. */
export interface RunEventData {
  /** The run was accepted and waits for a worker. */
  'run.queued': {
    agent: string;
    environment: string;
    input: Record<string, unknown>;
    model: string;
    /** Why that model (absent in runs recorded before Station said so). */
    modelChoice?: EventModelChoice;
    /** The run's own timeout, when one was asked for (a run queued for another process carries it here). */
    timeoutMs?: number;
    /** The interrupted run this one retries (its agent's `retry_on_interrupt`). */
    retryOf?: number;
  };
  /** A worker took the run; the prompt is rendered. */
  'run.started': {
    agent: string;
    environment: string;
    model: string;
    /** Why that model (absent in runs recorded before Station said so). */
    modelChoice?: EventModelChoice;
    /** Whether the answer is plain text or JSON, and why (absent in older runs). */
    output?: { format: 'text' | 'json'; reason: string; explanation: string };
    maxSteps: number;
    timeoutMs: number;
    pid: number;
    messages: EventMessage[];
  };
  /** The agent's MCP tools are connected and offered to the model. */
  'tools.ready': { tools: { name: string; server: string; tool: string }[]; durationMs: number };
  /** A chat request is about to go out. `final` marks the last call without tools after max_steps. */
  'model.request': { step: number; final: boolean; model: string; messages: number; tools: number };
  /**
   * A chat request failed and will be retried after `delayMs`. With `parameter`: the endpoint refused a
   * parameter (`max_tokens`, `temperature`, `top_p`); the request is sent again at once without it, or under
   * the name it accepts (`replacement`), and so are this process's later requests to the same model.
   */
  'model.retry': {
    step: number;
    attempt: number;
    delayMs: number;
    status: number | null;
    error: string;
    parameter?: { name: string; replacement: string | null; reason: string };
  };
  'model.response': {
    step: number;
    model: string;
    content: string | null;
    toolCalls: EventToolCall[];
    finishReason: string | null;
    usage: TokenCounts | null;
    latencyMs: number;
    attempts: number;
  };
  /**
   * `tool` is the offered name that ran; `requested` the name the model called it by when that differs (a
   * prompt's `__read_text_file` resolved to `filesystem__read_text_file`).
   */
  'tool.started': {
    step: number;
    callId: string;
    tool: string;
    requested?: string;
    server: string | null;
    name: string;
    arguments: unknown;
  };
  /** An MCP progress notification from a running tool. */
  'tool.progress': { step: number; callId: string; progress: number; total: number | null; message: string | null };
  /**
   * A tool call ended. `result` is the whole result text (what the model got may be cut: `truncated`);
   * `isError` covers MCP error results and exceptions (then `error` says what happened).
   */
  'tool.finished': {
    step: number;
    callId: string;
    tool: string;
    requested?: string;
    server: string | null;
    name: string;
    durationMs: number;
    isError: boolean;
    error: string | null;
    result: string;
    bytes: number;
    truncated: boolean;
  };
  /** The answer failed JSON/schema validation; the model is asked once to correct it. */
  'output.invalid': { step: number; issues: { field: string; message: string }[]; retrying: boolean };
  'run.finished': {
    status: RunStatus;
    stopReason: StopReason;
    output: string | null;
    error: EventError | null;
    steps: number;
    toolCalls: number;
    tokens: TokenCounts;
    durationMs: number;
  };
}

export type RunEventType = keyof RunEventData;

export const RUN_EVENT_TYPES: readonly RunEventType[] = [
  'run.queued',
  'run.started',
  'tools.ready',
  'model.request',
  'model.retry',
  'model.response',
  'tool.started',
  'tool.progress',
  'tool.finished',
  'output.invalid',
  'run.finished',
];

/** One event of one type. */
export interface RunEventOf<K extends RunEventType> {
  runId: number;
  seq: number;
  type: K;
  ts: string;
  data: RunEventData[K];
}

/** Any event: a union discriminated by `type`. */
export type RunEvent = { [K in RunEventType]: RunEventOf<K> }[RunEventType];

export function isRunEventType(value: string): value is RunEventType {
  return (RUN_EVENT_TYPES as readonly string[]).includes(value);
}
