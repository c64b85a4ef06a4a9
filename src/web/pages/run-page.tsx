import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { RunSummary } from '../../core/runner/run-service.js';
import { isFinalStatus, type RunEvent } from '../../core/events/run-events.js';
import { seg } from '../api.js';
import { ErrorBox } from '../components/error-box.js';
import { JsonView } from '../components/json-view.js';
import { RunStatusMark } from '../components/status.js';
import { TimelineView } from '../components/timeline-view.js';
import { count, duration } from '../format.js';
import { useCan, useLoad, useNow, useSession } from '../hooks.js';
import { Link } from '../router.js';
import { buildTimeline, type Bar } from '../timeline.js';

const PAGE = 1000;

/** One run: its summary, its trace as a timeline and as a list of events, live while it goes on. */
export function RunPage({ id }: { id: number }) {
  const { api, live } = useSession();
  const summary = useLoad(() => api.get('getRun', `/api/v1/runs/${seg(id)}?events=false`), `run:${String(id)}`);
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<{ bar?: Bar; seq?: number } | undefined>();
  const reloadSummary = useEffectEvent(() => summary.reload());

  // Every stored event, page by page; then the live ones after the last seq (no gap, no repeat).
  // The page is keyed by the run id: a new run is a new page, starting empty.
  useEffect(() => {
    const gone = new AbortController();
    let unsubscribe: (() => void) | undefined;
    const pending: RunEvent[] = [];
    let frame: number | undefined;
    const flush = (): void => {
      frame = undefined;
      const batch = pending.splice(0);
      setEvents((old) => [...old, ...batch.filter((e) => e.seq > (old.at(-1)?.seq ?? 0))]);
      if (batch.some((e) => e.type === 'run.finished' || e.type === 'run.started')) reloadSummary();
    };
    void (async () => {
      try {
        let after = 0;
        const all: RunEvent[] = [];
        for (;;) {
          const page = await api.get(
            'listRunEvents',
            `/api/v1/runs/${seg(id)}/events?after=${String(after)}&limit=${String(PAGE)}`,
          );
          if (gone.signal.aborted) return;
          all.push(...page.events);
          if (page.events.length < PAGE) break;
          after = page.events.at(-1)?.seq ?? after;
        }
        setEvents(all);
        setLoaded(true);
        unsubscribe = live.subscribe(
          { scope: 'run', runId: id },
          (event) => {
            pending.push(event);
            frame ??= requestAnimationFrame(flush);
          },
          all.at(-1)?.seq ?? 0,
        );
      } catch (e) {
        if (!gone.signal.aborted) setError(e);
      }
    })();
    return () => {
      gone.abort();
      unsubscribe?.();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [api, live, id]);

  const run = summary.data;
  const finished = run !== undefined && isFinalStatus(run.status);
  const now = useNow(250, !finished);
  const timeline = useMemo(() => buildTimeline(events, now), [events, now]);
  const bySeq = useMemo(() => new Map(events.map((e) => [e.seq, e])), [events]);

  if (summary.error !== undefined && run === undefined) return <ErrorBox error={summary.error} />;
  if (run === undefined) return <p className="loading">Loading run #{id}…</p>;
  const input = events.find((e) => e.type === 'run.queued')?.data.input;
  const finishedEvent = events.find((e) => e.type === 'run.finished');
  const shown = selected?.bar?.seqs ?? (selected?.seq === undefined ? [] : [selected.seq]);

  return (
    <section className="run">
      <RunHeader run={run} onCancelled={summary.reload} />
      {error !== undefined && <ErrorBox error={error} />}
      {input !== undefined && (
        <details>
          <summary>Input</summary>
          <JsonView value={input} label="run input" />
        </details>
      )}
      <h2>Timeline</h2>
      {!loaded ? (
        <p className="loading">Loading the trace…</p>
      ) : (
        <TimelineView timeline={timeline} selected={selected?.bar?.id} onSelect={(bar) => setSelected({ bar })} />
      )}
      <div className="trace">
        <EventList events={events} selected={shown} onSelect={(seq) => setSelected({ seq })} />
        <aside className="detail" aria-label="Selected call">
          {shown.length === 0 ? (
            <p className="hint">Select a bar or an event to see its arguments and results.</p>
          ) : (
            shown.map((seq) => {
              const e = bySeq.get(seq);
              return e === undefined ? null : <EventDetail key={seq} event={e} />;
            })
          )}
        </aside>
      </div>
      {finishedEvent?.data.output != null && (
        <>
          <h2>Answer</h2>
          <JsonView value={finishedEvent.data.output} label="answer" />
        </>
      )}
    </section>
  );
}

function RunHeader({ run, onCancelled }: { run: RunSummary; onCancelled: () => void }) {
  const { api } = useSession();
  const canRun = useCan('run', run.environment);
  const [cancelError, setCancelError] = useState<unknown>();
  const [cancelling, setCancelling] = useState(false);
  const cancel = async (): Promise<void> => {
    setCancelling(true);
    try {
      await api.post('cancelRun', `/api/v1/runs/${seg(run.id)}/cancel?from=web`);
      onCancelled();
    } catch (e) {
      setCancelError(e);
    } finally {
      setCancelling(false);
    }
  };
  return (
    <header className="run-header">
      <h1>
        Run #{run.id} <RunStatusMark run={run} />
      </h1>
      <dl>
        <dt>Agent</dt>
        <dd>
          <Link to={`/agents/${seg(run.environment)}/${seg(run.agent)}`}>{run.agent}</Link>
        </dd>
        <dt>Environment</dt>
        <dd>{run.environment}</dd>
        <dt>Model</dt>
        <dd>{run.model ?? '-'}</dd>
        <dt>Steps</dt>
        <dd>{run.steps}</dd>
        <dt>Tool calls</dt>
        <dd>{run.toolCalls}</dd>
        <dt>Tokens</dt>
        <dd>
          {count(run.tokens.total)} ({count(run.tokens.input)} in, {count(run.tokens.output)} out)
        </dd>
        <dt>Duration</dt>
        <dd>{duration(run.durationMs)}</dd>
        <dt>Trigger</dt>
        <dd>{run.trigger}</dd>
      </dl>
      {run.error !== null && <ErrorBox error={new Error(`${run.error.code}: ${run.error.message}`)} />}
      {canRun && !isFinalStatus(run.status) && (
        <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel run'}
        </button>
      )}
      {cancelError !== undefined && <ErrorBox error={cancelError} />}
    </header>
  );
}

/** The events as a list that renders only the rows in view (a 10 000-event run scrolls smoothly). */
function EventList({
  events,
  selected,
  onSelect,
}: {
  events: readonly RunEvent[];
  selected: readonly number[];
  onSelect: (seq: number) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: events.length,
    getScrollElement: () => parent.current,
    estimateSize: () => 28,
    overscan: 20,
  });
  const origin = events[0] === undefined ? 0 : Date.parse(events[0].ts);
  return (
    <div className="events" ref={parent} role="list" aria-label={`Events (${String(events.length)})`} tabIndex={0}>
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((item) => {
          const e = events[item.index];
          if (e === undefined) return null;
          const isSelected = selected.includes(e.seq);
          return (
            <div
              key={e.seq}
              role="listitem"
              className={`event-row${isSelected ? ' selected' : ''}${isErrorEvent(e) ? ' failed' : ''}`}
              style={{ transform: `translateY(${String(item.start)}px)` }}
            >
              <button type="button" onClick={() => onSelect(e.seq)} aria-pressed={isSelected}>
                <span className="seq">#{e.seq}</span>
                <span className="at">+{duration(Date.parse(e.ts) - origin)}</span>
                <span className="type">{e.type}</span>
                <span className="what">{summarize(e)}</span>
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function isErrorEvent(e: RunEvent): boolean {
  return (
    (e.type === 'tool.finished' && e.data.isError) ||
    e.type === 'model.retry' ||
    (e.type === 'run.finished' && e.data.error !== null)
  );
}

function summarize(e: RunEvent): string {
  switch (e.type) {
    case 'run.queued':
      return `${e.data.agent} in ${e.data.environment}`;
    case 'run.started':
      return `model ${e.data.model}, at most ${String(e.data.maxSteps)} steps`;
    case 'tools.ready':
      return `${String(e.data.tools.length)} tools`;
    case 'model.request':
      return `step ${String(e.data.step)}${e.data.final ? ' (final)' : ''}`;
    case 'model.retry':
      return `attempt ${String(e.data.attempt)}: ${e.data.error}`;
    case 'model.response':
      return e.data.toolCalls.length > 0
        ? `${String(e.data.toolCalls.length)} tool call(s), ${duration(e.data.latencyMs)}`
        : `answer, ${duration(e.data.latencyMs)}`;
    case 'tool.started':
      return e.data.tool;
    case 'tool.progress':
      return `${String(e.data.progress)}${e.data.total === null ? '' : `/${String(e.data.total)}`} ${e.data.message ?? ''}`;
    case 'tool.finished':
      return `${e.data.tool} ${e.data.isError ? '✗ ' + (e.data.error ?? 'error') : '✓'} ${duration(e.data.durationMs)}`;
    case 'output.invalid':
      return `${String(e.data.issues.length)} issue(s)`;
    case 'run.finished':
      return `${e.data.status} (${e.data.stopReason})`;
  }
}

function EventDetail({ event }: { event: RunEvent }) {
  const title = `#${String(event.seq)} ${event.type}`;
  switch (event.type) {
    case 'tool.started':
      return (
        <div className="event-detail">
          <h3>{title}</h3>
          <p>
            {event.data.tool}
            {event.data.server === null ? '' : ` on ${event.data.server}`}
          </p>
          <h4>Arguments</h4>
          <JsonView value={event.data.arguments} label={`arguments of ${event.data.tool}`} />
        </div>
      );
    case 'tool.finished':
      return (
        <div className="event-detail">
          <h3>{title}</h3>
          {event.data.isError && <p className="failed">✗ {event.data.error ?? 'the tool answered with an error'}</p>}
          <h4>
            Result ({event.data.bytes} bytes{event.data.truncated ? ', cut for the model' : ''})
          </h4>
          <JsonView value={event.data.result} label={`result of ${event.data.tool}`} />
        </div>
      );
    default:
      return (
        <div className="event-detail">
          <h3>{title}</h3>
          <JsonView value={event.data} label={title} />
        </div>
      );
  }
}
