/**
 * A run's trace as bars on a time axis: each model call (request to response) and each tool call (started
 * to finished). Parallel tool calls get lanes side by side. Pure: the same events give the same bars, so
 * the page only draws; a bar still open (the run goes on) ends at `now`.
 */
import type { RunEvent, TokenCounts } from '../core/events/run-events.js';

export interface Bar {
  /** `m<step>` for model calls, the call id for tool calls. */
  id: string;
  kind: 'model' | 'tool';
  label: string;
  step: number;
  /** Milliseconds since the run's first event. */
  start: number;
  end: number;
  open: boolean;
  error: string | null;
  lane: number;
  /** The events the bar is made of (for their details on click). */
  seqs: number[];
  tokens: TokenCounts | null;
  latencyMs: number | null;
  retries: number;
}

export interface Timeline {
  /** Time of the first event (ms since the epoch). */
  origin: number;
  /** Length of the axis in ms. */
  span: number;
  bars: Bar[];
  lanes: number;
}

export function buildTimeline(events: readonly RunEvent[], now: number): Timeline {
  const first = events[0];
  const origin = first === undefined ? now : Date.parse(first.ts);
  const at = (e: RunEvent): number => Date.parse(e.ts) - origin;
  const bars: Bar[] = [];
  const openModel = new Map<number, Bar>();
  const openTools = new Map<string, Bar>();
  let finishedAt: number | undefined;
  for (const e of events) {
    switch (e.type) {
      case 'model.request': {
        const bar = newBar(`m${String(e.data.step)}`, 'model', `model ${e.data.model}`, e.data.step, at(e), e.seq);
        if (e.data.final) bar.label += ' (final, no tools)';
        openModel.set(e.data.step, bar);
        bars.push(bar);
        break;
      }
      case 'model.retry': {
        const bar = openModel.get(e.data.step);
        if (bar !== undefined) {
          bar.retries++;
          bar.seqs.push(e.seq);
        }
        break;
      }
      case 'model.response': {
        const bar = openModel.get(e.data.step);
        if (bar === undefined) break;
        openModel.delete(e.data.step);
        close(bar, at(e), e.seq);
        bar.tokens = e.data.usage;
        bar.latencyMs = e.data.latencyMs;
        break;
      }
      case 'tool.started': {
        const bar = newBar(e.data.callId, 'tool', e.data.tool, e.data.step, at(e), e.seq);
        openTools.set(e.data.callId, bar);
        bars.push(bar);
        break;
      }
      case 'tool.progress':
        openTools.get(e.data.callId)?.seqs.push(e.seq);
        break;
      case 'tool.finished': {
        const bar = openTools.get(e.data.callId);
        if (bar === undefined) break;
        openTools.delete(e.data.callId);
        close(bar, at(e), e.seq);
        if (e.data.isError) bar.error = e.data.error ?? 'the tool answered with an error';
        break;
      }
      case 'run.finished': {
        finishedAt = at(e);
        // What was still open when the run ended did not finish: marked with the run's error.
        for (const bar of [...openModel.values(), ...openTools.values()]) {
          close(bar, finishedAt, e.seq);
          bar.error = e.data.error?.message ?? `not finished (run ${e.data.status})`;
        }
        openModel.clear();
        openTools.clear();
        break;
      }
      default:
        break;
    }
  }
  const end = finishedAt ?? Math.max(now - origin, ...bars.map((b) => b.end));
  for (const bar of bars) if (bar.open) bar.end = Math.max(bar.start, end);
  const lanes = assignLanes(bars);
  return { origin, span: Math.max(end, 1), bars, lanes };
}

function newBar(id: string, kind: Bar['kind'], label: string, step: number, start: number, seq: number): Bar {
  return {
    id,
    kind,
    label,
    step,
    start,
    end: start,
    open: true,
    error: null,
    lane: 0,
    seqs: [seq],
    tokens: null,
    latencyMs: null,
    retries: 0,
  };
}

function close(bar: Bar, end: number, seq: number): void {
  bar.end = Math.max(bar.start, end);
  bar.open = false;
  bar.seqs.push(seq);
}

/** Model calls on lane 0; each tool call on the first tool lane free at its start. Returns the lane count. */
function assignLanes(bars: Bar[]): number {
  const laneEnds: number[] = [];
  for (const bar of bars) {
    if (bar.kind === 'model') continue;
    let lane = laneEnds.findIndex((end) => end <= bar.start);
    if (lane === -1) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = bar.open ? Number.POSITIVE_INFINITY : Math.max(bar.end, bar.start + 1e-6);
    bar.lane = lane + 1;
  }
  return laneEnds.length + 1;
}
