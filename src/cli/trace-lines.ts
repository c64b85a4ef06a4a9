import type { RunEvent } from '../core/index.js';
import type { makeStyle } from './output.js';

/**
 * A human summary of one event for a readable trace (`stn agent run` on a terminal, `stn runs show`):
 * plain text; the caller adds colour by `kind`. Events that say nothing new to a reader give null.
 */
export interface TraceLine {
  /** `call`: a tool call starts (with its arguments); `tool`: it ended. */
  kind: 'run' | 'step' | 'call' | 'tool' | 'retry' | 'warning' | 'end';
  /** false marks a failure (tool error, failed run). */
  ok: boolean;
  text: string;
}

export interface TraceOptions {
  /** Longest argument preview, in characters (default 80). */
  argsWidth?: number;
  /** Formats a duration in ms (default: "123ms" / "1.2s"). */
  duration?: (ms: number) => string;
}

export function traceLine(event: RunEvent, options: TraceOptions = {}): TraceLine | null {
  const width = options.argsWidth ?? 80;
  const dur = options.duration ?? defaultDuration;
  switch (event.type) {
    case 'run.queued':
      return null;
    case 'run.started': {
      const d = event.data;
      return {
        kind: 'run',
        ok: true,
        text: `run ${String(event.runId)} · agent ${d.agent} · env ${d.environment} · model ${modelText(d)}${d.output?.format === 'json' ? ' · JSON answer' : ''} · max ${String(d.maxSteps)} steps`,
      };
    }
    case 'tools.ready': {
      const names = event.data.tools.map((t) => t.name);
      return {
        kind: 'run',
        ok: true,
        text: `tools (${String(names.length)}): ${names.length === 0 ? '-' : names.join(', ')} · ready in ${dur(event.data.durationMs)}`,
      };
    }
    case 'model.request':
      return null;
    case 'model.retry': {
      const d = event.data;
      if (d.parameter !== undefined) return { kind: 'retry', ok: false, text: `retry: ${d.parameter.reason}` };
      return { kind: 'retry', ok: false, text: `retry ${String(d.attempt)} in ${dur(d.delayMs)}: ${d.error}` };
    }
    case 'model.response': {
      const d = event.data;
      const tokens = d.usage === null ? 'tokens ?' : `tokens ${String(d.usage.input)}→${String(d.usage.output)}`;
      const what =
        d.toolCalls.length > 0
          ? `${String(d.toolCalls.length)} tool call${d.toolCalls.length === 1 ? '' : 's'}`
          : 'answer';
      return {
        kind: 'step',
        ok: true,
        text: `step ${String(d.step)} · model ${dur(d.latencyMs)} · ${tokens} · ${what}`,
      };
    }
    case 'tool.started':
      return { kind: 'call', ok: true, text: `${calledAs(event.data)} ${shortArgs(event.data.arguments, width)}` };
    case 'tool.progress':
      return null;
    case 'tool.finished': {
      const d = event.data;
      const detail = d.isError
        ? oneLine(d.error ?? d.result, width)
        : `${formatBytes(d.bytes)}${d.truncated ? ', cut for the model' : ''}`;
      return { kind: 'tool', ok: !d.isError, text: `${calledAs(d)} ${dur(d.durationMs)} · ${detail}` };
    }
    case 'output.invalid': {
      const d = event.data;
      const issues = d.issues.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)).join('; ');
      return {
        kind: 'warning',
        ok: false,
        text: `answer rejected (${issues})${d.retrying ? '; asking the model to correct it' : ''}`,
      };
    }
    case 'run.finished': {
      const d = event.data;
      const parts = [
        `${d.status}${d.stopReason === 'final_answer' || d.stopReason === d.status ? '' : ` (${d.stopReason.replaceAll('_', ' ')})`}`,
        dur(d.durationMs),
        `${String(d.steps)} step${d.steps === 1 ? '' : 's'}`,
        `${String(d.toolCalls)} tool call${d.toolCalls === 1 ? '' : 's'}`,
        `${String(d.tokens.total)} tokens`,
      ];
      const error = d.error === null ? '' : `: ${d.error.message}`;
      return { kind: 'end', ok: d.status === 'completed', text: parts.join(' · ') + error };
    }
  }
}

/** The run's model; why, when it is not simply the agent file's or the configured one (an alias, override, --model). */
function modelText(d: { model: string; modelChoice?: { reason: string; explanation: string } }): string {
  const reason = d.modelChoice?.reason;
  return reason === undefined || reason === 'file' || reason === 'config'
    ? d.model
    : (d.modelChoice?.explanation ?? d.model);
}

/** The tool that ran, and the name the model called it by when that differs. */
function calledAs(d: { tool: string; requested?: string }): string {
  return d.requested === undefined ? d.tool : `${d.tool} (called as ${d.requested})`;
}

/** The arguments of a tool call, on one line, cut to `width` characters. */
export function shortArgs(args: unknown, width = 80): string {
  const text = typeof args === 'string' ? args : JSON.stringify(args);
  return oneLine(text, width);
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function defaultDuration(ms: number): string {
  return ms < 1000 ? `${String(Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** A trace line as `stn agent run` prints it on a terminal: marks and colour by kind. */
export function paintTraceLine(line: TraceLine, s: ReturnType<typeof makeStyle>): string {
  switch (line.kind) {
    case 'run':
      return s.dim(line.text);
    case 'step':
      return s.bold(line.text);
    case 'call':
      return `  ${s.cyan('→')} ${line.text}`;
    case 'tool':
      return `  ${line.ok ? s.green('✓') : s.red('✗')} ${line.ok ? line.text : s.red(line.text)}`;
    case 'retry':
    case 'warning':
      return `  ${s.yellow('!')} ${s.yellow(line.text)}`;
    case 'end':
      return line.ok ? s.green(line.text) : s.red(line.text);
  }
}
