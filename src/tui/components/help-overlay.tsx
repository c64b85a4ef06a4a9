import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { helpSections } from '../keymap.js';
import { fit, truncate } from '../format.js';
import type { Theme } from '../theme.js';

/** The lines of the help overlay: every binding of the keymap, grouped. */
export function helpLines(): { text: string; heading: boolean }[] {
  const lines: { text: string; heading: boolean }[] = [];
  for (const section of helpSections()) {
    lines.push({ text: section.title, heading: true });
    for (const row of section.rows) lines.push({ text: `  ${fit(row.keys, 16)} ${row.help}`, heading: false });
  }
  return lines;
}

/** All keys (`?`), scrollable with the list keys; shown in place of the current screen. */
export function HelpOverlay({
  width,
  height,
  theme,
  offset,
}: {
  width: number;
  height: number;
  theme: Theme;
  offset: number;
}): ReactNode {
  const lines = helpLines();
  const rows = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(offset, lines.length - rows));
  const more = lines.length - start - rows;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(`Keys${more > 0 ? ` (↓ ${String(more)} more: j/k to scroll)` : ''}  esc or ? closes`, width)}
      </Text>
      {lines.slice(start, start + rows).map((line, i) => (
        <Text key={start + i} bold={line.heading} wrap="truncate-end">
          {truncate(line.text, width)}
        </Text>
      ))}
    </Box>
  );
}
