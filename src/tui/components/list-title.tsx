import { Box, Text } from 'ink';
import type { Dispatch, ReactNode } from 'react';
import type { AppAction, ListId } from '../app/reducer.js';
import type { ListState } from '../state/list-state.js';
import { truncate } from '../format.js';
import type { Theme } from '../theme.js';
import { TextInput } from './text-input.js';
import { positionLabel } from './window-list.js';

export interface ListTitleProps {
  id: ListId;
  title: string;
  /** Extra text after the title (filters, state). */
  extra?: string;
  list: ListState;
  total: number;
  width: number;
  theme: Theme;
  dispatch: Dispatch<AppAction>;
  /** Keys reach the filter field only when the screen is active. */
  active: boolean;
}

/** A list's title line: name, position, and the `/` filter (typed in place). */
export function ListTitle({ id, title, extra = '', list, total, width, theme, dispatch, active }: ListTitleProps): ReactNode {
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
          <TextInput
            value={list.filter}
            isActive={active && list.filtering}
            scope="filter"
            onChange={(text) => {
              dispatch({ type: 'list', id, action: { type: 'filter-set', text } });
            }}
            onKey={(action) => {
              if (action === 'submit') dispatch({ type: 'list', id, action: { type: 'filter-keep' } });
              if (action === 'back') dispatch({ type: 'list', id, action: { type: 'filter-clear' } });
            }}
          />
        </Box>
      ) : null}
    </Box>
  );
}
