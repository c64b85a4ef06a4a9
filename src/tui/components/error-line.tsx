import { Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate } from '../format.js';
import type { Theme } from '../theme.js';

/** One line saying what went wrong: `✗ message`, in the error colour when there is colour, cut to the width. */
export function ErrorLine({
  message,
  theme,
  width,
  indent = 0,
}: {
  message: string;
  theme: Theme;
  width: number;
  indent?: number;
}): ReactNode {
  return (
    <Text {...(theme.error !== undefined ? { color: theme.error } : {})}>
      {truncate(`${' '.repeat(indent)}✗ ${message}`, width)}
    </Text>
  );
}
