import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { ListState } from '../state/list-state.js';
import { truncate } from '../format.js';
import type { Theme } from '../theme.js';
import { TextField } from './text-field.js';
import { positionLabel } from './window-list.js';

export interface ListTitleProps {
  title: string;
  /** Extra text after the title (filters, state). */
  extra?: string;
  list: ListState;
  total: number;
  width: number;
  theme: Theme;
}

/** A list's title line: name, position, and the `/` filter (typed in place; the list's key handler edits it). */
export function ListTitle({ title, extra = '', list, total, width, theme }: ListTitleProps): ReactNode {
  const head = `${title} (${positionLabel(list.cursor, total)})${extra === '' ? '' : `  ${extra}`}`;
  const showFilter = list.filtering || list.filter !== '';
  return (
    <Box height={1} width={width}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(head, Math.max(10, width - (showFilter ? 30 : 0)))}
      </Text>
      {showFilter ? (
        <Box marginLeft={2}>
          <Text>/ </Text>
          <TextField value={list.filter} active={list.filtering} />
        </Box>
      ) : null}
    </Box>
  );
}
