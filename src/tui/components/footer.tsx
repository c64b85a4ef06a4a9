import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Notice } from '../app/reducer.js';
import { footerHints, type KeyAction, type KeyHint, type Scope } from '../keymap.js';
import { stringWidth, truncate } from '../format.js';
import type { Theme } from '../theme.js';

export interface FooterProps {
  width: number;
  theme: Theme;
  scopes: readonly Scope[];
  /** A text field has the keys: only Ctrl-C quits. */
  textEntry: boolean;
  notice: Notice | null;
  /** A status line of the current screen (shown when there is no notice). */
  status?: string;
  /** Actions whose keys do nothing now (not offered in the key line). */
  hide?: readonly KeyAction[];
}

/**
 * The key line: the current screen's keys, then how to quit and get help. When it does not fit, the
 * screen's last hints are dropped first, so "? help" always shows.
 */
export function footerLine(
  scopes: readonly Scope[],
  textEntry: boolean,
  width: number,
  hide: readonly KeyAction[] = [],
): string {
  // The help overlay and the quit question take every key: only their own keys are shown.
  const tail: KeyHint[] = scopes.some((s) => s === 'help' || s === 'quit-local' || s === 'quit-remote')
    ? []
    : textEntry
      ? [{ keys: '^C', label: 'quit' }]
      : footerHints(['global']);
  const own = footerHints(scopes, hide).filter((h) => !tail.some((t) => t.label === h.label));
  const show = (hints: readonly KeyHint[]): string => ` ${hints.map((h) => `${h.keys} ${h.label}`).join('  ')} `;
  for (let n = own.length; n >= 0; n--) {
    const line = show([...own.slice(0, n), ...tail]);
    if (stringWidth(line) <= width) return line;
  }
  return truncate(show(tail), width);
}

/** The notice line: an error too long for it ends with how to read it all (`e`) rather than being cut. */
export function noticeLine(notice: Notice, width: number, textEntry: boolean): string {
  const text = `${notice.level === 'error' ? '✗ ' : ''}${notice.text}`;
  if (notice.level !== 'error' || textEntry || (stringWidth(text) <= width && !notice.text.includes('\n')))
    return truncate(text, width);
  return truncate(text, Math.max(10, width - ERROR_HINT.length)) + truncate(ERROR_HINT, width);
}

const ERROR_HINT = ' (e: in full)';

/** Two lines: a notice or the screen's status, then the keys that work here (made from the keymap). */
export function Footer({ width, theme, scopes, textEntry, notice, status = '', hide = [] }: FooterProps): ReactNode {
  const noticeColor = notice?.level === 'error' ? theme.error : theme.accent;
  return (
    <Box flexDirection="column" width={width}>
      <Box height={1}>
        {notice !== null ? (
          <Text {...(noticeColor !== undefined ? { color: noticeColor } : {})}>
            {noticeLine(notice, width, textEntry)}
          </Text>
        ) : (
          <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>{truncate(status, width)}</Text>
        )}
      </Box>
      <Box height={1}>
        <Text inverse>{footerLine(scopes, textEntry, width, hide)}</Text>
      </Box>
    </Box>
  );
}
