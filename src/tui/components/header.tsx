import { Box, Text } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import { SCREENS, type ScreenId } from '../app/reducer.js';
import { fit, truncate } from '../format.js';
import type { Theme } from '../theme.js';

export interface HeaderProps {
  width: number;
  theme: Theme;
  environment: string;
  /**
   * `remote`: a server's connection (lost: "disconnected"); else the local store's (lost: its error).
   * `retryAt`: while disconnected, when (epoch ms) the next attempt to reconnect is made.
   */
  connection: ConnectionProps;
  running: number;
  /** The running count is from before the connection was lost: those runs are stale. */
  stale?: boolean;
  screen: ScreenId;
}

export interface ConnectionProps {
  label: string;
  ok: boolean;
  error: string | null;
  remote?: boolean;
  retryAt?: number | null;
}

/**
 * What the header says about the connection. Lost, it leads with "disconnected" (so it is never cut
 * off), then when the next attempt is made and why, then where to.
 */
export function connectionText(connection: ConnectionProps, now: number): string {
  if (connection.ok) return connection.label;
  if (connection.remote !== true) return `${connection.label} (${connection.error ?? 'not reading'})`;
  const retryAt = connection.retryAt ?? null;
  const seconds = retryAt === null ? null : Math.ceil((retryAt - now) / 1000);
  const retry = seconds === null ? 'retrying' : seconds > 0 ? `retrying in ${String(seconds)}s` : 'retrying now';
  return [`✗ disconnected, ${retry}`, connection.error, connection.label].filter((x) => x !== null).join(' · ');
}

/** The time, read now and every second after while `on` (the countdown to the next reconnect attempt). */
function useSecondTick(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const first = setTimeout(() => {
      setNow(Date.now());
    }, 0);
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    timer.unref();
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [on]);
  return now;
}

/** Two lines: where we are (environment, connection, runs in flight) and the screen tabs. */
export function Header({
  width,
  theme,
  environment,
  connection,
  running,
  stale = false,
  screen,
}: HeaderProps): ReactNode {
  const now = useSecondTick(!connection.ok);
  const right = running > 0 ? (stale ? `◌ ${String(running)} stale` : `● ${String(running)} running`) : 'idle';
  const conn = connectionText(connection, now);
  const left = ` Station │ env: ${environment} │ `;
  const room = Math.max(0, width - left.length - right.length - 2);
  return (
    <Box flexDirection="column" width={width}>
      <Box height={1}>
        <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
          {' Station'}
        </Text>
        <Text>{` │ env: `}</Text>
        <Text bold>{environment}</Text>
        <Text>{' │ '}</Text>
        <Text
          {...(connection.ok
            ? theme.muted !== undefined
              ? { color: theme.muted }
              : {}
            : theme.error !== undefined
              ? { color: theme.error }
              : {})}
        >
          {fit(truncate(conn, room), room)}
        </Text>
        <Text
          {...(running > 0 && !stale && theme.running !== undefined
            ? { color: theme.running }
            : running > 0 && stale && theme.warn !== undefined
              ? { color: theme.warn }
              : {})}
        >{` ${right} `}</Text>
      </Box>
      <Box height={1}>
        {SCREENS.map((s) => {
          const current = s.id === screen;
          return (
            <Text key={s.id} inverse={current} bold={current}>
              {current ? `[${s.key} ${s.title}]` : ` ${s.key} ${s.title} `}
            </Text>
          );
        })}
      </Box>
    </Box>
  );
}
