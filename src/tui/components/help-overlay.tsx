import type { ReactNode } from 'react';
import { helpSections } from '../keymap.js';
import { fit, wrapText } from '../format.js';
import type { Theme } from '../theme.js';
import { DetailView, type DetailLine } from './detail-view.js';

const KEYS_WIDTH = 16;

/**
 * The lines of the help overlay at `width`: every binding of the keymap, grouped; a help text too long
 * for the line goes on under itself (nothing is cut).
 */
export function helpLines(width: number): DetailLine[] {
  const lines: DetailLine[] = [{ text: 'Keys', heading: true }];
  const indent = ' '.repeat(2 + KEYS_WIDTH + 1);
  const room = Math.max(10, width - indent.length);
  for (const section of helpSections()) {
    lines.push({ text: section.title, heading: true });
    for (const row of section.rows) {
      const keys = `  ${fit(row.keys, KEYS_WIDTH)} `;
      wrapText(row.help, room).forEach((part, i) => {
        lines.push({ text: `${i === 0 ? keys : indent}${part}` });
      });
    }
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
  return (
    <DetailView
      lines={helpLines(width)}
      offset={offset}
      width={width}
      height={height}
      theme={theme}
      close="esc or ? closes"
    />
  );
}
