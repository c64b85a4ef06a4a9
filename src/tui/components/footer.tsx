import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Notice } from '../app/reducer.js';
import { footerHints, type Scope } from '../keymap.js';
import { truncate } from '../format.js';
import type { Theme } from '../theme.js';

export interface FooterProps {
  width: number;
  theme: Theme;
  scopes: readonly Scope[];
  notice: Notice | null;
  /** A status line of the current screen (shown when there is no notice). */
  status?: string;
}

/** Two lines: a notice or status, then the keys that work on this screen (made from the keymap). */
export function Footer({ width, theme, scopes, notice, status = '' }: FooterProps): ReactNode {
  const hints = footerHints([...scopes, 'global']);
  const text = hints.map((h) => `${h.keys} ${h.label}`).join('  ');
  const noticeColor = notice?.level === 'error' ? theme.error : theme.accent;
  return (
    <Box flexDirection="column" width={width}>
      <Box height={1}>
        {notice !== null ? (
          <Text {...(noticeColor !== undefined ? { color: noticeColor } : {})}>{truncate(`${notice.level === 'error' ? '✗ ' : ''}${notice.text}`, width)}</Text>
        ) : (
          <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>{truncate(status, width)}</Text>
        )}
      </Box>
      <Box height={1}>
        <Text inverse>{truncate(` ${text} `, width)}</Text>
      </Box>
    </Box>
  );
}
