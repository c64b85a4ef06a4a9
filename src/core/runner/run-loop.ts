import { ValidationError, errorMessage, type FieldIssue } from '../errors.js';
import type { StopReason, TokenCounts } from '../events/run-events.js';
import { abortReason } from '../model/backoff.js';
import type { ChatModel, ChatRequest, ChatResponse, ModelMessage, ModelTool, ToolCallRequest } from '../model/types.js';
import { checkOutput, jsonInstruction, wantsJson, type OutputSpec } from './output-check.js';
import type { RunProfile, RunRecorder } from './run-recorder.js';
import type { ToolProvider, ToolSpec } from './tool-provider.js';
import { truncateMiddle } from './truncate.js';

/** What one run does: the rendered prompt, the model, the limits. */
export interface RunPlan {
  model: string;
  messages: readonly ModelMessage[];
  /** Model turns allowed before the last call without tools. */
  maxSteps: number;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  output?: OutputSpec | undefined;
  /** Tool results above this many bytes are cut before they reach the model. */
  maxToolResultBytes: number;
  /** A model answer above this many bytes ends the run (AnswerTooLargeError, stop reason answer_too_large). */
  maxAnswerBytes?: number | undefined;
}

/** Counters of a run, updated as it goes (the caller keeps them when the loop throws). */
export interface RunStats {
  steps: number;
  toolCalls: number;
  tokens: TokenCounts;
}

export interface LoopResult {
  stopReason: Extract<StopReason, 'final_answer' | 'max_steps'>;
  output: string;
}

export interface LoopDeps {
  model: ChatModel;
  tools: ToolProvider;
  recorder: RunRecorder;
  signal: AbortSignal;
  stats: RunStats;
  /** Model and tool time are added here when given. */
  profile?: RunProfile | undefined;
}

/** The answer failed the agent's output spec, even after one request to correct it. */
export class OutputInvalidError extends ValidationError {
  constructor(
    readonly output: string,
    issues: readonly FieldIssue[],
  ) {
    const list = issues.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)).join('; ');
    super(`the final answer does not match the agent's output format: ${list}`, issues, {
      hints: ["Check the agent's output schema, or use a model that follows JSON instructions."],
    });
  }
}

const FINAL_REQUEST =
  'You have reached the maximum number of steps for this task. Do not call any tools. Give your final answer now, based on what you have found so far.';

/**
 * The execution loop: call the model with the agent's tools; run the tool calls it asks for (all calls
 * of one turn at once) and send back each result as a `tool` message; repeat until the model answers
 * without tools or `maxSteps` turns are used, then make one last call without tools for the answer.
 */
export async function runLoop(plan: RunPlan, deps: LoopDeps): Promise<LoopResult> {
  const { recorder, signal, stats } = deps;
  const specs = deps.tools.list();
  const byName = new Map(specs.map((s) => [s.name, s]));
  const offered: ModelTool[] = specs.map((s) => ({
    name: s.name,
    description: s.description,
    parameters: s.inputSchema,
  }));
  const messages: ModelMessage[] = withOutputInstruction(plan.messages, plan.output);
  const responseFormat = responseFormatOf(plan.output);
  let repaired = false;

  const call = async (final: boolean): Promise<ChatResponse> => {
    throwIfAborted(signal);
    stats.steps += 1;
    const step = stats.steps;
    const tools = final ? [] : offered;
    // Written with the events of the step before it at the end of this turn, with the other runs that write in
    // the same turn: one transaction per step at most (the other events are staged).
    recorder.emitSoon('model.request', {
      step,
      final,
      model: plan.model,
      messages: messages.length,
      tools: tools.length,
    });
    const request: ChatRequest = {
      model: plan.model,
      messages,
      tools,
      temperature: plan.temperature,
      maxTokens: plan.maxTokens,
      responseFormat,
    };
    const modelStarted = performance.now();
    const response = await withChildSignal(signal, (child) =>
      deps.model.chat(request, {
        signal: child,
        maxAnswerBytes: plan.maxAnswerBytes,
        onRetry: (r) =>
          recorder.stage('model.retry', {
            step,
            attempt: r.attempt,
            delayMs: r.delayMs,
            status: r.status,
            error: r.error,
          }),
        onParameterRetry: (r) =>
          recorder.stage('model.retry', {
            step,
            attempt: r.attempt,
            delayMs: 0,
            status: 400,
            error: r.error,
            parameter: { name: r.parameter, replacement: r.replacement, reason: r.reason },
          }),
      }),
    );
    if (deps.profile !== undefined) deps.profile.modelMs += performance.now() - modelStarted;
    if (response.usage !== null) {
      stats.tokens.input += response.usage.input;
      stats.tokens.output += response.usage.output;
      stats.tokens.total += response.usage.total;
    }
    recorder.stage(
      'model.response',
      {
        step,
        model: response.model,
        content: response.content,
        toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
        finishReason: response.finishReason,
        usage: response.usage,
        latencyMs: response.latencyMs,
        attempts: response.attempts,
      },
      stats,
    );
    return response;
  };

  for (;;) {
    const final = stats.steps >= plan.maxSteps;
    if (final) messages.push({ role: 'user', content: FINAL_REQUEST });
    const response = await call(final);
    if (final || response.toolCalls.length === 0) {
      const content = response.content ?? '';
      const check = checkOutput(content, plan.output);
      if (check.ok) return { stopReason: final ? 'max_steps' : 'final_answer', output: check.text };
      const retrying = !repaired && !final && stats.steps < plan.maxSteps;
      recorder.stage('output.invalid', { step: stats.steps, issues: check.issues, retrying });
      if (!retrying) throw new OutputInvalidError(content, check.issues);
      repaired = true;
      messages.push({ role: 'assistant', content });
      messages.push({ role: 'user', content: correctionRequest(check.issues, plan.output) });
      continue;
    }
    messages.push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls });
    const toolsStarted = performance.now();
    const results = await runToolCalls(response.toolCalls, byName, plan, deps);
    if (deps.profile !== undefined) deps.profile.toolMs += performance.now() - toolsStarted;
    response.toolCalls.forEach((toolCall, i) => {
      messages.push({ role: 'tool', toolCallId: toolCall.id, content: results[i] ?? '' });
    });
  }
}

/** Runs one turn's tool calls concurrently; returns the text each sends back to the model, in order. */
async function runToolCalls(
  calls: readonly ToolCallRequest[],
  byName: ReadonlyMap<string, ToolSpec>,
  plan: RunPlan,
  deps: LoopDeps,
): Promise<string[]> {
  const settled = await Promise.allSettled(
    calls.map((c) => runToolCall(c, resolveCall(c.name, byName), byName, plan, deps)),
  );
  throwIfAborted(deps.signal);
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : `Error: ${errorMessage(s.reason)}`));
}

/**
 * The offered tool a call names: its exact name, else (as prompts written for the original Station say
 * them) `__tool` or a bare `tool` that exactly one offered tool has. Several: ambiguous, with the choices.
 */
export function resolveCall(
  name: string,
  byName: ReadonlyMap<string, ToolSpec>,
): { spec: ToolSpec } | { spec: undefined; choices: string[] } {
  const exact = byName.get(name);
  if (exact !== undefined) return { spec: exact };
  const bare = name.startsWith('__') ? name.slice(2) : name;
  const matches = [...byName.values()].filter((s) => s.tool === bare || s.name === bare);
  const only = matches[0];
  if (matches.length === 1 && only !== undefined) return { spec: only };
  return { spec: undefined, choices: matches.map((s) => s.name).sort() };
}

async function runToolCall(
  toolCall: ToolCallRequest,
  resolved: ReturnType<typeof resolveCall>,
  byName: ReadonlyMap<string, ToolSpec>,
  plan: RunPlan,
  deps: LoopDeps,
): Promise<string> {
  const { recorder, stats, signal } = deps;
  const step = stats.steps;
  stats.toolCalls += 1;
  const spec = resolved.spec;
  const base = {
    step,
    callId: toolCall.id,
    tool: spec?.name ?? toolCall.name,
    // The name the model used, when it is not the offered one (`__read_text_file` for filesystem__read_text_file).
    ...(spec !== undefined && spec.name !== toolCall.name ? { requested: toolCall.name } : {}),
    server: spec?.server ?? null,
    name: spec?.tool ?? toolCall.name,
  };
  const parsed = parseArguments(toolCall.arguments);
  recorder.stage('tool.started', { ...base, arguments: parsed.ok ? parsed.value : toolCall.arguments });
  const started = performance.now();
  let text: string;
  let isError: boolean;
  let error: string | null = null;
  if (resolved.spec === undefined && resolved.choices.length > 1) {
    error = `tool name "${toolCall.name}" is ambiguous; call one of: ${resolved.choices.join(', ')}`;
  } else if (spec === undefined) {
    error = `unknown tool "${toolCall.name}"; the tools available are: ${[...byName.keys()].join(', ') || '(none)'}`;
  } else if (!parsed.ok) {
    error = parsed.error;
  }
  if (error !== null || !parsed.ok || spec === undefined) {
    isError = true;
    text = `Error: ${error ?? 'invalid arguments'}`;
  } else {
    try {
      const outcome = await withChildSignal(signal, (child) =>
        deps.tools.call(spec.name, parsed.value, {
          signal: child,
          onProgress: (p) =>
            recorder.stage('tool.progress', {
              step,
              callId: toolCall.id,
              progress: p.progress,
              total: p.total ?? null,
              message: p.message ?? null,
            }),
        }),
      );
      isError = outcome.isError;
      text = outcome.text;
    } catch (thrown) {
      isError = true;
      error = signal.aborted ? errorMessage(abortReason(signal)) : errorMessage(thrown);
      text = `Error: ${error}`;
    }
  }
  const cut = truncateMiddle(text, plan.maxToolResultBytes);
  recorder.stage(
    'tool.finished',
    {
      ...base,
      durationMs: Math.round(performance.now() - started),
      isError,
      error,
      result: text,
      bytes: cut.bytes,
      truncated: cut.truncated,
    },
    stats,
  );
  return cut.text;
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

function parseArguments(raw: string): Parsed {
  if (raw.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return { ok: true, value: value as Record<string, unknown> };
    return { ok: false, error: 'the arguments must be a JSON object' };
  } catch (error) {
    return { ok: false, error: `the arguments are not valid JSON (${errorMessage(error)})` };
  }
}

/**
 * Runs `fn` with a signal of its own that follows `parent`, and unlinks it afterwards. Libraries add
 * abort listeners to the signals they are given and do not always remove them; a run's signal lives
 * for many calls, so each call gets a short-lived one.
 */
async function withChildSignal<T>(parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const child = new AbortController();
  const forward = (): void => {
    child.abort(parent.reason);
  };
  if (parent.aborted) forward();
  else parent.addEventListener('abort', forward, { once: true });
  try {
    return await fn(child.signal);
  } finally {
    parent.removeEventListener('abort', forward);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

function responseFormatOf(output: OutputSpec | undefined): ChatRequest['responseFormat'] {
  if (!wantsJson(output)) return undefined;
  return output?.schema === undefined
    ? { type: 'json_object' }
    : { type: 'json_schema', name: 'output', schema: output.schema };
}

/** The prompt, plus (when JSON is wanted) a system instruction after the first system message. */
function withOutputInstruction(messages: readonly ModelMessage[], output: OutputSpec | undefined): ModelMessage[] {
  const copy = [...messages];
  if (output === undefined || !wantsJson(output)) return copy;
  const instruction: ModelMessage = { role: 'system', content: jsonInstruction(output) };
  const firstSystem = copy.findIndex((m) => m.role === 'system');
  copy.splice(firstSystem + 1, 0, instruction);
  return copy;
}

function correctionRequest(issues: readonly FieldIssue[], output: OutputSpec | undefined): string {
  const list = issues.map((i) => `- ${i.field === '' ? '(answer)' : i.field}: ${i.message}`).join('\n');
  return `Your answer is not valid:\n${list}\n${output === undefined ? '' : jsonInstruction(output)}`;
}
