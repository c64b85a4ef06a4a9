/**
 * Turns run events into timeline items: one item per model call (model.request + retries + response),
 * one per tool call (tool.started + progress + tool.finished), and one per other event (run queued,
 * started, tools ready, output invalid, run finished). Folding is keyed, so the halves of a call meet in
 * one item whichever arrives first (older pages are loaded backwards).
 */
import type { RunEventView } from '../client/station-client.js';
import { plural } from '../format.js';

export type TraceItemKind = 'run' | 'model' | 'tool' | 'other';

export interface TraceItem {
  key: string;
  kind: TraceItemKind;
  firstSeq: number;
  lastSeq: number;
  /** ISO time of the first event. */
  ts: string;
  /** "model gpt-4o" / the tool's qualified name / the event type. */
  title: string;
  /** `cancelled`: a model or tool call still open when its run ended (see closeOpenCalls). */
  status: 'pending' | 'ok' | 'error' | 'cancelled';
  step: number | null;
  durationMs: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  /** Tool arguments. */
  args: unknown;
  /** Tool result text, or the model's answer / tool calls. */
  result: unknown;
  error: string | null;
  /** A one-line summary (model text and calls, stop reason, ...). */
  note: string | null;
  /** The events the item was made from, by seq (for the full JSON view). */
  events: RunEventView[];
}

/** The item an event belongs to. */
export function itemKey(event: RunEventView): string {
  switch (event.type) {
    case 'model.request':
    case 'model.retry':
    case 'model.response':
      return `model:${String(event.data.step)}`;
    case 'tool.started':
    case 'tool.progress':
    case 'tool.finished':
      return `tool:${String(event.data.step)}:${event.data.callId}`;
    default:
      return `event:${String(event.seq)}`;
  }
}

function kindOf(event: RunEventView): TraceItemKind {
  if (event.type.startsWith('model.')) return 'model';
  if (event.type.startsWith('tool.')) return 'tool';
  if (event.type.startsWith('run.')) return 'run';
  return 'other';
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Folds one event into its item (a new item when `item` is undefined). Order-insensitive per key. */
export function foldEvent(item: TraceItem | undefined, event: RunEventView): TraceItem {
  const kind = kindOf(event);
  const base: TraceItem = item ?? {
    key: itemKey(event),
    kind,
    firstSeq: event.seq,
    lastSeq: event.seq,
    ts: event.ts,
    title: event.type,
    status: 'ok',
    step: null,
    durationMs: null,
    tokensIn: null,
    tokensOut: null,
    args: undefined,
    result: undefined,
    error: null,
    note: null,
    events: [],
  };
  const events = base.events.some((e) => e.seq === event.seq)
    ? base.events
    : [...base.events, event].sort((a, b) => a.seq - b.seq);
  const next: TraceItem = {
    ...base,
    firstSeq: Math.min(base.firstSeq, event.seq),
    lastSeq: Math.max(base.lastSeq, event.seq),
    ts: event.seq < base.firstSeq ? event.ts : base.ts,
    events,
  };
  const has = (type: string): boolean => events.some((e) => e.type === type);
  switch (event.type) {
    case 'model.request':
      next.step = event.data.step;
      next.title = `model ${event.data.model}${event.data.final ? ' (final)' : ''}`;
      if (!has('model.response')) next.status = 'pending';
      return next;
    case 'model.retry':
      next.step = event.data.step;
      if (!has('model.response'))
        next.note =
          event.data.parameter === undefined
            ? `retry ${String(event.data.attempt)} in ${String(event.data.delayMs)}ms: ${event.data.error}`
            : `retry: ${event.data.parameter.reason}`;
      return next;
    case 'model.response': {
      const d = event.data;
      next.step = d.step;
      next.title =
        base.title.startsWith('model') && base.title.includes('(final)')
          ? `model ${d.model} (final)`
          : `model ${d.model}`;
      next.status = 'ok';
      next.durationMs = d.latencyMs;
      next.tokensIn = d.usage?.input ?? null;
      next.tokensOut = d.usage?.output ?? null;
      const calls = d.toolCalls.length;
      const text = d.content ?? '';
      next.note = [
        calls > 0 ? `${plural(calls, 'tool call')}: ${d.toolCalls.map((c) => c.name).join(', ')}` : null,
        text === '' ? null : text,
      ]
        .filter((x): x is string => x !== null)
        .join(' · ');
      next.result =
        calls > 0
          ? d.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: parseArguments(c.arguments) }))
          : d.content;
      return next;
    }
    case 'tool.started':
      next.step = event.data.step;
      next.title =
        event.data.requested === undefined ? event.data.tool : `${event.data.tool} (called as ${event.data.requested})`;
      next.args = event.data.arguments;
      if (!has('tool.finished')) next.status = 'pending';
      return next;
    case 'tool.progress':
      next.step = event.data.step;
      if (!has('tool.finished')) {
        const total = event.data.total === null ? '' : `/${String(event.data.total)}`;
        next.note = `progress ${String(event.data.progress)}${total}${event.data.message === null ? '' : ` ${event.data.message}`}`;
      }
      return next;
    case 'tool.finished': {
      const d = event.data;
      next.step = d.step;
      next.title = d.tool;
      next.status = d.isError ? 'error' : 'ok';
      next.durationMs = d.durationMs;
      next.result = d.result;
      next.error = d.isError ? (d.error ?? firstLine(d.result)) : null;
      next.note = d.truncated ? `${String(d.bytes)} bytes (cut for the model)` : null;
      return next;
    }
    case 'run.queued':
      next.note = `${event.data.agent} in ${event.data.environment} · model ${event.data.model}`;
      next.args = event.data.input;
      return next;
    case 'run.started':
      next.note = [
        `model ${event.data.modelChoice?.explanation ?? event.data.model}`,
        event.data.output === undefined ? null : `answer ${event.data.output.explanation}`,
        `max ${String(event.data.maxSteps)} steps`,
        `pid ${String(event.data.pid)}`,
      ]
        .filter((x): x is string => x !== null)
        .join(' · ');
      return next;
    case 'tools.ready':
      next.durationMs = event.data.durationMs;
      next.note = `${String(event.data.tools.length)} tools: ${event.data.tools.map((t) => t.name).join(', ')}`;
      return next;
    case 'output.invalid':
      next.step = event.data.step;
      next.status = 'error';
      next.error = event.data.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
      next.note = event.data.retrying ? 'asking the model to correct it' : null;
      return next;
    case 'run.finished': {
      const d = event.data;
      next.status = d.status === 'completed' ? 'ok' : 'error';
      next.durationMs = d.durationMs;
      next.tokensIn = d.tokens.input;
      next.tokensOut = d.tokens.output;
      next.title = `run.finished ${d.status}`;
      next.error = d.error === null ? null : d.error.message;
      next.note = `${d.stopReason} · ${plural(d.steps, 'step')} · ${plural(d.toolCalls, 'tool call')}${d.output === null ? '' : ` · ${d.output}`}`;
      next.result = d.output ?? undefined;
      return next;
    }
  }
}

/** The final status of a run if `item` is its run.finished event, else null. */
export function endedStatus(item: TraceItem): string | null {
  const finished = item.events.find((e) => e.type === 'run.finished');
  return finished?.type === 'run.finished' ? finished.data.status : null;
}

/**
 * A model or tool call still pending when its run has ended (cancelled, failed, timed out, interrupted)
 * will never get its answer: it is closed as cancelled, naming how the run ended.
 */
export function closeOpenCall(item: TraceItem, runStatus: string): TraceItem {
  if (item.status !== 'pending') return item;
  return { ...item, status: 'cancelled', note: `never finished: the run ended ${runStatus.replace('_', ' ')}` };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
