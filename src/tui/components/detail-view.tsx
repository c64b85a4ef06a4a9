import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate, wrapText } from '../format.js';
import type { Theme } from '../theme.js';

/** A line of a detail view: headings are bold (in the accent colour when there is colour). */
export interface DetailLine {
  text: string;
  heading?: boolean;
}

/** The lines as shown at `width`: long lines wrapped (continuations indented like their line), nothing cut. */
export function wrapDetail(lines: readonly (DetailLine | string)[], width: number): DetailLine[] {
  const out: DetailLine[] = [];
  for (const line of lines) {
    const { text, heading = false } = typeof line === 'string' ? { text: line } : line;
    const indent = /^ */.exec(text)?.[0] ?? '';
    const pad = indent.length < width / 2 ? indent : '';
    wrapText(text.slice(indent.length), Math.max(1, width - pad.length)).forEach((part) => {
      out.push({ text: pad + part, heading });
    });
  }
  return out;
}

/** Rows of a detail view of `height` rows that show text (the last row says how to scroll and go back). */
export function detailTextRows(height: number): number {
  return Math.max(1, height - 1);
}

/** The largest scroll offset of wrapped `lines` in a detail view of `height` rows. */
export function detailMaxOffset(lines: readonly DetailLine[], height: number): number {
  return Math.max(0, lines.length - detailTextRows(height));
}

/**
 * Text shown in full: long lines wrap, and what does not fit the height scrolls (the screen's keys move
 * `offset`); the last row says where we are and which keys scroll and close.
 */
export function DetailView({
  lines,
  offset,
  width,
  height,
  theme,
  close = 'esc goes back',
}: {
  /** Already wrapped (wrapDetail), so the caller can clamp its offset to the same lines. */
  lines: readonly DetailLine[];
  offset: number;
  width: number;
  height: number;
  theme: Theme;
  close?: string;
}): ReactNode {
  const rows = detailTextRows(height);
  const start = Math.max(0, Math.min(offset, detailMaxOffset(lines, height)));
  const shown = lines.slice(start, start + rows);
  const more = lines.length - start - shown.length;
  const where =
    lines.length <= rows
      ? `${String(lines.length)} lines`
      : `lines ${String(start + 1)}-${String(start + shown.length)} of ${String(lines.length)}${more > 0 ? ` · ↓ ${String(more)} more` : ''} · j/k PgUp/PgDn scroll`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((line, i) => (
        <Text
          key={start + i}
          bold={line.heading === true}
          {...(line.heading === true && theme.accent !== undefined ? { color: theme.accent } : {})}
          wrap="truncate-end"
        >
          {truncate(line.text, width)}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})} wrap="truncate-end">
        {truncate(`${close} · ${where}`, width)}
      </Text>
    </Box>
  );
}
