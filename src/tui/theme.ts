/**
 * Colours of the TUI, in one place. With NO_COLOR (https://no-color.org) or a dumb terminal every colour is
 * undefined and the UI relies on text only: markers (›, ●, ✗) and bold/inverse, which are not colours.
 */

export interface Theme {
  color: boolean;
  accent: string | undefined;
  muted: string | undefined;
  ok: string | undefined;
  warn: string | undefined;
  error: string | undefined;
  running: string | undefined;
  selectedBg: string | undefined;
}

export function themeEnabled(env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

export function makeTheme(color: boolean): Theme {
  if (!color) {
    return {
      color,
      accent: undefined,
      muted: undefined,
      ok: undefined,
      warn: undefined,
      error: undefined,
      running: undefined,
      selectedBg: undefined,
    };
  }
  return {
    color,
    accent: 'cyan',
    muted: 'gray',
    ok: 'green',
    warn: 'yellow',
    error: 'red',
    running: 'blue',
    selectedBg: 'blue',
  };
}

/** Colour and marker of a run or server status (for a run, pass displayStatus(run): max_steps has its own). */
export function statusStyle(theme: Theme, status: string): { color: string | undefined; mark: string } {
  switch (status) {
    case 'completed':
    case 'ready':
    case 'ok':
      return { color: theme.ok, mark: '✓' };
    case 'running':
    case 'starting':
    case 'pending':
      return { color: theme.running, mark: '●' };
    case 'queued':
      return { color: theme.muted, mark: '…' };
    case 'stale':
      return { color: theme.warn, mark: '◌' };
    case 'max_steps':
      return { color: theme.warn, mark: '!' };
    case 'cancelled':
    case 'stopped':
      return { color: theme.warn, mark: '⊘' };
    case 'failed':
    case 'error':
    case 'timed_out':
    case 'interrupted':
      return { color: theme.error, mark: '✗' };
    default:
      return { color: theme.muted, mark: '·' };
  }
}
