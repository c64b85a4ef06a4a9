import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { SCREENS, type ScreenId } from '../app/reducer.js';
import { fit, truncate } from '../format.js';
import type { Theme } from '../theme.js';

export interface HeaderProps {
  width: number;
  theme: Theme;
  environment: string;
  connection: { label: string; ok: boolean; error: string | null };
  running: number;
  screen: ScreenId;
}

/** Two lines: where we are (environment, connection, runs in flight) and the screen tabs. */
export function Header({ width, theme, environment, connection, running, screen }: HeaderProps): ReactNode {
  const right = running > 0 ? `● ${String(running)} running` : 'idle';
  const conn = connection.ok ? connection.label : `${connection.label} (${connection.error ?? 'disconnected'})`;
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
        <Text {...(running > 0 && theme.running !== undefined ? { color: theme.running } : {})}>{` ${right} `}</Text>
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
