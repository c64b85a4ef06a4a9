import type { EventBus } from '../events/event-bus.js';
import type { RunEvent } from '../events/run-events.js';
import type { Logger, LogLevel } from '../server/logger.js';

/** The run a line is about: every run log line carries these (tool and model events do not repeat them). */
interface RunLabels {
  runId: number;
  agent: string;
  environment: string;
}

/**
 * The runner's log: one line per step of every run of this process, from the event bus, each with the run id,
 * agent and environment. Starts and ends at info (an end that is not `completed` at warn), retries, failed tool
 * calls and invalid answers at warn, model and tool calls at debug. Prompts, answers, tool arguments and
 * results are never logged (they are in the run's events). Returns the unsubscribe.
 */
export function logRunEvents(bus: EventBus, log: Logger): () => void {
  const runs = new Map<number, RunLabels>();
  return bus.subscribe((event) => {
    if (event.type === 'run.queued' || event.type === 'run.started') {
      runs.set(event.runId, { runId: event.runId, agent: event.data.agent, environment: event.data.environment });
    }
    const labels = runs.get(event.runId) ?? { runId: event.runId };
    const line = runLogLine(event);
    if (line !== undefined) log[line.level](line.msg, { ...labels, ...line.fields });
    if (event.type === 'run.finished') runs.delete(event.runId);
  });
}

/** The log line of one run event, or undefined for events not logged (progress). */
export function runLogLine(
  event: RunEvent,
): { level: LogLevel; msg: string; fields: Record<string, unknown> } | undefined {
  switch (event.type) {
    case 'run.queued':
      return { level: 'info', msg: 'run queued', fields: { model: event.data.model } };
    case 'run.started':
      return {
        level: 'info',
        msg: 'run started',
        fields: { model: event.data.model, maxSteps: event.data.maxSteps, pid: event.data.pid },
      };
    case 'tools.ready':
      return {
        level: 'debug',
        msg: 'tools ready',
        fields: { tools: event.data.tools.length, ms: event.data.durationMs },
      };
    case 'model.request':
      return {
        level: 'debug',
        msg: 'model request',
        fields: { step: event.data.step, model: event.data.model, final: event.data.final },
      };
    case 'model.retry':
      return {
        level: 'warn',
        msg: 'model request retried',
        fields: {
          step: event.data.step,
          attempt: event.data.attempt,
          status: event.data.status,
          delayMs: event.data.delayMs,
          error: event.data.error,
        },
      };
    case 'model.response':
      return {
        level: 'debug',
        msg: 'model response',
        fields: {
          step: event.data.step,
          model: event.data.model,
          finishReason: event.data.finishReason,
          toolCalls: event.data.toolCalls.length,
          usage: event.data.usage,
          ms: event.data.latencyMs,
        },
      };
    case 'tool.started':
      return {
        level: 'debug',
        msg: 'tool call',
        fields: { step: event.data.step, tool: event.data.tool, server: event.data.server },
      };
    case 'tool.progress':
      return undefined;
    case 'tool.finished':
      return {
        level: event.data.isError ? 'warn' : 'debug',
        msg: event.data.isError ? 'tool call failed' : 'tool call finished',
        fields: {
          step: event.data.step,
          tool: event.data.tool,
          server: event.data.server,
          ms: event.data.durationMs,
          bytes: event.data.bytes,
          ...(event.data.error === null ? {} : { error: event.data.error }),
        },
      };
    case 'output.invalid':
      return {
        level: 'warn',
        msg: 'answer failed its output schema',
        fields: { step: event.data.step, issues: event.data.issues.length, retrying: event.data.retrying },
      };
    case 'run.finished':
      return {
        level: event.data.status === 'completed' || event.data.status === 'cancelled' ? 'info' : 'warn',
        msg: 'run finished',
        fields: {
          status: event.data.status,
          stopReason: event.data.stopReason,
          steps: event.data.steps,
          toolCalls: event.data.toolCalls,
          usage: event.data.tokens,
          ms: event.data.durationMs,
          ...(event.data.error === null ? {} : { error: event.data.error }),
        },
      };
  }
}
