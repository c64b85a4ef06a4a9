import { Text } from 'ink';
import type { ReactNode } from 'react';

/** A one-line text field (display only: the screen's key handler edits it). */
export function TextField({
  value,
  active,
  placeholder = '',
}: {
  value: string;
  active: boolean;
  placeholder?: string;
}): ReactNode {
  if (value === '' && !active) return <Text dimColor>{placeholder}</Text>;
  return (
    <Text>
      {value}
      {active ? <Text inverse> </Text> : null}
    </Text>
  );
}
