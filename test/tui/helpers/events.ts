import type { RunEventView } from '../../../src/tui/client/station-client.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/**
 * The events of a run made of `toolSteps` model turns that each call one tool, then a final answer:
 * run.queued, run.started, tools.ready, (model.request, model.response, tool.started, tool.finished) x N,
 * model.request, model.response, run.finished. Seqs count from 1 with no gaps, as the core writes them.
 */
export function scriptedRun(runId: number, toolSteps: number, options: { finished?: boolean } = {}): RunEventView[] {
  const events: RunEventView[] = [];
  let seq = 0;
  const ts = (): string => new Date(T0 + seq * 10).toISOString();
  const push = (e: Omit<RunEventView, 'runId' | 'seq' | 'ts'>): void => {
    seq++;
    events.push({ runId, seq, ts: ts(), ...e } as RunEventView);
  };
  push({
    type: 'run.queued',
    data: { agent: 'hello', environment: 'default', input: { userInput: 'hi' }, model: 'test-model' },
  });
  push({
    type: 'run.started',
    data: {
      agent: 'hello',
      environment: 'default',
      model: 'test-model',
      maxSteps: 100,
      timeoutMs: 60000,
      pid: 1,
      messages: [],
    },
  });
  push({ type: 'tools.ready', data: { tools: [{ name: 'fs__read', server: 'fs', tool: 'read' }], durationMs: 5 } });
  for (let step = 1; step <= toolSteps; step++) {
    push({ type: 'model.request', data: { step, final: false, model: 'test-model', messages: step, tools: 1 } });
    push({
      type: 'model.response',
      data: {
        step,
        model: 'test-model',
        content: null,
        toolCalls: [{ id: `call_${String(step)}`, name: 'fs__read', arguments: `{"path":"/f${String(step)}"}` }],
        finishReason: 'tool_calls',
        usage: { input: 10 * step, output: 5, total: 10 * step + 5 },
        latencyMs: 12,
        attempts: 1,
      },
    });
    push({
      type: 'tool.started',
      data: {
        step,
        callId: `call_${String(step)}`,
        tool: 'fs__read',
        server: 'fs',
        name: 'read',
        arguments: { path: `/f${String(step)}` },
      },
    });
    push({
      type: 'tool.finished',
      data: {
        step,
        callId: `call_${String(step)}`,
        tool: 'fs__read',
        server: 'fs',
        name: 'read',
        durationMs: 3,
        isError: step % 7 === 0,
        error: step % 7 === 0 ? 'ENOENT: no such file' : null,
        result: step % 7 === 0 ? 'ENOENT: no such file' : `content of f${String(step)}`,
        bytes: 12,
        truncated: false,
      },
    });
  }
  const last = toolSteps + 1;
  push({ type: 'model.request', data: { step: last, final: false, model: 'test-model', messages: last, tools: 1 } });
  push({
    type: 'model.response',
    data: {
      step: last,
      model: 'test-model',
      content: 'All done.',
      toolCalls: [],
      finishReason: 'stop',
      usage: { input: 50, output: 7, total: 57 },
      latencyMs: 9,
      attempts: 1,
    },
  });
  if (options.finished !== false) {
    push({
      type: 'run.finished',
      data: {
        status: 'completed',
        stopReason: 'final_answer',
        output: 'All done.',
        error: null,
        steps: last,
        toolCalls: toolSteps,
        tokens: { input: 100, output: 20, total: 120 },
        durationMs: 345,
      },
    });
  }
  return events;
}

/** A page as the client returns it. */
export function pageOf(
  events: RunEventView[],
  all: RunEventView[],
): { events: RunEventView[]; hasOlder: boolean; hasNewer: boolean } {
  const first = events[0]?.seq ?? 0;
  const last = events.at(-1)?.seq ?? 0;
  return { events, hasOlder: first > 1, hasNewer: last < (all.at(-1)?.seq ?? 0) };
}
