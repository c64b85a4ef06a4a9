import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { listWindow, type ListState } from '../state/list-state.js';
import type { Theme } from '../theme.js';

/** A piece of a row: text with an optional colour. Rows are arrays of segments so they memoise by value. */
export interface Segment {
  text: string;
  color?: string | undefined;
  bold?: boolean;
}

export interface WindowListProps<T> {
  items: readonly T[];
  state: ListState;
  /** Rows available for items. */
  height: number;
  width: number;
  theme: Theme;
  keyOf: (item: T) => string | number;
  /** The segments of one row, at most `width` columns in all (the selection marker is added here). */
  renderRow: (item: T, width: number) => Segment[];
  /** Shown when there are no items. */
  empty: string;
  /** Is this list the one taking the keys? (The selection is shown inverse only then.) */
  focused?: boolean;
}

function sameSegments(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.text !== y.text || x.color !== y.color || x.bold !== y.bold)
      return false;
  }
  return true;
}

interface RowProps {
  segments: Segment[];
  selected: boolean;
  focused: boolean;
  accent: string | undefined;
}

/** One row; re-renders only when its text, colours or selection change. */
export const Row = memo(
  function Row({ segments, selected, focused, accent }: RowProps) {
    const inverse = selected && focused;
    return (
      <Box height={1} overflow="hidden">
        <Text
          wrap="truncate-end"
          inverse={inverse}
          bold={selected}
          {...(selected && accent !== undefined ? { color: accent } : {})}
        >
          {selected ? '›' : ' '}
          {segments.map((s, i) => (
            <Text
              key={i}
              bold={s.bold === true || selected}
              {...(s.color !== undefined && !inverse ? { color: s.color } : {})}
            >
              {s.text}
            </Text>
          ))}
        </Text>
      </Box>
    );
  },
  (a, b) =>
    a.selected === b.selected &&
    a.focused === b.focused &&
    a.accent === b.accent &&
    sameSegments(a.segments, b.segments),
);

/**
 * A list that renders only its visible slice: a 10 000-row list costs the same to draw as a 20-row one.
 * The cursor row carries a "›" marker, so the selection is visible without colour.
 */
export function WindowList<T>({
  items,
  state,
  height,
  width,
  theme,
  keyOf,
  renderRow,
  empty,
  focused = true,
}: WindowListProps<T>): ReactNode {
  if (items.length === 0) {
    return (
      <Box height={Math.max(1, height)}>
        <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>{empty}</Text>
      </Box>
    );
  }
  const win = listWindow(state, items.length, height);
  const rows: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) {
    const item = items[i];
    if (item === undefined) continue;
    rows.push(
      <Row
        key={keyOf(item)}
        segments={renderRow(item, width - 1)}
        selected={i === win.cursor}
        focused={focused}
        accent={theme.accent}
      />,
    );
  }
  return (
    <Box flexDirection="column" height={Math.max(1, height)}>
      {rows}
    </Box>
  );
}

/** "3/120": the cursor's position in a list, for titles. */
export function positionLabel(cursor: number, total: number): string {
  if (total === 0) return '0';
  return `${String(Math.min(cursor, total - 1) + 1)}/${String(total)}`;
}
