import { duration } from '../format.js';
import type { Bar, Timeline } from '../timeline.js';

/**
 * Model calls (top lane) and tool calls (lanes below; parallel calls side by side) as bars on a time axis.
 * Each bar is a button: its label says what it was, how long it took and whether it failed, so the
 * picture reads without colour too.
 */
export function TimelineView({
  timeline,
  selected,
  onSelect,
}: {
  timeline: Timeline;
  selected: string | undefined;
  onSelect: (bar: Bar) => void;
}) {
  const { bars, span, lanes } = timeline;
  if (bars.length === 0) return <p className="empty">No model or tool calls yet.</p>;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="timeline" role="group" aria-label={`Timeline: ${String(bars.length)} calls over ${duration(span)}`}>
      <div className="axis" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t} style={{ left: `${String(t * 100)}%` }}>
            {duration(t * span)}
          </span>
        ))}
      </div>
      {Array.from({ length: lanes }, (_, lane) => (
        <div key={lane} className="lane" aria-label={lane === 0 ? 'model calls' : `tool calls, lane ${String(lane)}`}>
          <span className="lane-name" aria-hidden="true">
            {lane === 0 ? 'model' : lane === 1 ? 'tools' : ''}
          </span>
          {bars
            .filter((b) => b.lane === lane)
            .map((b) => (
              <button
                key={b.id}
                type="button"
                className={`bar bar-${b.kind}${b.error === null ? '' : ' bar-error'}${b.open ? ' bar-open' : ''}${
                  selected === b.id ? ' selected' : ''
                }`}
                style={{
                  left: `${String((b.start / span) * 100)}%`,
                  width: `${String(Math.max(((b.end - b.start) / span) * 100, 0.4))}%`,
                }}
                aria-label={describe(b)}
                title={describe(b)}
                aria-pressed={selected === b.id}
                onClick={() => onSelect(b)}
              >
                {b.error === null ? '' : '✗'}
              </button>
            ))}
        </div>
      ))}
    </div>
  );
}

export function describe(b: Bar): string {
  const parts = [`step ${String(b.step)}: ${b.label}`, b.open ? 'running' : duration(b.end - b.start)];
  if (b.tokens !== null) parts.push(`${String(b.tokens.total)} tokens`);
  if (b.retries > 0) parts.push(`${String(b.retries)} retr${b.retries === 1 ? 'y' : 'ies'}`);
  if (b.error !== null) parts.push(`failed: ${b.error}`);
  return parts.join(', ');
}
