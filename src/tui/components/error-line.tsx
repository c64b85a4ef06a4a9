import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate, wrapText } from '../format.js';
import type { Theme } from '../theme.js';

/**
 * The lines of `✗ message` (or another `mark`) at `width`: wrapped (continuations under the message), at most
 * `maxRows` of them, the last one ending with … when even those do not hold it all.
 */
export function errorLines(message: string, width: number, maxRows = 3, indent = 0, mark = '✗'): string[] {
  const lead = ' '.repeat(indent);
  const wrapped = wrapText(message.replace(/\s*\n\s*/g, ' '), Math.max(10, width - indent - 2));
  const rows = Math.max(1, maxRows);
  const lines = wrapped
    .slice(0, rows)
    .map((l, i) => `${lead}${i === 0 ? `${mark} ` : ' '.repeat(mark.length + 1)}${l}`);
  if (wrapped.length > rows) {
    const last = lines.length - 1;
    lines[last] = truncate(`${lines[last] ?? ''} ${wrapped.slice(rows).join(' ')}`, width);
  }
  return lines.map((l) => truncate(l, width));
}

/** What went wrong: `✗ message`, in the error colour when there is colour, wrapped to the width (up to `maxRows`). */
export function ErrorLine({
  message,
  theme,
  width,
  indent = 0,
  maxRows = 3,
}: {
  message: string;
  theme: Theme;
  width: number;
  indent?: number;
  maxRows?: number;
}): ReactNode {
  return (
    <Box flexDirection="column">
      {errorLines(message, width, maxRows, indent).map((line, i) => (
        <Text key={i} wrap="truncate-end" {...(theme.error !== undefined ? { color: theme.error } : {})}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
