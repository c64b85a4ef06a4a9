import { displayStatus, type RunStatus } from '../../core/events/run-events.js';

/** The same markers as the TUI, so that a status reads without colour. */
const MARKS: Record<string, string> = {
  completed: '✓',
  ready: '✓',
  ok: '✓',
  running: '●',
  starting: '●',
  pending: '●',
  queued: '…',
  stale: '◌',
  max_steps: '!',
  cancelled: '⊘',
  stopped: '⊘',
  failed: '✗',
  error: '✗',
  timed_out: '✗',
  interrupted: '✗',
};

export function StatusMark({ status }: { status: string }) {
  return (
    <span className={`status status-${status}`}>
      <span aria-hidden="true">{MARKS[status] ?? '·'}</span> {status.replace('_', ' ')}
    </span>
  );
}

export function RunStatusMark({ run }: { run: { status: RunStatus; stopReason: string | null } }) {
  return <StatusMark status={displayStatus(run)} />;
}
